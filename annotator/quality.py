"""Rule quality against the analysts' corrections: precision/recall/F1 per label and per rule,
coverage, overlaps and conflicts between rules (in the manner of Snorkel's labeling-function
analysis), frequent false positives and the spans no rule found. Spans are matched by
`annotator.scoring`; candidate rules built from the misses are `annotator.candidates`' job.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd

from .reporting import MIN_REVIEW_SECONDS
from .rules import fold
from .scoring import match_spans, overlapping_labels, prf, ratio
from .spans import LABELS

RULE_QUALITY_COLUMNS = [
    "level", "name", "labels", "n_spans", "coverage_articles", "coverage_sentences", "overlaps", "conflicts",
    "overlaps_with", "conflicts_with", "n_predicted", "n_corrected", "tp", "fp", "fn", "precision", "recall",
    "f1", "frequent_false_positives"]
FALSE_POSITIVE_COLUMNS = ["rule", "label", "text", "n", "doc_id", "sentence"]
MISS_COLUMNS = ["doc_id", "start", "end", "label", "text", "sentence", "also_predicted_as"]


def rule_quality(pred: pd.DataFrame, gold: pd.DataFrame, evaluated: set[str], n_articles: int,
                 n_sentences: int) -> pd.DataFrame:
    """rule_quality.csv: one row for all labels, one per label, one per rule.

    Coverage, overlaps and conflicts are measured on every predicted span; precision, recall and
    F1 only on the `evaluated` articles (those the analysts corrected), against `gold`.
    """
    scored = pred[pred["doc_id"].isin(evaluated)]
    tp = match_spans(scored, gold)[0]
    clashes = rule_clashes(pred)
    fp_text = _frequent_false_positives(scored[~tp])
    sizes = (n_articles, n_sentences)
    rows = [_row("all", "all", "", pred, scored, tp, gold, sizes)]
    rows += [_row("label", label, label, pred[pred["label"] == label], scored[scored["label"] == label],
                  tp[scored["label"] == label], gold[gold["label"] == label], sizes) for label in LABELS]
    for rule in sorted(pred["rule"].unique()):
        mine = pred[pred["rule"] == rule]
        labels = sorted(set(mine["label"]), key=LABELS.index)
        row = _row("rule", rule, "+".join(labels), mine, scored[scored["rule"] == rule], tp[scored["rule"] == rule],
                   gold[gold["label"].isin(labels)], sizes)
        rows.append({**row, **clashes.get(rule, {}), "frequent_false_positives": fp_text.get(rule, "")})
    return pd.DataFrame(rows, columns=RULE_QUALITY_COLUMNS)


def _row(level: str, name: str, labels: str, spans: pd.DataFrame, scored: pd.DataFrame, tp: pd.Series,
         gold: pd.DataFrame, sizes: tuple[int, int]) -> dict:
    n_tp, n_pred, n_gold = int(tp.sum()), len(scored), len(gold)
    return {"level": level, "name": name, "labels": labels, "n_spans": len(spans), **coverage(spans, *sizes),
            "n_predicted": n_pred, "n_corrected": n_gold, "tp": n_tp, "fp": n_pred - n_tp, "fn": n_gold - n_tp,
            **prf(n_tp, n_pred, n_gold)}


def coverage(spans: pd.DataFrame, n_articles: int, n_sentences: int) -> dict[str, float]:
    """Share of the articles, and of the sentences, holding at least one of `spans`."""
    in_sentence = spans[spans["sent"] >= 0]
    return {"coverage_articles": ratio(spans["doc_id"].nunique(), n_articles),
            "coverage_sentences": ratio(len(in_sentence[["doc_id", "sent"]].drop_duplicates()), n_sentences)}


def rule_clashes(pred: pd.DataFrame, top: int = 3) -> dict[str, dict]:
    """Per rule: share of its spans overlapping a span of another rule with the same label
    (overlaps) or a different label (conflicts), and the rules it meets most."""
    same: dict[str, Counter] = {}
    other: dict[str, Counter] = {}
    hit_same: Counter = Counter()
    hit_other: Counter = Counter()
    for _, doc in pred.groupby("doc_id"):
        starts, ends = doc["start"].to_numpy(), doc["end"].to_numpy()
        rules, labels = doc["rule"].to_numpy(), doc["label"].to_numpy()
        overlap = (starts[:, None] < ends[None, :]) & (starts[None, :] < ends[:, None])
        overlap &= rules[:, None] != rules[None, :]
        same_label = labels[:, None] == labels[None, :]
        for i in range(len(doc)):
            for mask, hits, met in ((overlap[i] & same_label[i], hit_same, same),
                                    (overlap[i] & ~same_label[i], hit_other, other)):
                if mask.any():
                    hits[rules[i]] += 1
                    met.setdefault(rules[i], Counter()).update(rules[mask])
    counts = pred["rule"].value_counts()
    return {rule: {"overlaps": ratio(hit_same[rule], n), "conflicts": ratio(hit_other[rule], n),
                   "overlaps_with": _top(same.get(rule), top), "conflicts_with": _top(other.get(rule), top)}
            for rule, n in counts.items()}


def _top(counter: Counter | None, n: int) -> str:
    return "; ".join(f"{k} ({v})" for k, v in counter.most_common(n)) if counter else ""


def false_positives(pred: pd.DataFrame, gold: pd.DataFrame, evaluated: set[str], per_rule: int = 5) -> pd.DataFrame:
    """The most frequent false positives of each rule (same folded text counted together), with an example."""
    scored = pred[pred["doc_id"].isin(evaluated)]
    wrong = scored[~match_spans(scored, gold)[0]].assign(key=lambda d: d["text"].map(fold))
    rows = []
    for (rule, _), group in wrong.groupby(["rule", "key"], sort=False):
        first = group.iloc[0]
        rows.append({"rule": rule, "label": first["label"], "text": first["text"], "n": len(group),
                     "doc_id": first["doc_id"], "sentence": first["sentence"]})
    table = pd.DataFrame(rows, columns=FALSE_POSITIVE_COLUMNS)
    table = table.sort_values(["rule", "n", "text"], ascending=[True, False, True])
    return table.groupby("rule").head(per_rule).reset_index(drop=True)


def _frequent_false_positives(wrong: pd.DataFrame, top: int = 3) -> dict[str, str]:
    return {rule: "; ".join(f"« {text} » ×{n}" for text, n in Counter(group["text"].map(fold)).most_common(top))
            for rule, group in wrong.groupby("rule")}


def missed_spans(pred: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """The corrected spans no prediction of the same label overlaps, with the labels the rules did
    put on those characters (a relabelled span) in `also_predicted_as`."""
    missed = gold[~match_spans(pred, gold)[1]]
    return missed.assign(also_predicted_as=overlapping_labels(missed, pred))[MISS_COLUMNS].reset_index(drop=True)


def rubber_stamps(annotations: pd.DataFrame | None, min_seconds: float = MIN_REVIEW_SECONDS) -> set[str]:
    """The articles whose chosen annotation (annotations.csv of `annotator pull`) was submitted with no
    span changed in under `min_seconds`: a rubber stamp, not a review. A pull older than the
    `lead_time` and `changed` columns gives none."""
    if annotations is None or not {"lead_time", "changed"} <= set(annotations):
        return set()
    seconds = pd.to_numeric(annotations["lead_time"], errors="coerce")
    unchanged = ~annotations["changed"].astype(str).str.lower().isin(("true", "1", "yes"))
    return set(annotations.loc[unchanged & (seconds < min_seconds), "doc_id"].astype(str))


def without_rubber_stamps(run, min_seconds: float = MIN_REVIEW_SECONDS):
    """The run (`reporting.RunData`) with its rubber-stamped articles no longer counted as corrected,
    and those articles' doc_ids: precision and recall are then measured on real reviews only."""
    stamped = rubber_stamps(run.judgements, min_seconds) & run.evaluated
    if not stamped:
        return run, stamped
    return replace(run, evaluated=run.evaluated - stamped, corrected=_without(run.corrected, stamped),
                   corrected_profiles=_without(run.corrected_profiles, stamped)), stamped


def _without(table: pd.DataFrame | None, doc_ids: set[str]) -> pd.DataFrame | None:
    return None if table is None else table[~table["doc_id"].astype(str).isin(doc_ids)].reset_index(drop=True)
