"""The web UI, running for real (`medassist ui` in a subprocess, the default model), driven by Debian's
Chromium through Playwright and by gradio_client. Screenshots of each page go to .artifacts/screenshots/."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .conftest import REPO, free_port, run_cli, served

pytestmark = pytest.mark.slow  # drives Chromium against the running web UI

playwright_api = pytest.importorskip("playwright.sync_api", reason="the UI tests need playwright (dev extra)")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = REPO / ".artifacts" / "screenshots"
PAYLOAD = '<script>window.__pwned = "script"</script><img src=x onerror="window.__pwned = \'img\'">'
ZYX = ("# Zyxorin dosing protocol\n\nOrganisation: Test Hospital Pharmacy\n\n## Recommendations\n\n"
       "Give zyxorin 40 mg once daily to adults with quartan fever; halve the dose when eGFR is below 30. "
       f"Payload kept as text: {PAYLOAD}\n")


@pytest.fixture(scope="module")
def ui(tmp_path_factory, small_home):
    home = tmp_path_factory.mktemp("uihome")
    shutil.copytree(small_home, home, dirs_exist_ok=True)
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "medassist"), "--home", str(home), "ui", "--port", str(port)]
    with served(cmd, port, tmp_path_factory.mktemp("log") / "ui.log", seconds=180):
        yield f"http://127.0.0.1:{port}/", home


@pytest.fixture(scope="module")
def page(ui):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install chromium (make test does this)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(120_000)
        pg.goto(ui[0])
        pg.wait_for_selector("#ma-banner")
        yield pg
        browser.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_banner_and_where_questions_go(page):
    banner = page.locator("#ma-banner").inner_text()
    assert "Research use only" in banner and "Questions stay on this machine" in banner


def ask(page, question: str, new: bool = True) -> None:
    tab(page, "Ask")
    if new:
        page.locator("#ma-new").click()
    page.locator("#ma-question textarea").fill(question)
    page.locator("#ma-ask").click()


# Records, as the page changes, whether a partial answer (with its cursor) was ever shown and what the
# quotes said at that moment: a fast engine can finish between two polls of wait_for_selector.
WATCH_STREAM = """() => {
  window.__stream = {partial: false, quotes: null};
  new MutationObserver(() => {
    if (!window.__stream.partial && document.querySelector('#ma-thread .ma-cursor')) {
      window.__stream.partial = true;
      const q = document.querySelector('#ma-thread .ma-quotes');
      window.__stream.quotes = q ? q.innerText : '';
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def test_ask_streams_an_answer_whose_citations_lead_to_their_passages(page):
    page.evaluate(WATCH_STREAM)
    ask(page, "Which men should be screened for abdominal aortic aneurysm?")
    # the first answer may include the model's first load and engine calibration: minutes on a busy machine
    page.wait_for_selector("#ma-thread .ma-turn .ma-answer:not(:has(.ma-cursor))", timeout=400_000)
    seen = page.evaluate("window.__stream")
    assert seen["partial"], "no partial answer was ever shown: the answer did not stream"
    # the guideline's own words came first, while the model was still writing
    assert "men aged 65 to 75 years who have ever smoked" in seen["quotes"]
    assert page.locator("#ma-evidence .ma-src").count() >= 1
    verdicts = page.locator("#ma-thread .ma-sentence").evaluate_all("ss => ss.map(s => s.dataset.verdict)")
    assert verdicts and set(verdicts) <= {"supported", "contradicted", "not_found"}
    shot(page, "ask")
    cites = page.locator("#ma-thread a.ma-cite")
    assert cites.count() >= 1, page.locator("#ma-thread").inner_text()
    href = cites.first.get_attribute("href")
    cites.first.click()
    assert page.evaluate("location.hash") == href
    target = page.locator(href)
    assert target.is_visible() and target.inner_text().startswith(cites.first.inner_text())


def test_a_follow_up_keeps_the_thread_and_stop_really_stops(page):
    ask(page, "Which men should be screened for abdominal aortic aneurysm?")  # its own first turn
    page.wait_for_selector("#ma-thread .ma-turn .ma-answer:not(:has(.ma-cursor))", timeout=180_000)
    ask(page, "And what about women who never smoked?", new=False)
    page.wait_for_selector("#ma-thread .ma-turn >> nth=1")
    assert page.locator("#ma-thread .ma-turn").count() == 2  # the first turn is still shown
    page.wait_for_selector("#ma-thread .ma-cursor")
    page.locator("#ma-stop").click()
    page.wait_for_selector("#ma-thread :text('Stopped.')", timeout=30_000)
    frozen = page.locator("#ma-thread .ma-turn").all_inner_texts()
    page.wait_for_timeout(2500)
    assert page.locator("#ma-thread .ma-turn").all_inner_texts() == frozen  # nothing more arrives after Stop
    # the model is free again at once: a new question is answered, not refused as busy
    page.locator("#ma-new").click()
    page.locator("#ma-question textarea").fill("Who should be screened for lung cancer?")
    page.locator("#ma-ask").click()
    page.wait_for_selector("#ma-thread .ma-turn .ma-answer:not(:has(.ma-cursor))", timeout=180_000)
    assert "busy" not in page.locator("#ma-thread").inner_text()
    assert "And what about women" not in page.locator("#ma-thread").inner_text()  # a new conversation


def test_compare_two_models_on_pinned_evidence_and_export(page):
    tab(page, "Compare")
    page.locator("#ma-cmp-question textarea").fill("How often should women aged 50 to 74 have mammography?")
    page.locator("#ma-cmp-run").click()
    page.wait_for_function("document.querySelectorAll('#ma-cmp-cols .ma-col').length === 2")
    page.wait_for_function("[...document.querySelectorAll('#ma-cmp-cols .ma-metrics')].every("
                           "m => m.innerText.includes('total'))", timeout=300_000)
    names = page.locator("#ma-cmp-cols .ma-col").evaluate_all("cs => cs.map(c => c.dataset.model)")
    assert names == ["gemma3-270m", "gemma3-270m@llamacpp"]
    assert page.locator("#ma-cmp-evidence .ma-src").count() >= 1  # shown once, for both
    assert "first token" in page.locator("#ma-cmp-cols").inner_text()
    assert page.locator("#ma-cmp-cols .ma-error").count() == 0  # no model failed (each answered)
    for col in page.locator("#ma-cmp-cols .ma-col").all():  # and each answer was checked, sentence by sentence
        assert col.locator(".ma-sentence").count() >= 1, col.inner_text()
    shot(page, "compare")
    page.locator("#ma-cmp-export").click()
    page.wait_for_function("document.querySelector('#ma-cmp-files').innerText.includes('.json')")
    assert ".md" in page.locator("#ma-cmp-files").inner_text()


def test_arena_vote_reveals_models_and_changes_the_leaderboard(page):
    tab(page, "Arena")
    before = page.locator("#ma-arena-board").inner_text()
    page.locator("#ma-arena-question textarea").fill("Should adults be screened for hepatitis B?")
    page.locator("#ma-arena-battle").click()
    page.wait_for_selector("#ma-vote-A:not([disabled])", timeout=300_000)
    cols = page.locator("#ma-arena-cols").inner_text()
    assert "Model A" in cols and "Model B" in cols and "gemma3-270m" not in cols  # blind
    page.locator("#ma-vote-A").click()
    page.wait_for_selector("#ma-revealed")
    assert page.locator("#ma-revealed").inner_text().count("gemma3-270m") == 2
    page.wait_for_function(f"document.querySelector('#ma-arena-board').innerText !== {before!r}")
    assert "gemma3-270m" in page.locator("#ma-arena-board").inner_text()
    shot(page, "arena")


def test_upload_then_retrieve_with_hostile_markup_shown_as_text(page, tmp_path):
    tab(page, "Library")
    doc = tmp_path / "zyxorin-protocol.md"
    doc.write_text(ZYX)
    page.locator("#ma-lib-files input[type=file]").set_input_files(str(doc))
    page.wait_for_timeout(1000)
    page.locator("#ma-lib-add").click()
    page.wait_for_function("document.querySelector('#ma-lib-outcome').innerText.includes('added')", timeout=180_000)
    assert "zyxorin-protocol" in page.locator("#ma-lib-docs").inner_text().lower()  # its own name as id
    shot(page, "library")
    tab(page, "Ask")
    page.locator("#ma-new").click()
    page.locator("#ma-question textarea").fill(f"What dose of zyxorin for quartan fever? {PAYLOAD}")
    page.locator("#ma-ask").click()
    page.wait_for_selector("#ma-thread .ma-turn .ma-answer:not(:has(.ma-cursor))", timeout=180_000)
    evidence = page.locator("#ma-evidence").inner_text()
    assert "Zyxorin dosing protocol" in evidence and "<script>" in evidence  # the payload, as text
    assert "<img src=x" in page.locator("#ma-thread").inner_text()
    assert page.evaluate("window.__pwned") is None  # nothing executed
    assert page.locator("#ma-evidence script, #ma-evidence img, #ma-thread img").count() == 0
    shot(page, "ask-payload")


def test_all_three_verdicts_are_shown_and_a_contradiction_beside_the_passage(page, ui):
    """An answer checked by the real core (its text fixed, so that it holds one sentence of each verdict),
    stored in the UI's history, then reopened in the browser."""
    from medassist.assistant import Assistant
    from medassist.settings import Settings
    from medassist.types import GenerationSettings

    settings = Settings(home=Path(ui[1]), cache=Settings.from_env().cache)
    a = Assistant(settings, progress=lambda m: None)
    evidence = a.gather_evidence("Which adults should be screened for abdominal aortic aneurysm, and how?")
    text = ("Men aged 65 to 75 years who have ever smoked should have one-time ultrasonography screening. "
            "The USPSTF recommends screening for abdominal aortic aneurysm in women aged 65 to 75 years who have ever "
            "smoked. Aortic aneurysm screening is covered by most insurers.")
    answer = a.finish(evidence, text, evidence.passages, evidence.quotes, GenerationSettings(),
                      list(evidence.notices), {})
    assert [s.verdict for s in answer.sentences] == ["supported", "contradicted", "not_found"]
    tab(page, "History")
    page.locator("#ma-hist-id input").fill(str(answer.history_id))
    page.locator("#ma-hist-open").click()
    page.wait_for_selector("#ma-hist-entry .ma-turn")
    entry = page.locator("#ma-hist-entry")
    assert entry.locator(".ma-v-supported").count() == 1 and entry.locator(".ma-v-not_found").count() == 1
    bad = entry.locator(".ma-v-contradicted")
    assert bad.count() == 1
    assert "contradicted by" in bad.inner_text() and "the passage [" in bad.locator(".ma-says").inner_text()
    assert "contradict" in entry.locator(".ma-emergency").first.inner_text()  # the notice at the top
    assert "ever smoked" in entry.locator(".ma-quotes").inner_text()
    shot(page, "verdicts")


def test_history_lists_and_reopens_what_was_asked(page):
    ask(page, "Who should be screened for lung cancer?")
    page.wait_for_selector("#ma-thread .ma-turn .ma-answer:not(:has(.ma-cursor))", timeout=180_000)
    tab(page, "History")
    search = page.locator("#ma-hist-search textarea, #ma-hist-search input").first
    search.fill("lung cancer")
    page.locator("#ma-hist-refresh").click()
    page.wait_for_function("document.querySelector('#ma-hist-table').innerText.includes('lung cancer')")
    search.fill("no question says this")
    page.locator("#ma-hist-refresh").click()
    page.wait_for_function("!document.querySelector('#ma-hist-table').innerText.includes('lung cancer')")
    search.fill("lung cancer")
    page.locator("#ma-hist-refresh").click()
    page.wait_for_function("document.querySelector('#ma-hist-table').innerText.includes('lung cancer')")
    import re

    first_id = re.search(r"question\s+(\d+)\s", page.locator("#ma-hist-table").inner_text()).group(1)
    page.locator("#ma-hist-id input").fill(first_id)
    page.locator("#ma-hist-open").click()
    # the pane may still show an entry another test opened: wait for this one, not for any turn
    page.wait_for_function("document.querySelector('#ma-hist-entry').innerText.toLowerCase().includes('lung cancer')")
    assert "lung cancer" in page.locator("#ma-hist-entry").inner_text().lower()
    assert page.locator("#ma-hist-entry .ma-src").count() >= 1
    shot(page, "history")


def test_the_api_through_gradio_client(ui):
    from gradio_client import Client, handle_file

    url, home = ui
    client = Client(url, verbose=False)
    thread_html, evidence_html, box = client.predict("Who should be screened for lung cancer?", "gemma3-270m@nf4", 3,
                                                     48, "", "", "", api_name="/ask")
    assert "ma-answer" in thread_html and "ma-src" in evidence_html and box == ""
    urgent, _, _ = client.predict("Patient has sudden facial droop and slurred speech: which test first?",
                                  "gemma3-270m", 2, 16, "", "", "", api_name="/ask")
    last_turn = urgent.split('class="ma-turn"')[-1]  # the client's session keeps the earlier turn too
    assert 0 <= last_turn.index("ma-emergency") < last_turn.index("ma-answer")  # the notice comes first
    cols, _ = client.predict("Who should be screened for lung cancer?", ["gemma3-270m", "gemma3-270m@nf4"], 3,
                                 32, api_name="/compare")
    assert cols.count('class="ma-col"') == 2
    doc = Path(home) / "extra.txt"
    doc.write_text("Quartan fever handbook.\n\nRest and fluids are advised for quartan fever in adults.")
    outcome, _, _ = client.predict([handle_file(str(doc))], api_name="/add_documents")
    assert outcome["data"][0][1] == "added"
    added_id = outcome["data"][0][2]
    shown = client.predict(added_id, api_name="/inspect_document")
    assert "Rest and fluids are advised" in shown
    removed, table, _ = client.predict(added_id, api_name="/remove_document")
    assert f"Removed {added_id}" in removed and added_id not in str(table["data"])
    assert "No document" in client.predict(added_id, api_name="/inspect_document")
    assert doc.exists()  # removing from the index never deletes the user's file
    rows = client.predict("lung cancer", api_name="/history")
    assert any("lung cancer" in str(r) for r in rows["data"])


def test_binding_beyond_loopback_needs_a_login(tmp_path):
    res = run_cli("ui", "--host", "0.0.0.0", "--port", str(free_port()), env={"MEDASSIST_UI_AUTH": ""})
    assert res.returncode == 2 and "needs a login" in res.stderr
    from medassist.ui.security import launch_options

    opts = launch_options("0.0.0.0", None, "clinician:long-enough-pw")  # MEDASSIST_UI_AUTH, via Settings
    assert opts == {"server_name": "0.0.0.0", "share": False, "auth": [("clinician", "long-enough-pw")]}
    with pytest.raises(Exception, match="at least 8"):
        launch_options("0.0.0.0", None, "a:b")
