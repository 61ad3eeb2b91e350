"""`annotator pull`: the analysts' submitted annotations back to span records, changes and profiles.

Outputs, in the --out folder:
- markers_corrected.csv: the spans of every submitted, non-cancelled annotation (all analysts), as
  markers.csv plus task_id, annotation_id, annotator, updated_at, ground_truth and chosen;
- changes.csv: every predicted and every human span of each annotation, compared with the prediction
  the analyst corrected: kept, relabelled, boundary_changed, deleted or added, with the rule id; an
  added or re-cut SOURCE or QUOTE left without a relation is hung on the nearest CUE of its sentence;
- profiles_corrected.csv: profiles.csv's columns, computed from the chosen annotation of each task;
- annotations.csv: one row per annotation with the overall judgement and the comment, the seconds the
  analyst spent on it (lead_time, as Label Studio measured it) and whether any span changed (changed:
  False for an annotation submitted exactly as predicted, the rubber-stamp suspect);
- pull_errors.csv: every region skipped (offsets missing, not numbers, reversed or outside the text;
  an unknown label) and every task whose data cannot be read, with the task, the annotation and why.

Several analysts on one task (policy): every annotation is kept in the first three files; the corrected
profile uses the one marked ground truth, else the one updated last, ties going to the higher id
(column `chosen`).
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from ..errors import write_failure
from ..profile import PROFILE_COLUMNS, build_profile
from ..outlets import registry_of, with_media_ids
from ..rules import Rules
from ..spans import SPAN_COLUMNS, Span
from .client import Connection, list_tasks, project_title, require_project, server_errors, user_emails
from .config import COMMENT_NAME, JUDGEMENT_NAME
from .links import with_cue
from .tasks import labels_regions, region_problem, spans_from_result

HUMAN_RULE = "manual"
KINDS = ("kept", "relabelled", "boundary_changed", "deleted", "added")
EPOCH = datetime.min.replace(tzinfo=timezone.utc)
REVIEW_COLUMNS = ["task_id", "annotation_id", "annotator", "updated_at", "ground_truth", "chosen"]
MARKER_COLUMNS = [*SPAN_COLUMNS, *REVIEW_COLUMNS]
CHANGE_COLUMNS = ["doc_id", *REVIEW_COLUMNS, "change", "rule", "model_version",
                  "predicted_label", "predicted_start", "predicted_end", "predicted_text",
                  "label", "start", "end", "text"]
ANNOTATION_COLUMNS = ["doc_id", *REVIEW_COLUMNS, "judgement", "comment", "n_spans", "model_version", "lead_time",
                      "changed"]
ERROR_COLUMNS = ["task_id", "annotation_id", "doc_id", "region", "reason"]
READ_ERRORS = (KeyError, TypeError, ValueError, AttributeError)  # task data not as push wrote it


@dataclass(frozen=True)
class Change:
    """One predicted span and what the analyst made of it, or one span the analyst added."""

    change: str
    predicted: Span | None
    human: Span | None


@dataclass(frozen=True)
class Review:
    """One submitted annotation of a task, as spans, with the prediction it corrected."""

    task_id: int
    annotation_id: int
    annotator: str
    updated_at: str
    ground_truth: bool
    spans: list[Span]
    changes: list[Change]
    model_version: str
    judgement: str
    comment: str
    lead_time: float | None = None  # seconds spent on the annotation, as Label Studio measured it

    @property
    def changed(self) -> bool:
        """Whether the analyst changed any span of the prediction."""
        return any(c.change != "kept" for c in self.changes)


@dataclass(frozen=True)
class PullReport:
    tasks: int
    annotations: int
    profiles: int
    counts: dict[str, int]
    skipped: int = 0  # regions and tasks in pull_errors.csv


@dataclass
class Skipped:
    """What pull could not read, as pull_errors.csv rows."""

    rows: list[dict]

    def regions(self, result: list, task: dict, annotation: str) -> list[dict]:
        """The result without its unusable labels regions, each of them noted."""
        text = task["data"]["text"]
        bad = {id(r): why for r in labels_regions(result) if (why := region_problem(r, text))}
        for r in labels_regions(result):
            if id(r) in bad:
                self.note(task, annotation, bad[id(r)], str(r.get("id", "")))
        return [r for r in result if id(r) not in bad]

    def note(self, task: dict, annotation: str, reason: str, region: str = "") -> None:
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        self.rows.append({"task_id": task.get("id"), "annotation_id": annotation, "doc_id": data.get("doc_id", ""),
                          "region": region, "reason": reason})


def compare(predicted: list[Span], human: list[Span]) -> list[Change]:
    """Pair predicted and human spans, greedily and one to one: same range and label (kept), same
    range (relabelled), same label and overlapping (boundary_changed); the rest are deleted or added."""
    preds, left, changes = list(predicted), list(human), []
    tests = (("kept", lambda p, h: (p.start, p.end, p.label) == (h.start, h.end, h.label)),
             ("relabelled", lambda p, h: (p.start, p.end) == (h.start, h.end)),
             ("boundary_changed", lambda p, h: p.label == h.label and _overlap(p, h) > 0))
    for kind, fits in tests:
        for p in list(preds):
            options = [h for h in left if fits(p, h)]
            if options:
                h = max(options, key=lambda h: _overlap(p, h))
                preds.remove(p)
                left.remove(h)
                changes.append(Change(kind, p, replace(h, rule=p.rule)))
    changes += [Change("deleted", p, None) for p in preds] + [Change("added", None, h) for h in left]
    return sorted(changes, key=lambda c: _position(c.predicted or c.human))


def linked(changes: list[Change]) -> list[Change]:
    """The changes with each added or re-cut SOURCE or QUOTE that the analyst left unlinked hung on the
    nearest CUE of its sentence (drawing the relation is optional)."""
    spans = [c.human for c in changes if c.human]
    return [replace(c, human=with_cue(c.human, spans)) if c.human and c.change in ("added", "boundary_changed")
            else c for c in changes]


def _overlap(a: Span, b: Span) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _position(s: Span) -> tuple[int, int, str]:
    return s.start, s.end, s.label


def baseline(task: dict, annotation: dict, version: str) -> dict | None:
    """The prediction an annotation corrected: its parent prediction, else the project's current
    version, else the newest prediction."""
    predictions = task["predictions"]
    parent = [p for p in predictions if p["id"] == annotation.get("parent_prediction")]
    current = [p for p in predictions if p["model_version"] == version]
    pool = parent or current or predictions
    return max(pool, key=lambda p: p["id"]) if pool else None


def review(task: dict, annotation: dict, annotator: str, version: str, skipped: Skipped) -> Review:
    """One annotation as spans compared with its baseline prediction; unusable regions are skipped."""
    result = annotation.get("result") or []
    base = baseline(task, annotation, version)
    predicted = skipped.regions(base["result"], task, f"prediction {base['id']}") if base else []
    human = skipped.regions(result, task, str(annotation["id"]))
    human_spans = spans_from_result(human, task["data"], HUMAN_RULE)
    changes = linked(compare(spans_from_result(predicted, task["data"]), human_spans))
    spans = sorted((c.human for c in changes if c.human), key=_position)
    return Review(task["id"], annotation["id"], annotator, str(annotation.get("updated_at") or ""),
                  bool(annotation.get("ground_truth")), spans, changes, base["model_version"] if base else "",
                  _value(result, JUDGEMENT_NAME, "choices"), _value(result, COMMENT_NAME, "text"),
                  _seconds(annotation.get("lead_time")))


def _seconds(value) -> float | None:
    """A lead time in seconds, rounded to a tenth; None when the server did not record one."""
    try:
        return round(float(value), 1) if value is not None else None
    except (TypeError, ValueError):
        return None


def _value(result: list[dict], name: str, key: str) -> str:
    values = [v for r in result if r.get("from_name") == name for v in (r.get("value") or {}).get(key) or []]
    return " | ".join(map(str, values))


def choose(reviews: list[Review]) -> Review:
    """The annotation whose spans make the corrected profile: ground truth, then latest, then highest id."""
    return max(reviews, key=lambda r: (r.ground_truth, _when(r.updated_at), r.annotation_id))


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else EPOCH


def task_reviews(task: dict, emails: dict[int, str], version: str, skipped: Skipped) -> list[Review]:
    """The task's submitted, non-cancelled annotations (drafts are never in `annotations`)."""
    return [review(task, a, emails.get(a.get("completed_by"), str(a.get("completed_by", ""))), version, skipped)
            for a in task["annotations"] if not a.get("was_cancelled")]


def corrected_profile(task: dict, chosen: Review, rules: Rules) -> dict:
    """profiles.csv's row for the task, from the chosen annotation's spans and the task's data."""
    data = task["data"]
    sentences = [(int(a), int(b)) for a, b in data.get("sentences") or []]
    n_words = int(data.get("n_words") or len(data["text"].split()))
    return build_profile(str(data["doc_id"]), chosen.spans, sentences, n_words, data, rules,
                         str(data.get("outlet_domain") or ""))


def _review_row(doc_id: str, r: Review, chosen: bool) -> dict:
    return {"doc_id": doc_id, "task_id": r.task_id, "annotation_id": r.annotation_id, "annotator": r.annotator,
            "updated_at": r.updated_at, "ground_truth": r.ground_truth, "chosen": chosen}


def change_row(c: Change, head: dict, model_version: str) -> dict:
    p, h = c.predicted, c.human
    return {**head, "change": c.change, "rule": p.rule if p else "", "model_version": model_version,
            **{f"predicted_{k}": getattr(p, k) if p else "" for k in ("label", "start", "end", "text")},
            **{k: getattr(h, k) if h else "" for k in ("label", "start", "end", "text")}}


def write_csv(path: Path, columns: list[str], rows: list[dict], sep: str = ",") -> None:
    """Write a CSV under a temporary name and rename it into place."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, delimiter=sep, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_failure(path.parent, exc) from None


def pull(conn: Connection, title: str, out: Path, rules: Rules, *, sep: str = ",") -> PullReport:
    """Export project `title`'s submitted annotations into the CSVs of `out`."""
    title = project_title(title)
    with server_errors(conn.url, conn.timeout):
        project = require_project(conn, title)
        tasks = list_tasks(conn, project.id)
        emails = user_emails(conn)
    markers, changes, annotations, profiles = [], [], [], []
    skipped = Skipped([])
    for task in sorted(tasks, key=lambda t: (str(t["data"].get("doc_id")), t["id"])):
        try:
            if not isinstance(task["data"]["text"], str):
                raise TypeError("data.text is not a text")
            reviews = task_reviews(task, emails, project.model_version or "", skipped)
            if not reviews:
                continue
            chosen = choose(reviews)
            profile = corrected_profile(task, chosen, rules)
        except READ_ERRORS as exc:
            skipped.note(task, "", f"task data unreadable, task skipped ({type(exc).__name__}: {exc})")
            continue
        profiles.append(profile)
        doc_id = str(task["data"]["doc_id"])
        for r in reviews:
            head = _review_row(doc_id, r, r is chosen)
            markers += [{**s.as_row(), **head} for s in with_media_ids(r.spans, registry_of(rules))]
            changes += [change_row(c, head, r.model_version) for c in r.changes]
            annotations.append({**head, "judgement": r.judgement, "comment": r.comment,
                                "n_spans": len(r.spans), "model_version": r.model_version,
                                "lead_time": "" if r.lead_time is None else r.lead_time, "changed": r.changed})
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "markers_corrected.csv", MARKER_COLUMNS, markers, sep)
    write_csv(out / "changes.csv", CHANGE_COLUMNS, changes, sep)
    write_csv(out / "profiles_corrected.csv", PROFILE_COLUMNS, profiles, sep)
    write_csv(out / "annotations.csv", ANNOTATION_COLUMNS, annotations, sep)
    write_csv(out / "pull_errors.csv", ERROR_COLUMNS, skipped.rows, sep)
    counts = {kind: sum(1 for c in changes if c["change"] == kind) for kind in KINDS}
    return PullReport(len(tasks), len(annotations), len(profiles), counts, len(skipped.rows))
