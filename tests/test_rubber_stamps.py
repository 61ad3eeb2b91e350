"""Rubber stamps: an annotation submitted with no span changed in under N seconds is not a review, so the
rule-quality figures leave its article out, and the report says how many it left out."""
from __future__ import annotations

import shutil
from pathlib import Path

from annotator import quality as q
from annotator.reporting import load_run

DATA = Path(__file__).resolve().parent / "data" / "report"
# a05 submitted untouched in 8 s (a stamp), a06 untouched after 45 s (a review that agreed), a12 changed in 6 s
ANNOTATIONS = ("doc_id,annotation_id,chosen,judgement,comment,lead_time,changed\n"
               "a05_sommet_budget_ue,1,True,solide,,8.2,False\n"
               "a06_cyberattaque_hopital,2,True,solide,,45.0,False\n"
               "a12_incendie_etoile,3,True,faible,,6.0,True\n")


def corrections(tmp_path: Path, annotations: str) -> Path:
    folder = tmp_path / "corrections"
    shutil.copytree(DATA / "corrections", folder)
    (folder / "annotations.csv").write_text(annotations, encoding="utf-8")
    return folder


def test_unchanged_fast_submissions_leave_the_scores(tmp_path):
    run = load_run(DATA / "annotate", corrections(tmp_path, ANNOTATIONS))
    kept, stamped = q.without_rubber_stamps(run)
    assert stamped == {"a05_sommet_budget_ue"}
    assert kept.evaluated == run.evaluated - stamped
    assert "a05_sommet_budget_ue" not in set(kept.gold["doc_id"]) | set(kept.scored["doc_id"])
    assert len(kept.gold) < len(run.gold)
    assert q.without_rubber_stamps(run, 5.0)[1] == set()  # the threshold is a setting
    assert q.without_rubber_stamps(run, 60.0)[1] == {"a05_sommet_budget_ue", "a06_cyberattaque_hopital"}


def test_a_pull_without_lead_times_excludes_nothing(tmp_path):
    run = load_run(DATA / "annotate", corrections(tmp_path, "doc_id,annotation_id,chosen,judgement,comment\n"
                                                            "a05_sommet_budget_ue,1,True,solide,\n"))
    assert q.without_rubber_stamps(run) == (run, set())
