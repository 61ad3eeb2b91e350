"""A hostile corpus, a crash, a full disk and a busy folder: a bad document is one errors.csv row,
`--resume` keeps the rows written before the kill, a full disk is one line with its own exit code,
two runs never write into one folder, the four outputs change together, and no worker outlives a
`kill -9` of its run."""
from __future__ import annotations

import csv
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator import pipeline
from annotator.cli import main
from annotator.errors import EXIT_BUSY, EXIT_WRITE, UserError
from annotator.evaluate import read_predictions
from annotator.export import Writer
from annotator.labelstudio.push import load_tasks
from annotator.manifest import check_outputs
from annotator.read import BadInput, read_articles
from annotator.reporting import run_report

from .test_resume import corpus, processes_running

ROOT = Path(__file__).resolve().parents[1]
GOOD = "Selon la préfecture, le pont aurait été fermé lundi soir.\n"
OTHER = "Le maire a déclaré que les travaux dureraient deux mois.\n"


def annotate(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annotator", "annotate", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, **kwargs)


def table(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def hostile_lines() -> list[str]:
    """An empty article and its duplicate id, then a JSON line nested 100,000 deep, lone surrogates
    in a text and in an id, and two good articles."""
    return [json.dumps({"id": "x", "text": " "}), json.dumps({"id": "x", "text": GOOD}),
            '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
            '{"id": "sur", "text": "Il a dit \\ud800 ceci."}', '{"id": "\\udc80id", "text": "Bonjour."}',
            json.dumps({"id": "g1", "text": GOOD}), json.dumps({"id": "g2", "text": OTHER})]


def test_resume_after_a_kill_keeps_earlier_error_rows_and_survives_hostile_lines(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(hostile_lines()) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    # The state a kill leaves: the empty article checkpointed, the duplicate's row written after it.
    first, duplicate = list(read_articles(str(source)))[:2]
    writer = Writer(out, "v")
    writer.add(first)
    writer.checkpoint()
    writer.add(duplicate)
    writer.close(complete=False)
    (out / ".annotate.lock").write_text("pid 999999999 on a machine long gone\n")  # a dead run's lock
    done = annotate(source, "--out", out, "--resume")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    reasons = {(e["doc_id"], e["reason"].split(" (")[0].split(":")[0]) for e in table(out / "errors.csv")}
    assert reasons == {("x", "empty text"), ("x", "duplicate doc_id"), ("line-3", "JSON nested too deeply to be read"),
                       ("sur", "a lone surrogate"), ("\\udc80id", "a lone surrogate")}
    assert [p["doc_id"] for p in table(out / "profiles.csv")] == ["g1", "g2"]
    assert "5 not annotated (errors.csv)" in done.stderr
    check_outputs(out, ("markers.csv", "profiles.csv", "tasks.json", "errors.csv"))

    # A crash between the renames of the next run: its markers.csv and tasks.json not renamed yet.
    before = (out / "markers.csv").read_bytes()
    following = Writer(tmp_path / "next", "v")
    following.add(BadInput("z", "elsewhere", "empty text"))
    following.close()
    for name in ("manifest.json", "profiles.csv", "tasks.json", "errors.csv"):
        shutil.copy(tmp_path / "next" / name, out / name)
    shutil.copy(tmp_path / "next" / "markers.csv", out / ".markers.csv.part")
    shutil.move(out / "tasks.json", out / ".tasks.json.part")
    (out / "tasks.json").write_text("[]", encoding="utf-8")
    with pytest.raises(UserError, match="markers.csv is not the one"):
        check_outputs(out, ("markers.csv", "profiles.csv"))
    with pytest.raises(UserError, match="tasks.json is not the one"):
        load_tasks(out)
    with pytest.raises(UserError, match="markers.csv is not the one"):
        read_predictions(out)  # score
    with pytest.raises(UserError, match="markers.csv is not the one"):
        run_report(out, tmp_path / "report")
    finish = annotate(source, "--out", out, "--resume")
    assert finish.returncode == 1 and "now in place" in finish.stderr, finish.stderr  # its run had an error
    assert (out / "markers.csv").read_bytes() != before
    check_outputs(out, ("markers.csv", "profiles.csv", "tasks.json", "errors.csv"))


def test_a_file_deleted_during_the_run_is_one_error(tmp_path):
    for name, text in (("a.txt", GOOD), ("b.txt", OTHER), ("c.txt", GOOD)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    items = read_articles(str(tmp_path))
    assert next(items).doc_id == "a"
    (tmp_path / "b.txt").unlink()
    rest = list(items)
    assert isinstance(rest[0], BadInput) and rest[0].doc_id == "b" and "cannot be read" in rest[0].reason
    assert rest[1].doc_id == "c" and not isinstance(rest[1], BadInput)


@pytest.mark.parametrize("fast", [False, True], ids=["full", "fast"])
def test_a_rule_failing_on_one_article_is_one_error_row(tmp_path, monkeypatch, capsys, fast):
    """A defect of the rules that raises on one text costs that article only."""
    matched = pipeline.match_paragraph

    def failing_on_bridges(doc, rules):
        if "pont" in doc.text:
            raise IndexError("list index out of range")
        return matched(doc, rules)

    monkeypatch.setattr(pipeline, "match_paragraph", failing_on_bridges)
    for name, text in (("a.txt", OTHER), ("b.txt", GOOD), ("c.txt", OTHER.replace("maire", "préfet"))):
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["annotate", str(tmp_path), "--out", str(out), *(["--fast"] if fast else [])])
    assert code == 1 and "Traceback" not in capsys.readouterr().err
    (error,) = table(out / "errors.csv")
    assert error["doc_id"] == "b" and "the rules failed on this article (IndexError" in error["reason"], error
    assert {r["doc_id"] for r in table(out / "markers.csv")} == {"a", "c"}
    assert [r["doc_id"] for r in table(out / "profiles.csv")] == ["a", "c"]


def test_a_second_run_into_a_busy_folder_refuses_at_once(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".annotate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write("pid 4242 on analyst-laptop\n")
        lock.flush()
        began = time.monotonic()
        done = annotate(ROOT / "corpus" / "sample", "--out", out)
    assert done.returncode == EXIT_BUSY and "pid 4242 on analyst-laptop" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and time.monotonic() - began < 10
    assert sorted(p.name for p in out.iterdir()) == [".annotate.lock"]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="mounting a small tmpfs needs root")
def test_a_full_disk_is_one_line_and_leaves_the_previous_outputs(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = disk / "out"
        out.mkdir()
        (out / "markers.csv").write_text("an earlier run's file\n", encoding="utf-8")
        done = annotate(ROOT / "corpus" / "sample", "--out", out)
        assert done.returncode == EXIT_WRITE, done.stderr
        (line,) = done.stderr.strip().splitlines()[-1:]
        assert f"{out}: the disk is full" in line and "Traceback" not in done.stderr
        assert (out / "markers.csv").read_text(encoding="utf-8") == "an earlier run's file\n"
        assert sorted(p.name for p in out.iterdir()) == [".annotate.lock", "markers.csv"]
    finally:
        subprocess.run(["umount", str(disk)])


def test_no_worker_outlives_a_kill_9_of_its_run(tmp_path):
    source = corpus(tmp_path / "in.jsonl", 6)
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "annotator", "annotate", str(source), "--out", str(out),
                            "--workers", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(processes_running(str(out))) < 3 and run.poll() is None:
        time.sleep(0.05)
    time.sleep(1.5)  # the workers are busy with their first chunks
    assert len(processes_running(str(out))) >= 3, "the run and its two workers"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 5
    while processes_running(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_running(str(out)) == [], "a worker outlived its run"


REPLACED_WORKERS = """
from annotator import pipeline
from annotator.nlp import load_pipeline
from annotator.read import read_articles
from annotator.rules import load_rules
pipeline.CHUNKS_PER_PROCESS = 1  # a worker is replaced after every chunk, by a thread of the pool
rules = load_rules()
nlp = load_pipeline(rules)
for _ in range(6):
    assert sum(1 for _ in pipeline.annotate(read_articles("corpus/sample"), nlp, rules, workers=2, batch_size=2)) == 14
"""


def test_a_run_whose_workers_were_replaced_ends():
    """Workers replaced during a long run (memory stays flat) were killed when the pool's thread that
    forked them ended, one holding the pool's queue lock: the run hung at its end (2 runs in 6)."""
    done = subprocess.run([sys.executable, "-c", REPLACED_WORKERS], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
