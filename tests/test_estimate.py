"""The held-out estimate of candidate rules, on invented articles parsed once: a verb missed in two
corrected articles is judged on each of them with the other left out, and on an uncorrected one."""
from __future__ import annotations

import shutil

from annotator import candidates as cand
from annotator.estimate import estimate
from annotator.nlp import load_pipeline
from annotator.quality import missed_spans
from annotator.read import Article
from annotator.replay import edited_rules, parse_once, rules_of, spans_with
from annotator.rule_edit import Edit
from annotator.rules import DEFAULT_RULES_DIR, load_rules

ARTICLES = {"a1": "Le maire a bredouillé que le pont serait rouvert en mai.",
            "a2": "La directrice a bredouillé que la cantine fermerait jeudi.",
            "a3": "Le préfet a déclaré que la route était coupée.",
            "u1": "Le gardien a bredouillé que la grille resterait fermée."}
CORRECTED = {"a1", "a2", "a3"}


def test_a_verb_missed_in_two_articles_is_recommended_on_held_out_gains(tmp_path):
    nlp = load_pipeline(load_rules())
    parsed = parse_once([Article(d, t) for d, t in ARTICLES.items()], nlp)
    base = spans_with(parsed, rules_of(DEFAULT_RULES_DIR, nlp))
    # the analysts' corrections: what the rules find once they know the verb
    oracle = spans_with(parsed, edited_rules(DEFAULT_RULES_DIR, [Edit("verbs.yml", "verb.say", "lemmas", "bredouiller")],
                                             nlp))
    gold = oracle[oracle["doc_id"].isin(CORRECTED)].reset_index(drop=True)
    assert set(gold.loc[gold["label"] == "CUE", "text"]) == {"a bredouillé", "a déclaré"}
    missed = missed_spans(base[base["doc_id"].isin(CORRECTED)], gold)
    found = cand.candidates(missed, load_rules(), cand.load_parser())
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    table = estimate(found, parsed, gold, CORRECTED, rules, nlp, base)
    top = table.iloc[0]
    assert (top["id"], top["value"], top["n_articles"], top["recommended"]) == ("cue.bredouiller", "bredouiller", 2, True)
    assert top["held_out_gain_tp"] == len(missed) and top["held_out_new_fp"] == 0 and top["predicted_f1_change"] > 0
    assert top["adds_on_uncorrected"] == 200.0 and "a bredouillé" in top["would_add"]
    assert not table.iloc[1:]["recommended"].any()
