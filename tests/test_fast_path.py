"""`--fast` parses only the sentences its pre-filter flags: on the sample corpus, with the real model,
its spans still cut the article's exact text, the word counts are those of the full run, the
sentences tile each paragraph in order, and an article with no cue gets no parse at all."""
from __future__ import annotations

from pathlib import Path

import pytest

from annotator.nlp import load_pipeline
from annotator.pipeline import Result, annotate, rules_component
from annotator.read import Article
from annotator.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "sample"


@pytest.fixture(scope="module")
def runs() -> dict[bool, list[Result]]:
    """The sample corpus annotated in full and in fast mode."""
    rules = load_rules()
    articles = [Article(p.stem, p.read_bytes().decode("utf-8")) for p in sorted(SAMPLE.glob("*.txt"))]
    return {fast: list(annotate(articles, load_pipeline(rules, fast=fast), rules)) for fast in (False, True)}


def test_fast_spans_cut_the_exact_text_and_keep_the_word_counts(runs):
    for full, fast in zip(runs[False], runs[True]):
        assert fast.n_words == full.n_words
        text = fast.article.text
        for span in fast.spans:
            assert span.text == text[span.start:span.end]
            a, b = fast.sentences[span.sent]
            assert a <= span.start < b


def test_fast_sentences_follow_one_another(runs):
    for result in runs[True]:
        starts = [a for a, _ in result.sentences]
        assert starts == sorted(starts)
        assert all(a < b for a, b in result.sentences)


def test_sentences_without_a_trigger_are_not_parsed():
    rules = load_rules()
    nlp = load_pipeline(rules, fast=True)
    component = rules_component(nlp)
    text = "Le soleil brille sur la ville. Les enfants jouent dans le parc. Il a déclaré qu'il viendrait."
    doc = component.splitter(nlp.tokenizer(text))
    flags, quotes = component.triage.needs_parse(list(doc.sents), text)
    assert flags == [False, False, True]
    assert quotes == []
