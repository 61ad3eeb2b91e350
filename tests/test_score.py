"""`annotator score GOLD PRED`: an article marked twice, once as the gold and once as the rules'
output; the pull folder and the predictions of tests/data/report; the inputs it refuses."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.errors import EXIT_PIPE
from annotator.spans import SPAN_COLUMNS

from .conftest import ROOT, parse_marked, write_tasks

DATA = ROOT / "tests" / "data" / "report"
GOLD = ("[Selon|CUE] [l'AFP|SOURCE_MEDIA>Selon], le maire [aurait démissionné|HEDGE_CONDITIONAL] hier. "
        "[Des proches|SOURCE_ANONYMOUS>ont confirmé] [ont confirmé|CUE] : « [=SOMME(A1)|QUOTE] ».\n")
PRED = ("[Selon|CUE] [l'AFP|SOURCE_MEDIA>Selon], le [maire|SOURCE_NAMED] aurait démissionné hier. "
        "[Des proches|SOURCE_VAGUE>ont confirmé] [ont confirmé|CUE] : « =SOMME(A1) ».\n")
# (tp, predicted, gold) per label printed by ../shared/tools/score_spans.py for the sample gold and the
# predictions of tests/data/report/annotate (also in tests/test_report.py)
SCORER = {"SOURCE_NAMED": (39, 47, 71), "SOURCE_ANONYMOUS": (21, 31, 34), "SOURCE_DOCUMENT": (11, 11, 20),
          "SOURCE_MEDIA": (17, 18, 31), "SOURCE_VAGUE": (10, 15, 16), "CUE": (134, 141, 168),
          "HEDGE_CONDITIONAL": (40, 46, 41), "HEDGE_MODAL": (45, 45, 45), "QUOTE": (67, 69, 72),
          "micro (all labels)": (384, 423, 498)}


def score(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["score", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def run(tmp_path) -> tuple[Path, Path]:
    """(gold.jsonl, annotate folder) for the article marked as GOLD and as PRED."""
    gold, pred = parse_marked("d1", GOLD), parse_marked("d1", PRED)
    assert gold.text == pred.text
    folder = write_tasks(tmp_path / "out", [pred.task()])
    with open(folder / "markers.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SPAN_COLUMNS)
        writer.writerows([getattr(s, c) for c in SPAN_COLUMNS] for s in pred.spans)
    spans = [{"label": s.label, "start": s.start, "end": s.end} for s in gold.spans]
    (tmp_path / "gold.jsonl").write_text(json.dumps({"doc_id": "d1", "spans": spans}) + "\n", encoding="utf-8")
    return tmp_path / "gold.jsonl", folder


def test_scores_per_label_group_and_micro(run, capsys):
    code, out, _ = score(capsys, *run, "--json")
    table = json.loads(out)
    assert code == 0
    assert {k: (v["tp"], v["predicted"], v["gold"]) for k, v in table.items() if v["gold"] or v["predicted"]} == {
        "SOURCE_NAMED": (0, 1, 0), "SOURCE_ANONYMOUS": (0, 0, 1), "SOURCE_MEDIA": (1, 1, 1), "SOURCE_VAGUE": (0, 1, 0),
        "CUE": (2, 2, 2), "HEDGE_CONDITIONAL": (0, 0, 1), "QUOTE": (0, 0, 1), "SOURCE (any type)": (2, 3, 2),
        "HEDGE (any type)": (0, 0, 1), "micro (all labels)": (3, 5, 6)}
    assert table["micro (all labels)"]["edits_per_doc"] == 5.0
    assert table["micro (all labels)"]["precision"] == 0.6


def test_diff_lists_misses_and_wrong_spans_safe_for_spreadsheets(run, capsys, tmp_path):
    assert score(capsys, *run, "--diff", tmp_path / "diff.csv")[0] == 0
    rows = list(csv.DictReader((tmp_path / "diff.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["kind"], r["label"], r["text"], r["rule"], r["other_side"]) for r in rows] == [
        ("wrong", "SOURCE_NAMED", "maire", "test.source_named", ""),
        ("missed", "HEDGE_CONDITIONAL", "aurait démissionné", "", ""),
        ("missed", "SOURCE_ANONYMOUS", "Des proches", "", "SOURCE_VAGUE"),  # relabelled: a miss...
        ("wrong", "SOURCE_VAGUE", "Des proches", "test.source_vague", "SOURCE_ANONYMOUS"),  # ...and a wrong span
        ("missed", "QUOTE", "'=SOMME(A1)", "", ""),  # a formula is written as text
    ]
    assert rows[1]["sentence"] == "Selon l'AFP, le maire aurait démissionné hier."
    assert rows[4]["sentence"].startswith("Des proches ont confirmé")


def test_by_rule_gives_each_rules_precision(run, capsys):
    table = json.loads(score(capsys, *run, "--json", "--by-rule")[1])["by_rule"]
    assert {r["rule"]: (r["predicted"], r["tp"], r["precision"]) for r in table} == {
        "test.cue": (2, 2, 1.0), "test.source_media": (1, 1, 1.0), "test.source_named": (1, 0, 0.0),
        "test.source_vague": (1, 0, 0.0)}


def test_table_on_the_sample_gold_has_the_shared_scorers_counts(capsys):
    code, out, _ = score(capsys, ROOT / "corpus" / "sample_gold.jsonl", DATA / "annotate" / "markers.csv", "--json")
    table = json.loads(out)
    assert code == 0
    assert {k: (table[k]["tp"], table[k]["predicted"], table[k]["gold"]) for k in SCORER} == SCORER
    assert round(table["micro (all labels)"]["f1"], 3) == 0.834


def test_a_reader_that_stops_reading_is_no_error(run):
    """`annotator score … | head`: the output's reader is gone before the first line (its pipe closed)."""
    gold, folder = run
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "annotator", "score", str(gold), str(folder), "--json"],
                              stdout=write, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    finally:
        os.close(write)
    assert done.returncode == EXIT_PIPE and done.stderr == "", done.stderr


def test_pull_folder_as_gold_gives_the_rule_quality_figures(capsys):
    """tests/data/report/corrections: 93 predicted, 95 corrected, 87 matched (tests/test_report.py)."""
    code, out, _ = score(capsys, DATA / "corrections", DATA / "annotate")
    assert code == 0
    micro = next(line for line in out.splitlines() if line.startswith("micro"))
    assert micro.split()[-3:] == ["95", "93", "87"]
    assert "analyst edits per article" in out


@pytest.mark.parametrize("line, message", [
    ('{"doc_id": "d1", "spans": [}', "gold.jsonl:2: not a JSON line"),
    ('{"doc_id": "d1", "spans": [{"label": "RUMOUR", "start": 0, "end": 5}]}', "gold.jsonl:2: unknown label 'RUMOUR'"),
    ('{"doc_id": "d1", "spans": [{"label": "CUE", "start": 0, "end": 500}]}',
     "gold.jsonl:2: span CUE 0-500 is outside the text of d1"),
    ('{"doc_id": "d1", "spans": [{"label": "CUE", "text": "démenti"}]}', "not found in the text of d1"),
    ('{"id": "d1"}', 'gold.jsonl:2: expected {"doc_id"'),
])
def test_bad_gold_is_one_line_and_exit_code_2(run, capsys, line, message):
    gold, pred = run
    gold.write_text('{"doc_id": "d0", "spans": []}\n' + line + "\n", encoding="utf-8")
    code, out, err = score(capsys, gold, pred)
    assert code == 2 and not out
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_missing_files_and_unknown_predicted_labels_are_refused(run, capsys, tmp_path):
    gold, pred = run
    assert score(capsys, tmp_path / "none.jsonl", pred)[::2] == (2, f"annotator: GOLD {tmp_path}/none.jsonl: no such "
                                                                   "file or folder\n")
    assert score(capsys, gold, tmp_path)[0] == 2  # a folder without markers.csv
    markers = (pred / "markers.csv").read_text(encoding="utf-8").replace("SOURCE_VAGUE", "SOURCE_FOGGY")
    (pred / "markers.csv").write_text(markers, encoding="utf-8")
    code, _, err = score(capsys, gold, pred)
    assert code == 2 and "unknown label 'SOURCE_FOGGY' in d1" in err


def test_gold_spans_given_by_text_are_found_in_the_texts(run, capsys):
    gold, pred = run
    gold.write_text(json.dumps({"doc_id": "d1", "spans": [{"label": "CUE", "text": "ont confirmé", "occurrence": 1},
                                                           {"label": "CUE", "text": "Selon"}]}) + "\n", encoding="utf-8")
    table = json.loads(score(capsys, gold, pred, "--json")[1])
    assert (table["CUE"]["tp"], table["CUE"]["gold"]) == (2, 2)
    code, _, err = score(capsys, gold, pred / "markers.csv")  # no tasks.json: the text is unknown
    assert code == 2 and "pass --texts DIR" in err


def test_texts_folder_gives_the_sentences_of_misses_without_tasks(run, capsys, tmp_path):
    gold, pred = run
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "d1.txt").write_text(parse_marked("d1", GOLD).text, encoding="utf-8", newline="")
    assert score(capsys, gold, pred / "markers.csv", "--texts", tmp_path / "texts", "--diff", tmp_path / "d.csv")[0] == 0
    rows = list(csv.DictReader((tmp_path / "d.csv").read_text(encoding="utf-8-sig").splitlines()))
    missed = {r["label"]: r for r in rows if r["kind"] == "missed"}
    assert missed["HEDGE_CONDITIONAL"]["text"] == "aurait démissionné"
    assert missed["HEDGE_CONDITIONAL"]["sentence"] == "Selon l'AFP, le maire aurait démissionné hier."
