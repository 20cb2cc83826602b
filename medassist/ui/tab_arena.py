"""Arena: a blind A/B battle between two models drawn at random; identities revealed after the vote."""
from __future__ import annotations

import gradio as gr

from ..errors import UserError
from ..present import html as H
from .tab_compare import stream_comparison


def leaderboard_rows(services) -> list[list]:
    return [[r["model"], r["votes"], r["wins"], r["ties"], r["elo"], f"{r['elo_ci95'][0]}–{r['elo_ci95'][1]}",
             r["bt"], f"{r['bt_ci95'][0]}–{r['bt_ci95'][1]}"] for r in services.arena.leaderboard()]


def chart_path(services):
    from ..arena import chart

    return chart(services.arena.leaderboard(), services.exports / "arena-leaderboard.png")


def build(services, app: gr.Blocks) -> None:
    gr.Markdown("Two models are drawn at random and shown as **A** and **B** in random order. Vote, then see who "
                "they were. Both answer from the same retrieved passages.")
    question = gr.Textbox(label="Question", lines=2, elem_id="ma-arena-question")
    battle_btn = gr.Button("New battle", variant="primary", elem_id="ma-arena-battle")
    cols = gr.HTML(elem_id="ma-arena-cols")
    with gr.Row():
        votes = {label: gr.Button(text, interactive=False, elem_id=f"ma-vote-{label}")
                 for label, text in (("A", "A is better"), ("B", "B is better"), ("tie", "Tie"),
                                     ("both_bad", "Both are bad"))}
    reveal = gr.HTML(elem_id="ma-arena-reveal")
    with gr.Accordion("Evidence both models were given", open=False):
        evidence = gr.HTML()
    gr.Markdown("**Leaderboard** (Bradley–Terry and Elo, 95% bootstrap intervals)")
    board = gr.Dataframe(headers=["model", "votes", "wins", "ties", "Elo", "Elo 95% CI", "Bradley–Terry",
                                  "BT 95% CI"], value=lambda: leaderboard_rows(services), interactive=False,
                         elem_id="ma-arena-board")
    chart = gr.Image(label="Ratings", value=lambda: chart_path(services), interactive=False, elem_id="ma-arena-chart")
    battle = gr.State(None)
    off = [gr.update(interactive=False)] * 4

    def fight(q, request: gr.Request):
        from .tab_history import login

        try:
            from ..assistant import validate_question

            q = validate_question(q)
            battle_id, a, b = services.arena.start(q, services.variants)
            labels = {a: "Model A", b: "Model B"}
            for html_cols, html_ev, result in stream_comparison(services, q, [a, b], 4, 96, labels, "ma-arena",
                                                                user=login(request)):
                ready = result.done
                yield (html_cols, html_ev, "", {"id": battle_id} if ready else None,
                       *([gr.update(interactive=ready)] * 4))
        except UserError as exc:
            yield H.error(str(exc)), "", "", None, *off

    def vote(outcome, state):
        if not state:
            raise gr.Error("Start a battle and wait for both answers first.")
        a, b = services.arena.vote(state["id"], outcome)
        text = (f'<div id="ma-revealed">Model A was <b>{H.esc(a)}</b>; Model B was <b>{H.esc(b)}</b>. '
                f'Your vote: {H.esc(outcome)}.</div>')
        return text, None, leaderboard_rows(services), chart_path(services), *off

    battle_btn.click(fight, [question], [cols, evidence, reveal, battle, *votes.values()], api_name="battle")
    for outcome, button in votes.items():
        button.click(lambda s, o=outcome: vote(o, s), [battle], [reveal, battle, board, chart, *votes.values()],
                     api_name=f"vote_{outcome}")
