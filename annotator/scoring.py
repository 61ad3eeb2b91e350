"""Span scoring, shared by `annotator score` and the rule-quality report.

A predicted span matches a gold span of the same label when they share at least one character; each
span is matched at most once, greedily by overlap length, ties broken as ../shared/tools/score_spans.py
breaks them (so the counts are that scorer's). Spans are DataFrames with at least the columns doc_id,
label, start and end, in the order of their file.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .spans import HEDGE_LABELS, LABELS, SOURCE_LABELS

DIGITS = 3
MICRO = "micro (all labels)"
GROUPS = {"SOURCE (any type)": SOURCE_LABELS, "HEDGE (any type)": HEDGE_LABELS}
DIFF_COLUMNS = ["doc_id", "kind", "label", "start", "end", "text", "rule", "other_side", "sentence"]
RULE_COLUMNS = ["rule", "labels", "predicted", "tp", "fp", "precision"]


def match_spans(pred: pd.DataFrame, gold: pd.DataFrame, classes: dict[str, str] | None = None
                ) -> tuple[pd.Series, pd.Series]:
    """Boolean Series over `pred` and `gold` rows: matched (a true positive) or not. With `classes`,
    labels mapped to the same class match each other (a label group)."""
    pred_hit = pd.Series(False, index=pred.index)
    gold_hit = pd.Series(False, index=gold.index)
    if pred.empty or gold.empty:
        return pred_hit, gold_hit
    pred_key = pred["label"].map(classes) if classes else pred["label"]
    gold_key = gold["label"].map(classes) if classes else gold["label"]
    gold_groups = gold.groupby([gold["doc_id"], gold_key]).groups
    for key, p_index in pred.groupby([pred["doc_id"], pred_key]).groups.items():
        g_index = gold_groups.get(key)
        if g_index is None:
            continue
        pairs = _greedy(gold.loc[g_index, ["start", "end"]].to_numpy(), pred.loc[p_index, ["start", "end"]].to_numpy())
        for i, j in pairs:
            gold_hit[g_index[i]] = pred_hit[p_index[j]] = True
    return pred_hit, gold_hit


def _greedy(gold: np.ndarray, pred: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs (gold row, pred row) of overlapping ranges, largest overlap first."""
    pairs = []
    for i, (gs, ge) in enumerate(gold):
        for j, (ps, pe) in enumerate(pred):
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                pairs.append((overlap, i, j))
    used_gold, used_pred, kept = set(), set(), []
    for _, i, j in sorted(pairs, reverse=True):
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            kept.append((i, j))
    return kept


def scores(tp: int, n_predicted: int, n_gold: int) -> dict[str, float | int]:
    """Precision, recall and F1 as the shared scorer computes them (0.0 when undefined), with the counts."""
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold": n_gold, "predicted": n_predicted, "tp": tp}


def ratio(part: int, whole: int) -> float:
    """part / whole rounded to 3 decimals; NaN (a blank cell) when whole is 0."""
    return round(part / whole, DIGITS) if whole else math.nan


def prf(tp: int, n_predicted: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 (= 2tp / (predicted + gold)) rounded for a report table, blank when undefined."""
    return {"precision": ratio(tp, n_predicted), "recall": ratio(tp, n_gold),
            "f1": ratio(2 * tp, n_predicted + n_gold)}


def score_table(gold: pd.DataFrame, pred: pd.DataFrame, n_articles: int) -> dict[str, dict]:
    """The shared scorer's table: scores per label, per group (SOURCE, HEDGE: any label of the group
    matches any other), micro over the labels, and analyst edits (deletions + additions) per article.
    `pred` holds the predictions of the gold articles only."""
    table = {}
    hits = match_spans(pred, gold)[0]
    for label in LABELS:
        mine = pred["label"] == label
        table[label] = scores(int(hits[mine].sum()), int(mine.sum()), int((gold["label"] == label).sum()))
    for name, members in GROUPS.items():
        classes = dict.fromkeys(members, name)
        in_pred, in_gold = pred[pred["label"].isin(members)], gold[gold["label"].isin(members)]
        table[name] = scores(int(match_spans(in_pred, in_gold, classes)[0].sum()), len(in_pred), len(in_gold))
    tp, n_pred, n_gold = (sum(table[label][k] for label in LABELS) for k in ("tp", "predicted", "gold"))
    table[MICRO] = {**scores(tp, n_pred, n_gold), "edits_per_doc": ((n_pred - tp) + (n_gold - tp)) / max(n_articles, 1)}
    return table


def overlapping_labels(spans: pd.DataFrame, others: pd.DataFrame) -> list[str]:
    """For each row of `spans`, the labels of the `others` rows of its article that overlap it."""
    by_doc = dict(tuple(others.groupby("doc_id"))) if len(others) else {}
    found = []
    for row in spans.itertuples():
        doc = by_doc.get(row.doc_id)
        hit = set() if doc is None else set(doc.loc[(doc["start"] < row.end) & (doc["end"] > row.start), "label"])
        found.append(", ".join(sorted(hit)))
    return found


def diff(gold: pd.DataFrame, pred: pd.DataFrame) -> pd.DataFrame:
    """Every miss (a gold span no prediction matched) and every wrong span (a prediction no gold span
    matched), in article order. `other_side` lists the labels of the overlapping spans of the other
    side: a relabelled span is a miss and a wrong span, each naming the other's label. Columns text,
    rule and sentence are taken from the spans when they have them."""
    pred_hit, gold_hit = match_spans(pred, gold)
    missed, wrong = gold[~gold_hit], pred[~pred_hit]
    parts = [missed.assign(kind="missed", rule="", other_side=overlapping_labels(missed, pred)),
             wrong.assign(kind="wrong", other_side=overlapping_labels(wrong, gold))]
    table = pd.concat([p.reindex(columns=DIFF_COLUMNS) for p in parts], ignore_index=True)
    for column in ("text", "rule", "sentence"):
        table[column] = table[column].fillna("").astype(str)
    order = {doc: i for i, doc in enumerate(dict.fromkeys(gold["doc_id"]))}
    table = table.assign(order=table["doc_id"].map(order))
    return table.sort_values(["order", "start", "end", "kind"], kind="stable").drop(columns="order") \
        .reset_index(drop=True)


def rule_precision(pred: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Precision per rule id on the gold articles, the least precise rules first."""
    hit = match_spans(pred, gold)[0]
    rows = []
    for rule, index in pred.groupby("rule", sort=True).groups.items():
        tp, n = int(hit[index].sum()), len(index)
        labels = sorted(set(pred.loc[index, "label"]), key=LABELS.index)
        rows.append({"rule": rule, "labels": "+".join(labels), "predicted": n, "tp": tp, "fp": n - tp,
                     "precision": round(tp / n, DIGITS)})
    table = pd.DataFrame(rows, columns=RULE_COLUMNS)
    return table.sort_values(["precision", "predicted", "rule"], ascending=[True, False, True]).reset_index(drop=True)
