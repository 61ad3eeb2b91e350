"""Accepting a candidate rule: its edit made to the right rule file, with the analysts' sentence as
the example, kept only when the rules still load (`rules check`), the word was not listed yet, and
no example that passed before fails now (`rules test`)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.tokens import Doc

from .candidates import edit_of, verb_groups_listing
from .matcher import match_paragraph
from .nlp import parse_form
from .pipeline import rules_component
from .replay import rules_of
from .rule_edit import Edit, EditError, apply_edit
from .rules import RuleError, Rules, fold


@dataclass(frozen=True)
class Accepted:
    """What became of one candidate: applied (with the diff of its file) or refused, and why."""

    id: str
    applied: bool
    message: str
    diff: str = ""


class ExampleRunner:
    """`rules test` with one loaded parser: each example sentence is parsed once, then matched with any rules."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.disable = rules_component(nlp).not_parsing
        self.docs: dict[str, Doc] = {}

    def failures(self, rules: Rules) -> set[str]:
        """One line per example that fails, without its line number (which an edit above it shifts)."""
        new = [e.text for e in rules.examples if e.text not in self.docs]
        for text, doc in zip(new, self.nlp.pipe((parse_form(t) for t in new), disable=self.disable)):
            self.docs[text] = doc
        failed = set()
        for example in rules.examples:
            fired = {m.rule for m in match_paragraph(self.docs[example.text], rules)}
            hit = any(r == example.rule or r.startswith(example.rule + ".") for r in fired)
            if hit != example.should_match:
                expected = "should fire" if example.should_match else "should not fire"
                failed.add(f"rules/{example.file}: rule {example.rule} {expected} on {example.text!r}")
        return failed


def accept(row: dict, rules_dir: Path, runner: ExampleRunner) -> Accepted:
    """Apply the candidate of a candidates.csv row to `rules_dir`, or leave the files as they were."""
    cid = str(row["id"])
    edit = edit_of(row)
    if edit is None:
        return Accepted(cid, False, f"no rule to add: {row['why_missed']}")
    path = rules_dir / edit.file
    old = path.read_text(encoding="utf-8")
    rules = rules_of(rules_dir, runner.nlp)
    listed = duplicate(edit, rules)
    if listed:
        return Accepted(cid, False, f"duplicate: {listed}")
    try:
        new = apply_edit(old, edit)
    except EditError as exc:
        return Accepted(cid, False, f"rules/{edit.file}: {exc}")
    before = runner.failures(rules)
    path.write_text(new, encoding="utf-8")
    try:
        broken = sorted(runner.failures(rules_of(rules_dir, runner.nlp)) - before)
    except RuleError as exc:
        path.write_text(old, encoding="utf-8")
        return Accepted(cid, False, "rules check failed: " + "; ".join(exc.problems))
    if broken:
        path.write_text(old, encoding="utf-8")
        return Accepted(cid, False, "rules test failed, the change breaks an example: " + "; ".join(broken))
    diff = "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/rules/{edit.file}", f"b/rules/{edit.file}"))
    return Accepted(cid, True, "applied; rules check and rules test pass", diff)


def duplicate(edit: Edit, rules: Rules) -> str:
    """Where the rules already hold what `edit` adds ("" when they do not)."""
    value = fold(edit.value)
    if edit.file == "verbs.yml":
        groups = verb_groups_listing(edit.value, rules)
        return f"{edit.value} is already in {groups[0]}" if groups else ""
    if edit.file == "sources.yml":
        return f"{edit.value} is already in {edit.target}" if value in rules.source_words.get(edit.target, ()) else ""
    if edit.file == "hedges.yml":
        rule = rules.modal_lemmas.get(value) or rules.modal_words.get(value)
        return f"{edit.value} is already in {rule}" if rule else ""
    (item,) = yaml.safe_load(edit.value)
    if edit.file == "media.yml":
        return f"{item['name']} is already in the outlet registry" if fold(item["name"]) in rules.media else ""
    if edit.file == "cues.yml":
        known = [c.id for c in rules.cues for p in item["phrases"] if c.pattern.fullmatch(fold(p))]
        return f"{item['phrases'][0]} is already a cue ({known[0]})" if known else ""
    return ""
