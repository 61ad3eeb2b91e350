"""What each candidate rule would do on articles it was not derived from, before anyone accepts it.

Each candidate is applied alone to a copy of the rules and run on the cached parses (`replay`):
- on the corrected articles, leave-one-article-out: on an article, its gain counts only when the
  candidate would have been proposed without that article (it was missed on some other article);
- on a sample of uncorrected articles: the spans it would add there (no gold: a precision risk).
It is recommended when it wins at least one held-out span, its held-out additions are at least as
precise as the rules already are, and it adds no more on the uncorrected articles than the
held-out ones lead to expect. With no held-out evidence either way (a word seen in one article), it
is recommended when it finds its own misses, adds no wrong span to any corrected article, and adds
at most two spans per uncorrected article (a common reporting verb adds more than one).
"""
from __future__ import annotations

import math

import pandas as pd
from spacy.language import Language

from .candidates import edit_of
from .replay import ParsedArticle, edited_rules, spans_with
from .rule_edit import EditError
from .rules import RuleError
from .scoring import match_spans, scores

ESTIMATE_COLUMNS = ["recommended", "held_out_gain_tp", "held_out_new_fp", "predicted_f1_change",
                    "adds_on_uncorrected", "would_add"]
KEY = ["doc_id", "start", "end", "label"]
RISK_FACTOR = 3.0  # adds per article on uncorrected text beyond this many times the held-out rate: too risky
BLIND_ADDS = 200.0  # adds per 100 uncorrected articles allowed to a candidate with no held-out evidence


def estimate(candidates: pd.DataFrame, parsed: list[ParsedArticle], gold: pd.DataFrame, evaluated: set[str],
             rules_dir, nlp: Language, base: pd.DataFrame) -> pd.DataFrame:
    """`candidates` with the ESTIMATE_COLUMNS, recommended candidates first. `parsed` holds the corrected
    articles and a sample of uncorrected ones; `base` the current rules' spans on them."""
    corrected = base[base["doc_id"].isin(evaluated)]
    totals = _per_doc(corrected, gold, evaluated)
    precision = scores(int(totals["tp"].sum()), int(totals["pred"].sum()), len(gold))["precision"]
    n_uncorrected = sum(1 for p in parsed if p.article.doc_id not in evaluated)
    rows = []
    for row in candidates.to_dict("records"):
        edit = edit_of(row)
        try:
            spans = spans_with(parsed, edited_rules(rules_dir, [edit], nlp)) if edit else None
        except (EditError, RuleError):
            spans = None
        rows.append(_estimate_one(row, spans, base, gold, evaluated, totals, precision, n_uncorrected))
    table = candidates.assign(**{c: [r[c] for r in rows] for c in ESTIMATE_COLUMNS})
    return table.sort_values("recommended", ascending=False, kind="stable").reset_index(drop=True)


def _per_doc(pred: pd.DataFrame, gold: pd.DataFrame, evaluated: set[str]) -> pd.DataFrame:
    """Per corrected article: true positives and predicted spans."""
    hits = match_spans(pred, gold)[0]
    table = pd.DataFrame({"tp": hits.groupby(pred["doc_id"]).sum(), "pred": pred.groupby("doc_id").size()})
    return table.reindex(sorted(evaluated), fill_value=0).fillna(0).astype(int)


def _estimate_one(row: dict, spans: pd.DataFrame | None, base: pd.DataFrame, gold: pd.DataFrame,
                  evaluated: set[str], totals: pd.DataFrame, precision: float, n_uncorrected: int) -> dict:
    if spans is None:
        return {"recommended": False, "held_out_gain_tp": 0, "held_out_new_fp": 0, "predicted_f1_change": 0.0,
                "adds_on_uncorrected": math.nan, "would_add": ""}
    found_on = set(str(row["doc_ids"]).split(" | "))
    held_out = {d for d in evaluated if found_on - {d}}
    after = _per_doc(spans[spans["doc_id"].isin(evaluated)], gold, evaluated)
    delta = (after - totals).loc[sorted(held_out)]
    gain, new_fp = int(delta["tp"].sum()), int((delta["pred"] - delta["tp"]).sum())
    tp, n_pred = int(totals["tp"].sum()), int(totals["pred"].sum())
    change = scores(tp + gain, n_pred + gain + new_fp, len(gold))["f1"] - scores(tp, n_pred, len(gold))["f1"]
    added = spans.merge(base[KEY], on=KEY, how="left", indicator=True)
    added = added[added["_merge"] == "left_only"]
    on_new = added[~added["doc_id"].isin(evaluated)]
    adds = 100 * len(on_new) / n_uncorrected if n_uncorrected else math.nan
    held_rate = 100 * (gain + new_fp) / max(len(held_out), 1)
    safe = math.isnan(adds) or adds <= RISK_FACTOR * held_rate
    own = (after - totals).loc[sorted(found_on & evaluated)]
    own_gain, all_fp = int(own["tp"].sum()), int((after - totals).eval("pred - tp").sum())
    blind = gain == 0 == all_fp and own_gain >= 1 and (math.isnan(adds) or adds <= BLIND_ADDS)
    recommended = gain >= 1 and gain / (gain + new_fp) >= precision and change > 0 and safe or blind
    shown = on_new if len(on_new) else added
    return {"recommended": bool(recommended), "held_out_gain_tp": gain, "held_out_new_fp": new_fp,
            "predicted_f1_change": round(change, 4), "adds_on_uncorrected": round(adds, 1),
            "would_add": " | ".join(list(dict.fromkeys(shown["text"]))[:3])}


def estimate_run(candidates: pd.DataFrame, input_dir, gold: pd.DataFrame, evaluated: set[str],
                 rules_dir: str = "", sample: int = 100, seed: int = 0) -> pd.DataFrame:
    """`estimate` for a report: the articles' texts come from the run's tasks.json (the corrected ones
    and `sample` uncorrected ones); without it, no candidate is recommended."""
    import json
    import random
    from pathlib import Path

    from .nlp import load_pipeline
    from .read import Article
    from .replay import parse_once, rules_of
    from .rules import DEFAULT_RULES_DIR, load_rules

    tasks = Path(input_dir) / "tasks.json"
    if candidates.empty or not tasks.is_file():
        return candidates.assign(recommended=False, held_out_gain_tp=math.nan, held_out_new_fp=math.nan,
                                 predicted_f1_change=math.nan, adds_on_uncorrected=math.nan, would_add="")
    texts = {t["data"]["doc_id"]: t["data"]["text"] for t in json.loads(tasks.read_text(encoding="utf-8"))}
    others = sorted(d for d in texts if d not in evaluated)
    chosen = sorted(d for d in texts if d in evaluated) + random.Random(seed).sample(others, min(sample, len(others)))
    directory = rules_dir or DEFAULT_RULES_DIR
    nlp = load_pipeline(load_rules(directory))
    parsed = parse_once([Article(d, texts[d]) for d in chosen], nlp)
    base = spans_with(parsed, rules_of(directory, nlp))
    return estimate(candidates, parsed, gold, evaluated & set(texts), directory, nlp, base)
