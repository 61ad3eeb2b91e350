"""The Python API, for notebooks and other programs: the same annotation as `annotate`, in memory.

    >>> import annotator
    >>> result = annotator.annotate_text("Selon l'AFP, le ministre aurait démissionné.")
    >>> markers, profiles = annotator.annotate_frame(df)          # columns id, text

The spaCy pipeline is loaded once per (rules folder, fast, model) and kept for the next calls.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

import pandas as pd
from spacy.language import Language

from .component import DOC_ID
from .nlp import MODEL, load_pipeline
from .pipeline import Result, annotate
from .profile import PROFILE_COLUMNS
from .read import DEFAULT_MAX_BYTES, Article, BadInput, _checked
from .rules import Rules, load_rules
from .spans import SPAN_COLUMNS


def annotate_text(text: str, doc_id: str | None = None, *, rules_dir: str | None = None, fast: bool = False,
                  model: str = MODEL) -> Result:
    """One article's spans (`result.spans`, the records of markers.csv) and sourcing profile (`result.profile`,
    its profiles.csv row; doc_id "doc" when none is given). Every offset is a `str` index into `text`."""
    rules, nlp = _pipeline(rules_dir, fast, model)
    (result,) = annotate([Article(doc_id or DOC_ID, text)], nlp, rules)
    if isinstance(result, BadInput):  # the rules failed on this text
        raise RuntimeError(result.reason)
    return result


def annotate_frame(df: pd.DataFrame, id_col: str = "id", text_col: str = "text", *, rules_dir: str | None = None,
                   fast: bool = False, model: str = MODEL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(markers, profiles): the rows `annotate` writes to markers.csv and profiles.csv for the articles of
    `df`, in its order. Rows `annotate` would refuse (no text, a doc_id seen before, NUL bytes) are
    left out with a warning naming them."""
    rules, nlp = _pipeline(rules_dir, fast, model)
    seen: dict[str, str] = {}
    items = (_item(row_id, text, seen) for row_id, text in zip(df[id_col], df[text_col]))
    markers, profiles, refused = [], [], []
    for outcome in annotate(items, nlp, rules):
        if isinstance(outcome, BadInput):
            refused.append(f"{outcome.doc_id}: {outcome.reason}")
            continue
        markers += [s.as_row() for s in outcome.spans]
        profiles.append(outcome.profile)
    if refused:
        warnings.warn(f"{len(refused)} rows not annotated: " + "; ".join(refused), stacklevel=2)
    return pd.DataFrame(markers, columns=SPAN_COLUMNS), pd.DataFrame(profiles, columns=PROFILE_COLUMNS)


def _item(row_id, text, seen: dict[str, str]) -> Article | BadInput:
    doc_id = str(row_id)
    if not isinstance(text, str):
        return BadInput(doc_id, doc_id, f"no text ({type(text).__name__})")
    return _checked(Article(doc_id, text), seen, DEFAULT_MAX_BYTES)


@lru_cache(maxsize=2)
def _pipeline(rules_dir: str | None, fast: bool, model: str) -> tuple[Rules, Language]:
    rules = load_rules(rules_dir)
    return rules, load_pipeline(rules, fast=fast, model=model)
