"""Annotate a stream of articles: lay out, parse paragraph by paragraph, collect the rules' matches
as span records and profile each article.

Articles travel in chunks of a few parser batches. With several workers, each chunk is annotated
in a forked process that inherits the loaded model and rules, and only the finished results come
back (no spaCy `Doc` crosses a process boundary). Memory stays flat: a bounded number of chunks is
in flight, each chunk is parsed in a spaCy memory zone once the vocabulary holds the frequent words
(a chunk's new words leave it with the chunk), and each worker process is replaced after a while."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, ContextManager, Iterable, Iterator, Union

from spacy.language import Language
from spacy.tokens import Doc

from .clean import Layout, layout
from .headlines import readable_meta
from .matcher import match_paragraph
from .nlp import parse_form
from .outlets import Registry, registry_of, with_media_ids
from .profile import build_profile
from .read import Article, BadInput, Item
from .rules import Rules
from .spans import Span
from .stretches import Stretch, stretches

if TYPE_CHECKING:
    from .component import SourcingRules

MAX_PARAGRAPH = 100_000
MAX_FAILURE = 200          # characters of a rule failure's message in its error row
BATCH_SIZE = 64            # paragraphs per parser batch
BATCH_CHARS = 25_000       # and at most about this many characters: a batch's parse is a process's peak memory
BATCHES_PER_CHUNK = 4      # parser batches of paragraphs in a chunk of articles
CHUNKS_PER_WORKER = 2      # chunks in flight per worker: one being annotated, one waiting
CHUNKS_PER_PROCESS = 200   # a worker process is replaced after this many chunks
KEPT_WORDS = 20_000        # words a process keeps in its vocabulary for good: those of its first articles


@dataclass
class Result:
    """One annotated article."""

    article: Article
    layout: Layout
    spans: list[Span] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    n_words: int = 0
    profile: dict = field(default_factory=dict)
    failure: str = ""  # why the rules could not annotate it (a defect in them), when they could not


Outcome = Union[Result, BadInput]
_worker: tuple[Language, Rules, int] | None = None  # (nlp, rules, batch_size) in a worker process


def annotate(items: Iterable[Item], nlp: Language, rules: Rules, *, workers: int = 1,
             batch_size: int = BATCH_SIZE) -> Iterator[Outcome]:
    """Yield a `Result` per article (or its `BadInput`), in input order."""
    chunks = _chunks(items, rules, batch_size * BATCHES_PER_CHUNK)
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        for chunk in chunks:
            yield from _annotate_chunk(chunk, nlp, rules, batch_size)
        return
    yield from _in_workers(chunks, workers, (nlp, rules, batch_size))


def _chunks(items: Iterable[Item], rules: Rules, size: int) -> Iterator[list[Outcome]]:
    """Consecutive articles, laid out, in chunks of about `size` paragraphs."""
    chunk: list[Outcome] = []
    n = 0
    for item in items:
        outcome = item if isinstance(item, BadInput) else Result(item, layout(item.text, rules))
        chunk.append(outcome)
        n += max(1, len(outcome.layout.paragraphs)) if isinstance(outcome, Result) else 1
        if n >= size:
            yield chunk
            chunk, n = [], 0
    if chunk:
        yield chunk


def _in_workers(chunks: Iterator[list[Outcome]], workers: int,
                work: tuple[Language, Rules, int]) -> Iterator[Outcome]:
    """Annotate the chunks in forked worker processes; yield their results in input order."""
    context = mp.get_context("fork")
    with context.Pool(workers, _start_worker, (*work, os.getpid()), maxtasksperchild=CHUNKS_PER_PROCESS) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_annotate_in_worker, (chunk,)))
            if len(pending) >= workers * CHUNKS_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _start_worker(nlp: Language, rules: Rules, batch_size: int, parent: int) -> None:
    """Signals are the parent's to handle: Ctrl-C reaches the whole process group and the parent
    stops the pool, whose terminate() must then kill each worker outright (a SIGTERM handler
    inherited from the parent would run Python code in the worker instead, and can hang it).
    A worker dies with its parent, even one killed by SIGKILL that could stop no one."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)
    _worker = (nlp, rules, batch_size)


def _die_with(parent: int) -> None:
    """Exit when `parent` dies: a thread checks every second that it is still this process's parent.
    (Not Linux's PR_SET_PDEATHSIG: it fires when the parent *thread* ends, and the pool forks the
    workers that replace old ones from a thread that ends when the pool closes, so the kernel killed
    them while one held the pool's task-queue lock, and the run hung at its end.)"""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _annotate_in_worker(chunk: list[Outcome]) -> list[Outcome]:
    return _annotate_chunk(chunk, *_worker)


def _annotate_chunk(chunk: list[Outcome], nlp: Language, rules: Rules, batch_size: int) -> list[Outcome]:
    """Parse the paragraphs of a chunk of laid-out articles, then collect and profile each article."""
    results = [r for r in chunk if isinstance(r, Result)]
    component = rules_component(nlp)
    with _memory_zone(nlp):
        if component.fast:
            _parse_flagged(results, nlp, component, batch_size)
        else:
            for doc, (result, offset) in _parsed(nlp, _paragraphs(results), batch_size, component.not_parsing):
                _count_words(result, doc)
                _guarded(result, _collect, doc, offset, component.rules)
    registry = registry_of(rules)
    for result in results:
        _guarded(result, _profile, registry, rules)
    return [BadInput(r.article.doc_id, r.article.where, r.failure) if isinstance(r, Result) and r.failure else r
            for r in chunk]


def _memory_zone(nlp: Language) -> ContextManager:
    """Once the vocabulary holds the frequent words (those of a process's first articles), a chunk's
    new words leave it when the chunk's parses are done (only plain span records outlive them), so
    memory stays flat however many articles a process reads, and the frequent words are not looked
    up afresh in every chunk. Inside a caller's own zone (`nlp(text)` there), zones cannot nest."""
    return nullcontext() if nlp.vocab.in_memory_zone or len(nlp.vocab) < KEPT_WORDS else nlp.memory_zone()


def _profile(result: Result, registry: Registry, rules: Rules) -> None:
    result.spans = with_media_ids(result.spans, registry)
    result.profile = build_profile(result.article.doc_id, result.spans, result.sentences, result.n_words,
                                   readable_meta(result.layout.meta, result.article.text), rules, result.article.url)


def _guarded(result: Result, step: Callable[..., None], *args: object) -> None:
    """Run one step of an article's annotation; a rule that fails on it makes that article an error
    row (`failure`), never the end of the batch."""
    if result.failure:
        return
    try:
        step(result, *args)
    except Exception as exc:  # whatever a rule's defect raises on one text
        detail = " ".join(str(exc).split())[:MAX_FAILURE]
        result.failure = (f"the rules failed on this article ({type(exc).__name__}: {detail}); the other articles "
                          "are annotated: please report it with this row")


def _paragraphs(results: list[Result]) -> Iterator[tuple[str, tuple[Result, int]]]:
    """(paragraph text as parsed, (its article, its offset)) pairs."""
    for result in results:
        text = result.article.text
        for start, end in (piece for a, b in result.layout.paragraphs for piece in _pieces(a, b)):
            yield parse_form(text[start:end]), (result, start)


def _parsed(nlp: Language, pairs: Iterable[tuple[str, object]], batch_size: int,
            disable: list[str]) -> Iterator[tuple[Doc, object]]:
    """`nlp.pipe(pairs, as_tuples=True)` in batches of `batch_size` texts and at most about
    `BATCH_CHARS` characters: a batch of long paragraphs held the parser's largest arrays, which
    set a process's peak memory on real news."""
    batch: list[tuple[str, object]] = []
    chars = 0
    for pair in pairs:
        if batch and (len(batch) == batch_size or chars + len(pair[0]) > BATCH_CHARS):
            yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch), disable=disable)
            batch, chars = [], 0
        batch.append(pair)
        chars += len(pair[0])
    if batch:
        yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch), disable=disable)


def _pieces(start: int, end: int) -> Iterator[tuple[int, int]]:
    """Very long paragraphs are parsed in pieces (spaCy's max_length is 1,000,000 characters)."""
    while end - start > MAX_PARAGRAPH:
        yield start, start + MAX_PARAGRAPH
        start += MAX_PARAGRAPH
    yield start, end


def rules_component(nlp: Language) -> SourcingRules:
    """The pipeline's `sourcing_rules` component (whatever its name): its rules and the components its
    paragraph parses leave out."""
    for name in nlp.component_names:
        if nlp.get_pipe_meta(name).factory == "sourcing_rules":
            return nlp.get_pipe(name)
    raise ValueError("the pipeline has no sourcing_rules component")


def _parse_flagged(results: list[Result], nlp: Language, component: SourcingRules, batch_size: int) -> None:
    """`--fast`: tokenize and segment every paragraph, then parse and match only the stretches of
    sentences the pre-filter flags; the others add their sentences and words, and nothing else."""
    paragraphs = list(_paragraphs(results))
    docs = component.splitter.pipe(nlp.tokenizer.pipe(text for text, _ in paragraphs), batch_size=batch_size)
    cut: list[tuple[Result, Stretch]] = []
    for doc, (_, (result, offset)) in zip(docs, paragraphs):
        _count_words(result, doc)
        cut.extend((result, stretch) for stretch in stretches(doc, offset, component.triage))
    flagged = ((parse_form(result.article.text[s.start:s.end]), s.start) for result, s in cut if s.parse)
    parsed = _parsed(nlp, flagged, batch_size, component.not_parsing)
    for result, stretch in cut:
        if stretch.parse:
            doc, offset = next(parsed)
            _guarded(result, _collect, doc, offset, component.rules)
        else:
            _guarded(result, _add_quotes, stretch, component.rules.quotes["id"])


def _add_quotes(result: Result, stretch: Stretch, rule: str) -> None:
    """An unparsed stretch's sentences, and its quotations as QUOTE span records."""
    text, base = result.article.text, len(result.sentences)
    result.sentences.extend(stretch.sentences)
    for start, end in stretch.quotes:
        n = max(n for n, (a, _) in enumerate(stretch.sentences) if a <= start)
        a, b = stretch.sentences[n]
        result.spans.append(Span(result.article.doc_id, start, end, "QUOTE", text[start:end], rule, base + n,
                                 text[a:b].strip()))


def _count_words(result: Result, doc: Doc) -> None:
    result.n_words += sum(1 for t in doc if t.is_alpha or t.like_num)


def _collect(result: Result, doc: Doc, offset: int, rules: Rules) -> None:
    """Add one parsed paragraph's (or stretch's) sentences and spans (as span records) to its article."""
    text, doc_id = result.article.text, result.article.doc_id
    base = len(result.sentences)
    # len(doc), not doc.text: spaCy rebuilds doc.text from a Token object per token at each call
    sents = [(offset + s.start_char, offset + s.end_char) for s in doc.sents] if len(doc) else []
    result.sentences.extend(sents)
    for start, end, label, rule, n, cue_start, cue_end in match_paragraph(doc, rules) if len(doc) else []:
        s, e = sents[n] if 0 <= n < len(sents) else (offset, offset + len(doc.text))
        result.spans.append(Span(doc_id, offset + start, offset + end, label, text[offset + start:offset + end],
                                 rule, base + n, text[s:e].strip(), offset + cue_start if cue_start >= 0 else -1,
                                 offset + cue_end if cue_end >= 0 else -1))
