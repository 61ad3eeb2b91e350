"""An interrupted run leaves the previous outputs intact, and `--resume` finishes it without
duplicating or losing a row."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "sample"


def corpus(path: Path, copies: int) -> Path:
    texts = [p.read_bytes().decode("utf-8") for p in sorted(SAMPLE.glob("*.txt"))]
    with path.open("w", encoding="utf-8") as handle:
        for n in range(copies):
            for i, text in enumerate(texts):
                handle.write(json.dumps({"id": f"d{n:03d}_{i:02d}", "text": text}, ensure_ascii=False) + "\n")
    return path


def command(source: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "annotate", str(source), "--out", str(out), *extra]


def processes_running(marker: str) -> list[int]:
    """Live processes whose command line holds `marker` (forked workers keep their parent's)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "cmdline").read_bytes().decode(errors="replace"):
                if "Z" not in (proc / "stat").read_text().split(")")[-1].split()[0]:
                    found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_then_resume_gives_the_rows_of_an_uninterrupted_run(tmp_path, workers):
    source = corpus(tmp_path / "in.jsonl", 12)
    whole = subprocess.run(command(source, tmp_path / "whole"), capture_output=True, text=True, cwd=ROOT)
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "out"
    out.mkdir()
    (out / "markers.csv").write_text("an earlier run's file\n", encoding="utf-8")
    run = subprocess.Popen(command(source, out, "--workers", workers), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    progress = out / ".annotate.progress"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not progress.exists() or len(progress.read_text().splitlines()) < 3):
        time.sleep(0.05)
    os.kill(run.pid, signal.SIGTERM)
    assert run.wait(timeout=60) == 130, run.stderr.read()
    deadline = time.monotonic() + 10
    while processes_running(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_running(str(out)) == [], "a worker outlived the interrupted run"
    assert (out / "markers.csv").read_text(encoding="utf-8") == "an earlier run's file\n"
    resumed = subprocess.run(command(source, out, "--resume", "--workers", workers), capture_output=True, text=True, cwd=ROOT)
    assert resumed.returncode == 0 and "resuming" in resumed.stderr, resumed.stderr
    for name in ("markers.csv", "profiles.csv", "errors.csv"):
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    assert tasks == json.loads((tmp_path / "whole" / "tasks.json").read_text(encoding="utf-8"))
    assert not progress.exists() and not list(out.glob(".*.part"))
