"""Dirty corpora: one bad document never stops a batch; it goes to errors.csv with the reason,
and the exit code says something failed."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD = "Selon l'AFP, le maire aurait démissionné mardi.\n"


def annotate(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annotator", "annotate", *args], cwd=ROOT, input=stdin,
                          capture_output=True)


def table(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_bad_files_are_reported_and_the_others_annotated(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_ok.txt").write_text(GOOD, encoding="utf-8")
    (src / "b_empty.txt").write_bytes(b"  \n")
    (src / "c_binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (src / "d_latin1.txt").write_bytes("Le ministre a déclaré que".encode("cp1252"))
    (src / "e_big.txt").write_bytes(b"x" * 1_200_000)
    done = annotate(str(src), "--out", str(tmp_path / "out"), "--max-mb", "1")
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    errors = {e["doc_id"]: e["reason"] for e in table(tmp_path / "out" / "errors.csv")}
    assert set(errors) == {"b_empty", "c_binary", "d_latin1", "e_big"}
    assert "iconv -f cp1252" in errors["d_latin1"] and "--max-mb" in errors["e_big"]
    assert [p["doc_id"] for p in table(tmp_path / "out" / "profiles.csv")] == ["a_ok"]


def test_a_bad_jsonl_line_is_named_and_duplicates_skipped(tmp_path):
    lines = [json.dumps({"id": "a", "text": GOOD}), '{"id": "b", "text": ', json.dumps({"id": "a", "text": GOOD}),
             json.dumps({"id": "c", "text": GOOD})]
    done = annotate("-", "--out", str(tmp_path), stdin="\n".join(lines).encode())
    assert done.returncode == 1
    errors = table(tmp_path / "errors.csv")
    assert [(e["where"], e["reason"].split(" (")[0]) for e in errors] == [
        ("<stdin>:2", "invalid JSON: Expecting value"), ("<stdin>:3", "duplicate doc_id")]
    assert [p["doc_id"] for p in table(tmp_path / "profiles.csv")] == ["a", "c"]


def test_a_broken_csv_quote_is_reported_with_its_line(tmp_path):
    (tmp_path / "in.csv").write_text(f'id,text\n1,"{GOOD}"\n2,"Bonjour\n3,Encore\n', encoding="utf-8")
    done = annotate(str(tmp_path / "in.csv"), "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    (error,) = table(tmp_path / "out" / "errors.csv")
    assert error["where"].endswith("in.csv:4") and "unbalanced quote" in error["reason"]
    assert [p["doc_id"] for p in table(tmp_path / "out" / "profiles.csv")] == ["1"]


def test_strict_stops_at_the_first_error(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_empty.txt").write_text("", encoding="utf-8")
    (src / "b_ok.txt").write_text(GOOD, encoding="utf-8")
    done = annotate(str(src), "--out", str(tmp_path / "out"), "--strict")
    assert done.returncode == 1 and b"--strict" in done.stderr
    assert table(tmp_path / "out" / "profiles.csv") == []
