"""Parse articles once, then run any number of rule sets on the parses: how a candidate rule is
tried on many articles without running spaCy again (the rules only read the parsed paragraphs)."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from .clean import Layout, layout
from .pipeline import Result, _collect, _paragraphs, rules_component
from .read import Article
from .rule_edit import Edit, apply_edit
from .rules import Rules, load_rules
from .spans import SPAN_COLUMNS


@dataclass
class ParsedArticle:
    article: Article
    layout: Layout
    paragraphs: list[tuple[int, Doc]] = field(default_factory=list)  # (offset in the text, parsed paragraph)


def parse_once(articles: Iterable[Article], nlp: Language) -> list[ParsedArticle]:
    """Lay out and parse each article's paragraphs with the pipeline's parser (its rules not run)."""
    component = rules_component(nlp)
    results = [Result(a, layout(a.text, component.rules)) for a in articles]
    parsed = {id(r): ParsedArticle(r.article, r.layout) for r in results}
    for doc, (result, offset) in nlp.pipe(_paragraphs(results), as_tuples=True, disable=component.not_parsing):
        parsed[id(result)].paragraphs.append((offset, doc))
    return list(parsed.values())


def spans_with(parsed: list[ParsedArticle], rules: Rules) -> pd.DataFrame:
    """The span records (markers.csv rows, media ids left out) the rules find in the parsed articles."""
    rows = []
    for item in parsed:
        result = Result(item.article, item.layout)
        for offset, doc in item.paragraphs:
            _collect(result, doc, offset, rules)
        rows += [s.as_row() for s in result.spans]
    return pd.DataFrame(rows, columns=SPAN_COLUMNS)


def rules_of(directory: Path | str, nlp: Language) -> Rules:
    """The rules of `directory`, with the pipeline's verb-form guesser (as the sourcing component sets it)."""
    rules = load_rules(directory)
    rules.verb_forms = rules_component(nlp).rules.verb_forms
    return rules


def edited_rules(directory: Path | str, edits: list[Edit], nlp: Language) -> Rules:
    """The rules of `directory` with `edits` made, compiled from a temporary copy."""
    with tempfile.TemporaryDirectory(prefix="rules-") as tmp:
        copy = Path(tmp) / "rules"
        shutil.copytree(directory, copy)
        for edit in edits:
            path = copy / edit.file
            path.write_text(apply_edit(path.read_text(encoding="utf-8"), edit), encoding="utf-8")
        return rules_of(copy, nlp)
