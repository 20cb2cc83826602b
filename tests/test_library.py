"""Pulling the starter library: from a mirror, over HTTP, and refusing missing or altered files."""
import functools
import http.server
import json
import shutil
import threading

import pytest

from medassist.retrieval.library import library_files, load_manifest, pull
from medassist.retrieval.ngc_xml import read_ngc_xml

from .conftest import MIRROR, SHARED, run_cli, small_manifest


def test_manifest_covers_the_115_files_with_sha256():
    manifest = load_manifest()
    assert len(manifest["files"]) == 115
    assert {f["name"] for f in manifest["files"]} == {p.name for p in MIRROR.glob("*.xml")}


def test_parser_agrees_with_the_published_parse_for_all_115():
    published = {json.loads(line)["id"]: json.loads(line)
                 for line in (SHARED / "guidelines/ngc-public/documents.jsonl").open()}
    for path in sorted(MIRROR.glob("*.xml")):
        doc, ref = read_ngc_xml(path), published[path.stem]
        assert doc.title == ref["title"].rstrip(".")
        assert doc.organisations == ref["source_organisations"]
        assert doc.date_released == ref["date_released"]
        assert doc.urls[:1] == ref["guideline_urls"][:1]
        assert set(ref["sections"]) <= set(doc.sections)
        assert doc.year and 1990 < doc.year < 2019


def test_pull_from_mirror_via_cli_then_again(tmp_path):
    res = run_cli("guidelines", "pull", "--mirror", str(MIRROR), home=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "115 added" in res.stdout
    assert len(library_files(tmp_path / "library")) == 115
    again = run_cli("guidelines", "pull", home=tmp_path, env={"MEDASSIST_GUIDELINES_MIRROR": str(MIRROR)})
    assert again.returncode == 0 and "0 added, 115 unchanged" in again.stdout


def test_missing_and_altered_files_are_named_and_nothing_is_lost(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    manifest = small_manifest()
    first = pull(tmp_path / "lib", mirror=mirror, manifest=manifest)
    assert first.ok
    names = [f["name"] for f in manifest["files"]]
    (mirror / names[0]).unlink()
    (mirror / names[1]).write_bytes((mirror / names[1]).read_bytes() + b"<!-- tampered -->")
    tampered = (mirror / names[1]).read_bytes()
    (tmp_path / "lib/ngc-public" / names[0]).unlink()  # as if never pulled
    (tmp_path / "lib/ngc-public" / names[1]).write_bytes(b"corrupted locally")  # must be refetched
    report = pull(tmp_path / "lib", mirror=mirror, manifest=manifest)
    failed = dict(report.failed)
    assert "missing" in failed[names[0]] and "altered" in failed[names[1]]
    # the tampered mirror copy never replaces the local one, and nothing half-written is left beside it
    assert (tmp_path / "lib/ngc-public" / names[1]).read_bytes() == b"corrupted locally" != tampered
    assert not (tmp_path / "lib/ngc-public" / names[0]).exists()
    assert not list((tmp_path / "lib/ngc-public").glob("*.part-*"))
    assert len(report.unchanged) == len(names) - 2


def test_cli_names_the_bad_file_and_exits_nonzero(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    (mirror / "ngc-10510.xml").write_text("<Version/>")
    res = run_cli("guidelines", "pull", "--mirror", str(mirror), home=tmp_path / "home")
    assert res.returncode == 1
    assert "ngc-10510.xml" in res.stdout and "altered" in res.stdout
    assert "114 added" in res.stdout


def test_mirror_that_does_not_exist(tmp_path):
    res = run_cli("guidelines", "pull", "--mirror", str(tmp_path / "nope"), home=tmp_path)
    assert res.returncode == 2 and "does not exist" in res.stderr


@pytest.fixture()
def archive_server(tmp_path):
    """A local stand-in for the public archive: the manifest's upstream layout, over real HTTP."""
    root = tmp_path / "archive"
    for f in small_manifest()["files"]:
        (root / f["upstream_path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MIRROR / f["name"], root / f["upstream_path"])
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_pull_over_http_checks_every_file(tmp_path, archive_server):
    manifest = small_manifest()
    report = pull(tmp_path / "lib", base_url=archive_server, manifest=manifest)
    assert report.ok and len(report.added) == len(manifest["files"])
    broken = {**manifest, "files": manifest["files"] + [{**manifest["files"][0], "name": "ngc-0.xml",
                                                         "upstream_path": "summaries/ngc-0.xml"}]}
    report = pull(tmp_path / "lib", base_url=archive_server, manifest=broken)
    assert [name for name, _ in report.failed] == ["ngc-0.xml"]
