"""`annotator annotate` end to end on the bundled sample corpus and other input forms."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.profile import PROFILE_COLUMNS
from annotator.rules import load_rules
from annotator.spans import LABELS, SPAN_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "sample"


def annotator(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annotator", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, encoding="utf-8")


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    done = annotator("annotate", str(SAMPLE), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_outputs_have_the_documented_columns(sample_run):
    markers, profiles = rows(sample_run / "markers.csv"), rows(sample_run / "profiles.csv")
    assert list(markers[0]) == SPAN_COLUMNS and list(profiles[0]) == PROFILE_COLUMNS
    assert {p["doc_id"] for p in profiles} == {p.stem for p in SAMPLE.glob("*.txt")}
    assert {m["label"] for m in markers} == set(LABELS)
    assert all(0 <= float(p["transparency_score"]) <= 100 for p in profiles)


def test_every_offset_points_into_the_text_as_read(sample_run):
    texts = {p.stem: p.read_bytes().decode("utf-8") for p in SAMPLE.glob("*.txt")}
    assert any("\r\n" in t for t in texts.values())
    for m in rows(sample_run / "markers.csv"):
        assert texts[m["doc_id"]][int(m["start"]):int(m["end"])] == m["text"]
        if m["label"].startswith("SOURCE") and int(m["cue_start"]) >= 0:
            assert texts[m["doc_id"]][int(m["cue_start"]):int(m["cue_end"])].strip()


def test_tasks_carry_the_same_spans_as_predictions(sample_run):
    tasks = json.loads((sample_run / "tasks.json").read_text(encoding="utf-8"))
    markers = rows(sample_run / "markers.csv")
    version = load_rules().version
    regions = [(t["data"]["doc_id"], r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
               for t in tasks for p in t["predictions"] for r in p["result"] if r["type"] == "labels"]
    assert sorted(regions) == sorted((m["doc_id"], int(m["start"]), int(m["end"]), m["label"]) for m in markers)
    assert {p["model_version"] for t in tasks for p in t["predictions"]} == {version}
    assert all(t["data"]["text"] == (SAMPLE / f"{t['data']['doc_id']}.txt").read_bytes().decode() for t in tasks)


def test_byline_and_credit_lines_fill_the_profile(sample_run):
    profiles = {p["doc_id"]: p for p in rows(sample_run / "profiles.csv")}
    assert any(p["author"] for p in profiles.values()) and any(p["outlet"] for p in profiles.values())


def test_profiles_show_the_headline_and_iso_date_as_the_task_list_does(sample_run):
    """Not the page's rubric (`EN DIRECT`, `MERCATO`) or menu, and one date format."""
    profiles = rows(sample_run / "profiles.csv")
    tasks = {t["data"]["doc_id"]: t["data"] for t in json.loads((sample_run / "tasks.json").read_text(encoding="utf-8"))}
    assert [(p["title"], p["date"]) for p in profiles] == [(tasks[p["doc_id"]]["title"], tasks[p["doc_id"]]["date"])
                                                           for p in profiles]
    assert all(len(p["title"].split()) >= 4 and "•" not in p["title"] and ">" not in p["title"] for p in profiles)
    assert sum(bool(p["date"]) for p in profiles) >= 10
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["date"]) for p in profiles if p["date"])


def test_csv_jsonl_and_stdin_inputs_give_the_same_spans(tmp_path, sample_run):
    texts = {p.stem: p.read_bytes().decode("utf-8") for p in sorted(SAMPLE.glob("*.txt"))[:3]}
    with (tmp_path / "in.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "body"])
        writer.writerows(texts.items())
    jsonl = "".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in texts.items())
    (tmp_path / "in.jsonl").write_text(jsonl, encoding="utf-8")
    expected = [m for m in rows(sample_run / "markers.csv") if m["doc_id"] in texts]
    runs = {"csv": annotator("annotate", str(tmp_path / "in.csv"), "--out", str(tmp_path / "csv"),
                             "--id-col", "key", "--text-col", "body"),
            "jsonl": annotator("annotate", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "jsonl")),
            "stdin": annotator("annotate", "-", "--out", str(tmp_path / "stdin"), stdin=jsonl)}
    for name, done in runs.items():
        assert done.returncode == 0, done.stderr
        assert rows(tmp_path / name / "markers.csv") == expected, name


def test_a_missing_column_is_named(tmp_path):
    (tmp_path / "in.csv").write_text("id,body\n1,Bonjour\n", encoding="utf-8")
    done = annotator("annotate", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o"))
    assert done.returncode == 2 and "no column 'text'" in done.stderr and "Traceback" not in done.stderr
