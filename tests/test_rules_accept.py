"""`annotator rules accept`: a candidate of a report's candidates.csv written into a copy of the rules,
checked and tested; a duplicate and a change that breaks an example are refused and leave the files
as they were. The sentences are invented for these tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from annotator.candidates import CANDIDATE_COLUMNS
from annotator.cli import main as annotator_main
from annotator.reporting import write_csv
from annotator.rule_edit import Edit, apply_edit
from annotator.rules import DEFAULT_RULES_DIR, load_rules

CANDIDATES = [
    {"id": "cue.bredouiller", "label": "CUE", "rule_file": "verbs.yml", "target": "verb.say", "field": "lemmas",
     "value": "bredouiller", "example": "Le gardien a bredouillé que la grille resterait fermée.",
     "recommended": True},
    {"id": "cue.declarer", "label": "CUE", "rule_file": "verbs.yml", "target": "verb.say", "field": "lemmas",
     "value": "déclarer", "example": "Le gardien a déclaré que la grille resterait fermée.", "recommended": False},
    {"id": "source_media.direction", "label": "SOURCE_MEDIA", "rule_file": "sources.yml", "target": "media_heads",
     "field": "words", "value": "direction", "example": "Selon la direction, la piscine rouvrira lundi.",
     "recommended": False},
    {"id": "source_named.x", "label": "SOURCE_NAMED", "why_missed": "no cue was found", "recommended": False},
]


@pytest.fixture()
def report(tmp_path) -> Path:
    folder = tmp_path / "report"
    folder.mkdir()
    table = pd.DataFrame(CANDIDATES).reindex(columns=[*CANDIDATE_COLUMNS, "recommended"]).astype(object).fillna("")
    write_csv(table, folder / "candidates.csv")
    return folder


@pytest.fixture()
def rules(tmp_path) -> Path:
    return Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))


def accept(report: Path, rules: Path, *args: str) -> int:
    return annotator_main(["rules", "accept", *args, "--report", str(report), "--rules", str(rules)])


def test_a_clean_candidate_is_written_with_its_example_and_its_diff_printed(report, rules, capsys):
    before = (rules / "verbs.yml").read_text(encoding="utf-8")
    assert accept(report, rules, "cue.bredouiller") == 0
    out = capsys.readouterr().out
    assert "+++ b/rules/verbs.yml" in out and "bredouiller" in out and "rules check and rules test pass" in out
    after = (rules / "verbs.yml").read_text(encoding="utf-8")
    assert [line for line in after.splitlines() if line.startswith("#")] == \
           [line for line in before.splitlines() if line.startswith("#")]
    loaded = load_rules(rules)
    assert loaded.verbs["bredouiller"][0].group == "verb.say"
    assert any(e.text == CANDIDATES[0]["example"] and e.rule == "verb.say" for e in loaded.examples)
    assert annotator_main(["rules", "test", "--rules", str(rules)]) == 0


def test_a_duplicate_is_refused(report, rules, capsys):
    before = (rules / "verbs.yml").read_bytes()
    assert accept(report, rules, "cue.declarer") == 1
    assert "duplicate: déclarer is already in verb.say" in capsys.readouterr().err
    assert (rules / "verbs.yml").read_bytes() == before


def test_a_change_that_breaks_an_example_is_refused(report, rules, capsys):
    before = (rules / "sources.yml").read_bytes()
    assert accept(report, rules, "source_media.direction") == 1
    err = capsys.readouterr().err
    assert "breaks an example" in err and "source.media_head should not fire" in err
    assert (rules / "sources.yml").read_bytes() == before


def test_recommended_applies_only_the_recommended_ones(report, rules, capsys):
    assert accept(report, rules, "--recommended") == 0
    assert "cue.bredouiller: applied" in capsys.readouterr().out
    assert "bredouiller" in (rules / "verbs.yml").read_text(encoding="utf-8")
    assert "direction" not in load_rules(rules).source_words["media_heads"]


def test_a_note_without_an_edit_and_an_unknown_id_are_refused(report, rules, capsys):
    assert accept(report, rules, "source_named.x") == 1
    assert "no rule to add: no cue was found" in capsys.readouterr().err
    assert accept(report, rules, "nope") == 2


TEXT = """\
# a comment that stays
groups:
  - id: g.one
    # its own comment
    lemmas: [aaa, bbb]
  - id: g.two
    lemmas: [ccc, "d'e"]
    examples:
      match: ["Un."]
      no_match: ["Deux."]
other:
  id: o
  words: [x]
"""


def test_edits_extend_the_right_list_and_keep_the_comments():
    one = apply_edit(TEXT, Edit("f.yml", "g.one", "lemmas", "zzz", "Trois « quatre »."))
    assert "    lemmas: [aaa, bbb, zzz]\n    examples:\n      match: [\"Trois « quatre ».\"]\n  - id: g.two" in one
    two = apply_edit(TEXT, Edit("f.yml", "g.two", "lemmas", "yes", "Cinq."))
    assert '    lemmas: [ccc, "d\'e", "yes"]' in two and '      match: ["Un.", "Cinq."]\n      no_match: ["Deux."]' in two
    three = apply_edit(TEXT, Edit("f.yml", "other", "words", "y" * 120))
    assert three.endswith("  words: [x,\n          " + "y" * 120 + "]\n")
    assert all(line in three for line in ("# a comment that stays", "    # its own comment"))
