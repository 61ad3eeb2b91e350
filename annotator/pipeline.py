"""Annotate a stream of articles: lay out, parse paragraph by paragraph (in worker processes when
asked), collect the rules' matches as span records and profile each article. Memory stays flat:
an article leaves the pipeline as soon as its last paragraph is parsed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Union

from spacy.language import Language

from .clean import Layout, layout
from .nlp import parse_form
from .profile import build_profile
from .read import Article, BadInput, Item
from .rules import Rules
from .spans import Span

MAX_PARAGRAPH = 100_000


@dataclass
class Result:
    """One annotated article."""

    article: Article
    layout: Layout
    spans: list[Span] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    n_words: int = 0
    profile: dict = field(default_factory=dict)


Outcome = Union[Result, BadInput]


def annotate(items: Iterable[Item], nlp: Language, rules: Rules, *, workers: int = 1,
             batch_size: int = 64) -> Iterator[Outcome]:
    """Yield a `Result` per article (or its `BadInput`), in input order."""
    pending: dict[int, Result] = {}
    stream = nlp.pipe(_paragraphs(items, rules, pending), as_tuples=True, n_process=workers, batch_size=batch_size)
    for doc, (key, offset, last, bad) in stream:
        if bad is not None:
            yield bad
            continue
        result = pending[key]
        if doc.text:
            _collect(result, doc, offset)
        if last:
            del pending[key]
            yield _finish(result, rules)


def _paragraphs(items: Iterable[Item], rules: Rules, pending: dict[int, Result]):
    """(paragraph text, context) pairs; every article sends at least one (possibly empty) text."""
    for key, item in enumerate(items):
        if isinstance(item, BadInput):
            yield "", (key, 0, True, item)
            continue
        result = pending[key] = Result(item, layout(item.text, rules))
        pieces = [(s, e) for a, b in result.layout.paragraphs for s, e in _pieces(a, b)] or [(0, 0)]
        for n, (start, end) in enumerate(pieces):
            yield parse_form(item.text[start:end]), (key, start, n == len(pieces) - 1, None)


def _pieces(start: int, end: int):
    """Very long paragraphs are parsed in pieces (spaCy's max_length is 1,000,000 characters)."""
    while end - start > MAX_PARAGRAPH:
        yield start, start + MAX_PARAGRAPH
        start += MAX_PARAGRAPH
    yield start, end


def _collect(result: Result, doc, offset: int) -> None:
    text, doc_id = result.article.text, result.article.doc_id
    base = len(result.sentences)
    sents = [(offset + a, offset + b) for a, b in doc.user_data["sents"]]
    result.sentences.extend(sents)
    result.n_words += doc.user_data["words"]
    for start, end, label, rule, n, cue_start, cue_end in doc.user_data["matches"]:
        s, e = sents[n] if 0 <= n < len(sents) else (offset, offset + len(doc.text))
        result.spans.append(Span(doc_id, offset + start, offset + end, label, text[offset + start:offset + end],
                                 rule, base + n, text[s:e].strip(), offset + cue_start if cue_start >= 0 else -1,
                                 offset + cue_end if cue_end >= 0 else -1))


def _finish(result: Result, rules: Rules) -> Result:
    article = result.article
    result.profile = build_profile(article.doc_id, result.spans, result.sentences, result.n_words,
                                   result.layout.meta, rules)
    return result
