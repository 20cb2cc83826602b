"""The one core every front end calls: question in, cited and checked answer out.

    question ─> gather_evidence (red-flag check, retrieve k passages, the guideline's own quotes)
             ─> prompt (model's own format, fitted to its context) ─> stream tokens
             ─> verdict per sentence (verify/) ─> history log

`gather_evidence` is the one evidence step: ask, stream, compare, the arena and eval's --rag all
take their passages, quotes and notices from it.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from .catalogue import DEFAULT_MODEL, get_spec
from .errors import UserError
from .parts import SharedParts
from .safety import emergency_notice
from .settings import Settings
from .types import Answer, GenerationSettings, Notice, Passage, Quote

MAX_QUESTION_CHARS = 4000


def validate_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise UserError('The question is empty. Ask something, e.g. medassist ask "Who should be screened for '
                        'abdominal aortic aneurysm?"')
    if len(q) > MAX_QUESTION_CHARS:
        raise UserError(f"The question is {len(q)} characters long; keep it under {MAX_QUESTION_CHARS}.")
    return q


MIN_PROMPT_TOKENS = 256  # the template and a question need about this much of the context


def check_max_new_tokens(max_new_tokens: int, model: str, context_length: int) -> None:
    """The answer's length must leave the prompt room in the model's context (said about
    max-new-tokens, not as "the question leaves no room")."""
    if max_new_tokens < 1:
        raise UserError("max-new-tokens must be at least 1.")
    room = context_length - MIN_PROMPT_TOKENS
    if max_new_tokens > room:
        raise UserError(f"max-new-tokens {max_new_tokens:,} leaves no room for the question and its evidence in "
                        f"{model}'s context of {context_length:,} tokens: use at most {room:,} (answers rarely "
                        "need more than 512).")


THREAD_TURNS = 2  # earlier turns a follow-up carries (retrieval and prompt)
THREAD_ANSWER_CHARS = 400


def with_thread(question: str, thread: list[tuple[str, str]] | None) -> tuple[str, str]:
    """(retrieval query, question as the model sees it) for a follow-up in a conversation.

    Retrieval searches with the earlier questions too, so "and in women?" finds the same topic;
    the model sees the last turns, shortened, above the follow-up."""
    turns = [(q, a) for q, a in (thread or []) if q][-THREAD_TURNS:]
    if not turns:
        return question, question
    query = " ".join([q for q, _ in turns] + [question])
    earlier = "\n".join(f"Earlier question: {q}\nEarlier answer: {a[:THREAD_ANSWER_CHARS]}" for q, a in turns)
    return query, f"{earlier}\nFollow-up question: {question}"


@dataclass
class Evidence:
    """What a question is answered from, before any model runs (so front ends can show it first)."""

    question: str  # as asked (validated)
    prompt_question: str  # with a conversation's earlier turns, when there are some
    passages: list[Passage]  # sources [1]..[k]
    quotes: list[Quote]  # the guideline's own sentences that answer, from those passages
    notices: list[Notice]  # the emergency notice first, when there is one
    used_rag: bool
    k: int
    timings: dict[str, float] = field(default_factory=dict)
    user: str | None = None  # who asked, when the web UI has logins: their history entry is theirs only

    def pinned(self, question: str | None = None) -> Evidence:
        """A copy another model can answer from (a comparison retrieves once for every model)."""
        return Evidence(question or self.question, question or self.prompt_question, list(self.passages),
                        list(self.quotes), list(self.notices), self.used_rag, self.k, dict(self.timings),
                        self.user)


class AnswerStream:
    """Iterate to receive the answer's text as it is generated; then `.answer` holds the whole result.

    `evidence` (quotes, passages, the emergency notice) is known before the first piece arrives.
    Closing the iterator early stops generation.
    """

    def __init__(self, assistant: Assistant, evidence: Evidence, gen: GenerationSettings):
        self._assistant, self.evidence, self.gen = assistant, evidence, gen
        self.notices = list(evidence.notices)
        self.timings = dict(evidence.timings)
        self.passages = evidence.passages
        self.answer: Answer | None = None

    @property
    def quotes(self) -> list[Quote]:
        return [q for q in self.evidence.quotes if q.source <= len(self.passages)]

    def __iter__(self) -> Iterator[str]:
        a, ev = self._assistant, self.evidence
        backend = a.backend()  # loads on first use (licence notice added there)
        self.notices.extend(a.pop_load_notices())
        started = time.perf_counter()
        built = a.build_prompt(ev.prompt_question, ev.passages if ev.used_rag else None, self.gen.max_new_tokens)
        self.notices.extend(built.notices)
        self.passages = built.passages  # what did not fit the context is no source
        settings = GenerationSettings(**{**self.gen.to_dict(), "stop": tuple(self.gen.stop) + built.stop})
        self.timings["prompt_build"] = time.perf_counter() - started
        pieces: list[str] = []
        gen_start = time.perf_counter()
        for piece in backend.stream(built.text, settings):
            if not pieces:
                self.timings["first_token"] = time.perf_counter() - gen_start
            pieces.append(piece)
            yield piece
        self.timings["generate"] = time.perf_counter() - gen_start
        usage = getattr(backend, "last_usage", {})
        if usage:
            self.timings["prompt_tokens"] = usage.get("prompt_tokens", 0)
            self.timings["new_tokens"] = usage.get("new_tokens", 0)
        self.answer = a.finish(ev, "".join(pieces).strip(), self.passages, self.quotes, self.gen, self.notices,
                               self.timings)


class Assistant(SharedParts):
    """Owns one model and one retriever. Front ends hold one Assistant and call ask() or stream()."""

    def __init__(self, settings: Settings | None = None, model: str = DEFAULT_MODEL, engine: str | None = None,
                 retriever=None, history=None, progress=print, backend_options: dict | None = None,
                 record_history: bool = True, context_length: int | None = None, backend=None,
                 accept_licence: bool = False, confirm=None, verifiers: list | None = None):
        self.settings = settings or Settings.from_env()
        self.spec = get_spec(model)
        self.engine = engine
        self.progress = progress
        self.backend_options = backend_options or {}
        self._backend = backend  # an already loaded backend may be shared (tests, a model pool)
        self._retriever = retriever
        self._history = history
        self.record_history = record_history
        if context_length is not None and context_length < 256:
            raise UserError("context_length must be at least 256 tokens.")
        # A cap below the model's declared context (for memory, or to test trimming); never above it.
        self.context_length = min(context_length or self.spec.context_length, self.spec.context_length)
        self._load_notices: list[Notice] = []
        self.accept_licence = accept_licence  # the user accepted the model's licence for this run
        self.confirm = confirm  # front ends that can ask: (licence text) -> accepted?
        self._verifiers = verifiers  # None: as the settings say (rules, plus any the user installed)

    # -- parts, loaded lazily -------------------------------------------------------------------
    def backend(self):
        if self._backend is None:
            from .backends import load_backend
            from .licences import require_licence

            notice = require_licence(self.spec, self.settings.config_file, self.accept_licence, self.confirm,
                                     self.settings.accept_licences)
            if notice:
                self.progress(notice.message)
                self._load_notices.append(notice)
            self._backend = load_backend(self.spec, self.settings.cache, engine=self.engine,
                                         progress=self.progress, settings=self.settings, **self.backend_options)
        return self._backend

    @property
    def verifiers(self) -> list:
        if self._verifiers is None:
            from .verify.plugins import load_verifiers

            self._verifiers = load_verifiers(self.settings, judge_backend=self.backend)
        return self._verifiers

    def pop_load_notices(self) -> list[Notice]:
        notices, self._load_notices = self._load_notices, []
        where = getattr(self._backend, "location", None)
        if where:  # questions left this machine: every answer says where it was generated
            notices.append(Notice("server", f"Generated by {self.spec.id} on the server at {where}."))
        return notices

    def build_prompt(self, question: str, passages: list[Passage] | None, max_new_tokens: int):
        from .prompts import build_prompt

        backend = self.backend()
        return build_prompt(self.spec, question, passages, backend.count_tokens, max_new_tokens,
                            context_length=self.context_length)

    # -- the main path ------------------------------------------------------------------------
    def gather_evidence(self, question: str, k: int = 5, use_rag: bool = True, filters=None,
                        thread: list[tuple[str, str]] | None = None, user: str | None = None) -> Evidence:
        """The one evidence step: validate, check for an emergency, retrieve (within `filters`, a
        retrieval.SearchFilters), and pick the guideline's own sentences that answer."""
        from .verify.quotes import lead_quotes

        question = validate_question(question)
        if k < 1:
            raise UserError("k (passages to retrieve) must be at least 1.")
        search_query, prompt_question = with_thread(question, thread)
        notices: list[Notice] = []
        emergency = emergency_notice(question)
        if emergency:
            notices.append(emergency)
        timings: dict[str, float] = {}
        passages: list[Passage] = []
        if use_rag:
            self.retriever.check()  # a missing or empty index is reported before a model is loaded
            started = time.perf_counter()
            passages = self.retriever.search(search_query, k, filters=filters)
            timings["retrieve"] = time.perf_counter() - started
            notices.extend(Notice("evidence", n) for n in self.retriever.pop_notes())
            weak = self.retriever.weak_match  # the embedder's own threshold (None: ranked by keywords alone)
            if not passages or (weak is not None and passages[0].score < weak):
                best = f" (best similarity {passages[0].score:.2f})" if passages else ""
                notices.append(Notice("evidence", f"The library matches this question only weakly{best}; it may "
                                                  "not cover the topic. Treat the answer as unsupported."))
        else:
            notices.append(Notice("evidence", "Answered without guideline evidence (retrieval off): nothing in "
                                              "this answer is checked against a source."))
        quotes = lead_quotes(question, passages) if passages else []
        return Evidence(question, prompt_question, passages, quotes, notices, use_rag, k, timings, user)

    def stream(self, question: str | Evidence, k: int = 5, use_rag: bool = True,
               gen: GenerationSettings | None = None, filters=None,
               thread: list[tuple[str, str]] | None = None, user: str | None = None) -> AnswerStream:
        """Gather evidence (or take it ready: a comparison pins one set for every model) and start
        generating; iterate the result for the text. `user`: who asked (the UI's login)."""
        gen = gen or GenerationSettings()
        check_max_new_tokens(gen.max_new_tokens, self.spec.id, self.context_length)
        if self.record_history:
            self.history  # a damaged log is reported now, before a model runs, not after  # noqa: B018
        evidence = question if isinstance(question, Evidence) else self.gather_evidence(
            question, k=k, use_rag=use_rag, filters=filters, thread=thread, user=user)
        if evidence.passages:
            from .verify import prepare  # the support check's tables load while the model writes

            threading.Thread(target=prepare, name="verifier-prepare", daemon=True).start()
        return AnswerStream(self, evidence, gen)

    def ask(self, question: str | Evidence, k: int = 5, use_rag: bool = True, gen: GenerationSettings | None = None,
            filters=None, thread: list[tuple[str, str]] | None = None, user: str | None = None) -> Answer:
        stream = self.stream(question, k=k, use_rag=use_rag, gen=gen, filters=filters, thread=thread, user=user)
        for _ in stream:
            pass
        assert stream.answer is not None  # set once the stream is exhausted
        return stream.answer

    def finish(self, evidence: Evidence, text: str, passages: list[Passage], quotes: list[Quote],
               gen: GenerationSettings, notices: list[Notice], timings: dict[str, float]) -> Answer:
        from .present import contradiction_notice
        from .verify import check_answer

        started = time.perf_counter()
        sentences = check_answer(text, passages, evidence.question, self.verifiers) if passages else []
        timings["support_check"] = time.perf_counter() - started
        if passages and sentences:
            alarm = contradiction_notice(sentences)
            if alarm:
                notices.insert(1 if notices and notices[0].kind == "emergency" else 0, Notice("contradicted", alarm))
            unchecked = sum(s.verdict == "not_found" for s in sentences)
            if unchecked == len(sentences):
                notices.append(Notice("support", "No sentence of this answer is stated by the retrieved passages. "
                                                 "Do not rely on it."))
            elif unchecked:
                notices.append(Notice("support", f"{unchecked} of {len(sentences)} sentences are not stated by any "
                                                 "retrieved passage (marked [not found in the passages])."))
            bad = sorted({n for s in sentences for n in s.invalid_citations})
            if bad:
                notices.append(Notice("support", f"The model cited source(s) {bad}, which do not exist; "
                                                 "those markers were ignored."))
        if not text:
            notices.append(Notice("support", "The model produced no answer."))
        answer = Answer(question=evidence.question, text=text, passages=passages, model_id=self.spec.id,
                        settings=gen, sentences=sentences, quotes=quotes, notices=notices, timings=timings,
                        used_rag=evidence.used_rag)
        if self.record_history:
            try:
                answer.history_id = self.history.record(answer.to_dict(), {"k": evidence.k, "rag": evidence.used_rag},
                                                        user=evidence.user)
            except UserError as exc:  # the checked answer is shown all the same, saying it was not saved
                answer.notices.append(Notice("history", f"{exc} The answer above was not saved."))
        return answer

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None
