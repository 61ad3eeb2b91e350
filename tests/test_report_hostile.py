"""`annotator report` on hostile articles: markup in a text an analyst marked never reaches the
HTML unescaped, ids and texts that start like a formula are neutralised in the CSVs, a `$` in a
doc_id is plain text in the plots, and a pull with no submitted annotation still gives a report."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.labelstudio.pull import ANNOTATION_COLUMNS, MARKER_COLUMNS
from annotator.profile import PROFILE_COLUMNS
from annotator.reporting import FORMULA_STARTS, read_table

from .test_report import rows

NUMBER = re.compile(r"-?\d+(\.\d+)?")
SCRIPT = "<script>alert(document.cookie)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
ARTICLES = {
    "cost$\\frac$x": f"Selon le ministère, {IMAGE} la réforme serait adoptée en juin. Le porte-parole a déclaré "
                      "que le vote aurait lieu mardi.\n",
    '=HYPERLINK("http://example.invalid","clic")': f"-1 point, selon {SCRIPT} un communiqué publié lundi. "
                                                   "Le maire aurait démissionné.\n",
}


def write(path: Path, columns: list[str], records: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)


@pytest.fixture(scope="module")
def annotated(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    source = base / "in.jsonl"
    source.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in ARTICLES.items()), encoding="utf-8")
    assert main(["annotate", str(source), "--out", str(base / "annotate")]) == 0
    return base / "annotate"


def corrections(folder: Path, annotate: Path, *, submitted: bool) -> Path:
    """The files `pull` writes: every rule span kept plus the markup marked as a source by an analyst,
    or (not submitted) header-only files."""
    folder.mkdir()
    spans = read_table(annotate / "markers.csv").to_dict("records") if submitted else []
    profiles = read_table(annotate / "profiles.csv").to_dict("records") if submitted else []
    review = {"task_id": 1, "annotation_id": 1, "annotator": "=cmd|'/c calc'!A1", "updated_at": "",
              "ground_truth": False, "chosen": True}
    for doc_id, text in ARTICLES.items() if submitted else ():
        for markup in (SCRIPT, IMAGE):
            if markup in text:
                start = text.index(markup)
                spans.append({"doc_id": doc_id, "start": start, "end": start + len(markup), "label": "SOURCE_NAMED",
                              "text": markup, "rule": "manual", "sent": 0, "sentence": text.split(".")[0],
                              "cue_start": -1, "cue_end": -1})
    write(folder / "markers_corrected.csv", MARKER_COLUMNS, [{**s, **review} for s in spans])
    write(folder / "profiles_corrected.csv", PROFILE_COLUMNS, profiles)
    write(folder / "annotations.csv", ANNOTATION_COLUMNS,
          [{"doc_id": d, **review, "judgement": "faible", "comment": f"@SUM(1) {SCRIPT}"} for d in ARTICLES
           if submitted])
    return folder


def test_hostile_texts_are_escaped_neutralised_and_plotted(annotated, tmp_path):
    run = tmp_path / "run"
    fixes = corrections(tmp_path / "pull", annotated, submitted=True)
    assert main(["report", "--from", str(annotated), "--corrections", str(fixes), "--out", str(run)]) == 0
    for name in ("sourcing_report.html", "rule_quality.html"):
        html = (run / name).read_text(encoding="utf-8")
        assert not re.search(r"<script>alert|<img src=x", html), name
    assert "&lt;img src=x onerror=alert(1)&gt;" in (run / "rule_quality.html").read_text(encoding="utf-8")
    for name in ("profiles.csv", "markers.csv", "outlets.csv", "rule_quality.csv", "candidates.csv"):
        for row in rows(run / name):
            risky = [v for v in row.values() if v.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(v)]
            assert not risky, (name, risky)
    ids = {r["doc_id"] for r in rows(run / "profiles.csv")}
    assert ids == {"cost$\\frac$x", "'=HYPERLINK(\"http://example.invalid\",\"clic\")"}
    assert (run / "attribution_modalisation.png").is_file()


def test_a_pull_without_submitted_annotations_gives_a_rules_report(annotated, tmp_path):
    run = tmp_path / "run"
    fixes = corrections(tmp_path / "pull", annotated, submitted=False)
    assert main(["report", "--from", str(annotated), "--corrections", str(fixes), "--out", str(run)]) == 0
    assert {r["basis"] for r in rows(run / "profiles.csv")} == {"rules"}
