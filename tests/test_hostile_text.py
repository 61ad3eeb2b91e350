"""Hostile text never raises, and every span is a valid range of the text as read
(property tests with hypothesis, plus the nastiest cases written out)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from annotator.nlp import load_pipeline
from annotator.pipeline import annotate
from annotator.read import Article
from annotator.rules import load_rules

RULES = load_rules()
NLP = load_pipeline(RULES)

HOSTILE = {
    "one long sentence": "Selon des sources, le maire aurait dit " + "que la ville irait bien, " * 800 + "voilà.",
    "unbalanced and nested quotes": "« Il a dit “non » puis « oui », a-t-il ajouté » » “ « fin",
    "only quotes and punctuation": "« » “ ” \" \" ... !!! ??? — « ».",
    "cyrillic and french": "Selon Интерфакс, le Kremlin aurait démenti. « Это неправда », a déclaré Песков.",
    "zero-width and controls": "Selon\u200b l'AFP,\u200d le maire\u0007 aurait\u00ad démissionné\u202e hier.",
    "crlf and lone cr": "Selon Reuters,\r\nle ministre aurait menti.\rIl pourrait partir.\r\n",
    "emoji": "🔴 Selon 📢 l'AFP, le maire 🇫🇷 aurait démissionné 😱.",
}


def check(text: str) -> None:
    (result,) = annotate([Article("t", text)], NLP, RULES)
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start:span.end] == span.text
        assert span.cue_start < 0 or text[span.cue_start:span.cue_end]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text(name):
    check(HOSTILE[name])


PIECES = st.sampled_from(["Selon", "l'AFP", "«", "»", "“", "”", '"', ",", ".", "\r\n", "\r", "\n", "aurait",
                          "déclaré", "a-t-il", "pourrait", "🇫🇷", "\u200b", "de source", "citant", "Le ministre",
                          "qu'il", "serait", " ", "Si", "—", "(", ")", ":", "on", "Pour"])
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=60).map(" ".join),
                  st.lists(PIECES, max_size=60).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_gives_valid_spans(text):
    check(text)
