"""Nothing clinical is lost at ingestion: every sentence of every indexed field is in some chunk.

The sentences are found by a deliberately crude split (at line breaks and at '.', '?' or '!' before
a space), independent of the chunker's own sentence splitter, so a chunker that drops, truncates or
cuts text shows up here. The only text allowed out is what the reviewed list in
medassist/retrieval/boilerplate.py matches; the test prints what that list removed.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from medassist.retrieval.chunking import CHUNK_CHARS, GRADED_CHUNK_CHARS, MIN_CHARS, chunk_document
from medassist.retrieval.documents import CLINICAL_SECTIONS
from medassist.retrieval.readers import read_file
from medassist.sentences import normalise

from . import docmaker
from .conftest import MIRROR


def crude_sentences(text: str) -> list[str]:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's target is not text (and holds full stops)
    lines = [line for line in text.splitlines() if not re.match(r"^\s*\|?\s*:?-{3,}", line)]  # table rules
    return [p for line in lines for p in re.split(r"(?<=[.!?])\s+", line) if len(normalise(p)) >= 3]


def uncovered(doc, sections=None) -> tuple[list[str], dict[str, list[str]], list]:
    """(pieces of indexed text in no chunk, what the boilerplate list removed, the chunks)."""
    removed: dict[str, list[str]] = {}
    chunks = chunk_document(doc, sections=sections, removed=removed)
    texts = [normalise(c.text) for c in chunks]
    pairs = [a + " " + b for a, b in itertools.pairwise(texts)]  # a sentence longer than a chunk spans two
    dropped = normalise(" ".join(t for items in removed.values() for t in items))
    lost = []
    for block in doc.blocks:
        if sections is not None and block.section not in sections:
            continue
        for piece in crude_sentences(block.text):
            n = normalise(piece)
            if not any(n in t for t in texts) and not any(n in t for t in pairs) and n not in dropped:
                lost.append(piece)
    return lost, removed, chunks


def test_every_clinical_sentence_of_the_starter_library_is_in_a_chunk(capsys):
    files = sorted(MIRROR.glob("*.xml"))
    assert len(files) == 115
    lost_all, removed_all, n_chunks, sizes = [], {}, 0, []
    headings = Counter()
    for f in files:
        doc = read_file(f)[0]
        lost, removed, chunks = uncovered(doc, CLINICAL_SECTIONS)
        lost_all += [(doc.id, p) for p in lost]
        for name, items in removed.items():
            removed_all.setdefault(name, []).extend((doc.id, t) for t in items)
        n_chunks += len(chunks)
        sizes += [len(c.text) for c in chunks]
        headings.update(t for c in chunks for t in [c.text.strip()] if re.fullmatch(r"\*\*[^*]+\*\*:?", t))
    with capsys.disabled():
        print(f"\n{n_chunks} chunks from 115 guidelines; what the reviewed boilerplate list removed:")
        for name, items in sorted(removed_all.items()):
            print(f"  {name}: {len(items)} in {len({d for d, _ in items})} guidelines, e.g. {items[0][1][:90]!r}")
    assert not lost_all, f"{len(lost_all)} pieces in no chunk, e.g. {lost_all[:5]}"
    assert not headings, f"heading-only chunks: {headings.most_common(3)}"
    assert max(sizes) <= GRADED_CHUNK_CHARS + 50
    # Fragments only where a whole section is that short (a one-line field), never cut from a longer one.
    assert sum(s < MIN_CHARS for s in sizes) / len(sizes) < 0.05


def test_the_opening_recommendations_are_indexed_whole_with_their_grade():
    doc = read_file(MIRROR / "ngc-10510.xml")[0]
    chunks = chunk_document(doc)
    statement = ("The USPSTF recommends 1-time screening for abdominal aortic aneurysm (AAA) with ultrasonography "
                 "in men aged 65 to 75 years who have ever smoked. (B recommendation)")
    hit = [c for c in chunks if normalise(statement) in normalise(c.text)]
    assert len(hit) == 1 and "B recommendation" in hit[0].grade
    assert "Summary of Recommendations and Evidence" in hit[0].section
    # No six-word fragment: the target population is indexed inside a passage that says more.
    population = next(c for c in chunks if "asymptomatic adults aged 50 years or older" in c.text.lower())
    assert len(population.text) >= MIN_CHARS
    # The grading legend is the only thing left out.
    assert not any("recommends the service" in c.text for c in chunks)


@pytest.mark.parametrize("maker", ["pdf", "docx", "html", "markdown", "text", "jsonl"])
def test_every_reader_keeps_every_sentence(tmp_path, maker):
    suffix = {"markdown": ".md", "text": ".txt"}.get(maker, f".{maker}")
    path = getattr(docmaker, maker)(tmp_path / f"doc{suffix}")
    for doc in read_file(path):
        lost, removed, chunks = uncovered(doc)
        assert chunks and not lost, (maker, lost[:3])
        assert not removed


def test_a_sentence_longer_than_a_chunk_is_cut_at_clauses_never_inside_a_word():
    from medassist.retrieval.documents import Block, Document

    clauses = [f"in patients with condition number {i} who also take medicine {i}" for i in range(40)]
    sentence = "Clinicians should reassess the dose " + ", ".join(clauses) + "."
    doc = Document("long", "Long sentence", ["Org"], "2020", 2020, [], [Block("Dosing", sentence)], format="markdown")
    chunks = chunk_document(doc)
    assert len(chunks) >= 3 and all(len(c.text) <= CHUNK_CHARS for c in chunks)
    words = set(re.findall(r"\w+", sentence))
    for c in chunks:
        assert set(re.findall(r"\w+", c.text)) <= words  # no word was cut in two
    assert normalise(" ".join(c.text for c in chunks)) == normalise(sentence)


def test_an_ngc_summary_without_clinical_text_indexes_nothing(tmp_path):
    from medassist.retrieval.documents import Block, Document

    doc = Document("ngc-empty", "Empty", ["Org"], "2010", 2010, [],
                   [Block("Major Recommendations", "None provided."), Block("Methods Used to Collect", "Searches.")])
    assert chunk_document(doc) == []
