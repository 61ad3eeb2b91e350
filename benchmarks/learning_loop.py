"""Does one round of corrections improve the next articles? The rules are tuned on all the gold there
is, so knowledge is first taken away: a random fifth of the lexicon entries (source heads, modal
words) and verb lemmas is removed from a copy of the rules. The gold articles are split in two
halves; one half's gold plays the analysts' corrections, its candidates are estimated (the other
half's texts are the uncorrected sample) and accepted (`rules accept`: recommended ones, then all of
them), and the other half is scored; then the halves swap. Printed: the F1 the ablation lost on the
unseen half and the share of it the accepted candidates win back, with the precision change.

    python benchmarks/learning_loop.py [--gold ../shared/gold/real_dev.jsonl] [--seeds 0 1 2] [--ceiling]

With `--ceiling`, each round also restores exactly the removed entries that the corrected half's gold
needs (each alone finds more of its gold spans): the share a perfect candidate finder would win back.

The articles are parsed once; every rule variant is matched on the cached parses (see annotator.replay).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from annotator.accept import ExampleRunner, accept
from annotator.candidates import candidates, load_parser
from annotator.estimate import estimate
from annotator.nlp import load_pipeline
from annotator.quality import missed_spans
from annotator.read import Article
from annotator.replay import ParsedArticle, parse_once, rules_of, spans_with
from annotator.rules import DEFAULT_RULES_DIR, load_rules
from annotator.scoring import match_spans, scores

SHARED = Path(os.environ.get("ANNOTATOR_SHARED", Path(__file__).resolve().parents[2] / "shared"))
ABLATED_LISTS = {"verbs.yml": ("groups", "lemmas"), "hedges.yml": ("modal", None)}
SOURCE_HEADS = ("media_heads", "document_heads", "anonymous_heads", "vague_heads", "people_heads")


def ablate(source: Path, target: Path, seed: int, share: float = 0.2,
           keep: frozenset = frozenset()) -> list[tuple[str, str]]:
    """Copy the rules to `target` without a random `share` of the verb lemmas, source head words and
    modal lemmas and words (comments are lost in the copy), except the entries of `keep`; the
    entries removed, as (list, word) pairs. The same seed removes the same entries."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    rng = random.Random(seed)
    removed: list[tuple[str, str]] = []

    def thin(words: list, where: str) -> list:
        kept = []
        for word in words:
            if rng.random() >= share or (where, str(word)) in keep:
                kept.append(word)
            else:
                removed.append((where, str(word)))
        return kept or words[:1]

    verbs = yaml.safe_load((source / "verbs.yml").read_text(encoding="utf-8"))
    for n, group in enumerate(verbs["groups"]):
        group["lemmas"] = thin(group["lemmas"], f"verbs group {n}")
    sources = yaml.safe_load((source / "sources.yml").read_text(encoding="utf-8"))
    for key in SOURCE_HEADS:
        sources[key]["words"] = thin(sources[key]["words"], key)
    hedges = yaml.safe_load((source / "hedges.yml").read_text(encoding="utf-8"))
    for n, rule in enumerate(hedges["modal"]):
        field = "lemmas" if "lemmas" in rule else "words"
        rule[field] = thin(rule[field], f"modal rule {n}")
    for name, data in (("verbs.yml", verbs), ("sources.yml", sources), ("hedges.yml", hedges)):
        (target / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096,
                                                  default_flow_style=None), encoding="utf-8")
    return removed


def ceiling_rules(seed: int, removed: list[tuple[str, str]], corrected: list, gold: pd.DataFrame, nlp,
                  base_tp: int, target: Path) -> Path:
    """The ablated rules with exactly the removed entries that the corrected articles' gold shows
    (each alone finds more of its spans there): what a perfect candidate finder could give back."""
    shown = []
    for entry in removed:
        ablate(DEFAULT_RULES_DIR, target, seed, keep=frozenset({entry}))
        spans = spans_with(corrected, rules_of(target, nlp))
        if int(match_spans(spans, gold)[0].sum()) > base_tp:
            shown.append(entry)
    ablate(DEFAULT_RULES_DIR, target, seed, keep=frozenset(shown))
    return target


def read_gold(path: Path, texts: Path) -> tuple[list[Article], pd.DataFrame]:
    articles, spans = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            articles.append(Article(record["doc_id"], (texts / f"{record['doc_id']}.txt").read_text(encoding="utf-8")))
            spans += [{"doc_id": record["doc_id"], **s} for s in record["spans"]]
    return articles, pd.DataFrame(spans)


def with_sentences(gold: pd.DataFrame, parsed: list[ParsedArticle]) -> pd.DataFrame:
    """The gold spans with the sentence each starts in (from the parses), as corrections carry it."""
    sentences = {p.article.doc_id: [(o + s.start_char, o + s.end_char) for o, d in p.paragraphs for s in d.sents]
                 for p in parsed}
    texts = {p.article.doc_id: p.article.text for p in parsed}
    found = []
    for row in gold.itertuples():
        span = next(((a, b) for a, b in sentences[row.doc_id] if a <= row.start < b), (row.start, row.end))
        found.append(texts[row.doc_id][span[0]:span[1]].strip())
    return gold.assign(sentence=found)


def f1_and_precision(pred: pd.DataFrame, gold: pd.DataFrame) -> tuple[float, float]:
    figures = scores(int(match_spans(pred, gold)[0].sum()), len(pred), len(gold))
    return figures["f1"], figures["precision"]


def one_round(seed: int, half: list[str], other: list[str], parsed, gold, nlp, parser, runner, full,
              ceiling: bool) -> dict:
    """Ablate, correct `half`, accept candidates, score `other`: the F1 and precision of each stage there."""
    with tempfile.TemporaryDirectory(prefix="loop-") as tmp:
        ablated = Path(tmp) / "ablated"
        removed = ablate(DEFAULT_RULES_DIR, ablated, seed)
        pred = spans_with(parsed, rules_of(ablated, nlp))
        on_half, gold_half = pred[pred["doc_id"].isin(half)], gold[gold["doc_id"].isin(half)]
        found = candidates(missed_spans(on_half, gold_half), rules_of(ablated, nlp), parser)
        table = estimate(found, parsed, gold_half, set(half), ablated, nlp, pred)
        test_gold = gold[gold["doc_id"].isin(other)]
        figures = {"seed": seed, "removed": len(removed), "n_candidates": len(table),
                   "n_recommended": int(table["recommended"].sum())}
        if ceiling:
            best = ceiling_rules(seed, removed, [p for p in parsed if p.article.doc_id in half], gold_half, nlp,
                                 int(match_spans(on_half, gold_half)[0].sum()), Path(tmp) / "ceiling")
            after = spans_with(parsed, rules_of(best, nlp))
            figures["ceiling"] = f1_and_precision(after[after["doc_id"].isin(other)], test_gold)
        for stage, rows in (("recommended", table[table["recommended"]]), ("all", table)):
            accepted = Path(tmp) / stage
            shutil.copytree(ablated, accepted)
            applied = [accept(r, accepted, runner) for r in rows.to_dict("records")]
            after = spans_with(parsed, rules_of(accepted, nlp))
            figures[f"{stage}_applied"] = sum(a.applied for a in applied)
            figures[stage] = f1_and_precision(after[after["doc_id"].isin(other)], test_gold)
        figures["ablated"] = f1_and_precision(pred[pred["doc_id"].isin(other)], test_gold)
        figures["full"] = f1_and_precision(full[full["doc_id"].isin(other)], test_gold)
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "gold" / "real_dev.jsonl")
    parser.add_argument("--texts", type=Path, default=None, help="default: GOLD's folder, real_dev_texts/")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--ceiling", action="store_true",
                        help="also restore exactly the removed entries the corrected half needs (about 2 min a round)")
    args = parser.parse_args()
    articles, gold = read_gold(args.gold, args.texts or args.gold.parent / "real_dev_texts")
    nlp = load_pipeline(load_rules())
    parsed = parse_once(articles, nlp)
    gold = with_sentences(gold, parsed)
    full = spans_with(parsed, rules_of(DEFAULT_RULES_DIR, nlp))
    parser_only, runner = load_parser(), ExampleRunner(nlp)
    rounds = []
    for seed in args.seeds:
        ids = [a.doc_id for a in articles]
        random.Random(seed).shuffle(ids)
        halves = ids[: len(ids) // 2], ids[len(ids) // 2:]
        for half, other in (halves, halves[::-1]):
            figures = one_round(seed, half, other, parsed, gold, nlp, parser_only, runner, full, args.ceiling)
            rounds.append(figures)
            lost = figures["full"][0] - figures["ablated"][0]
            print(f"seed {seed}: removed {figures['removed']} entries; F1 on the unseen half full "
                  f"{figures['full'][0]:.3f}, ablated {figures['ablated'][0]:.3f} (lost {lost:.3f}); "
                  + "; ".join(f"{s} ({figures[f'{s}_applied']} accepted of "
                              f"{figures['n_recommended'] if s == 'recommended' else figures['n_candidates']}) "
                              f"F1 {figures[s][0]:.3f}, P {figures[s][1] - figures['ablated'][1]:+.3f}"
                              for s in ("recommended", "all"))
                  + (f"; ceiling F1 {figures['ceiling'][0]:.3f}" if args.ceiling else ""), flush=True)
    lost = sum(r["full"][0] - r["ablated"][0] for r in rounds)
    for stage in ("recommended", "all", "ceiling")[: 3 if args.ceiling else 2]:
        won = sum(r[stage][0] - r["ablated"][0] for r in rounds)
        precision = statistics.mean(r[stage][1] - r["ablated"][1] for r in rounds)
        print(f"{stage}: recovered {won / lost:.0%} of the F1 lost ({lost / len(rounds):.3f} on average over "
              f"{len(rounds)} rounds, seeds {args.seeds}); precision change {100 * precision:+.1f} points")


if __name__ == "__main__":
    main()
