"""The sourcing profile of an article, computed from its spans alone, and its transparency score
(weights in rules/profile.yml)."""
from __future__ import annotations

import re

from .outlets import OUTLET_COLUMNS, outlet_columns, registry_of
from .rules import Rules, fold
from .spans import HEDGE_LABELS, LABELS, SOURCE_LABELS, Span

META_COLUMNS = ["doc_id", "title", "author", "date", "outlet", "n_words", "n_sentences"]
COUNT_COLUMNS = [f"n_{label}" for label in LABELS]
SHARE_COLUMNS = ["n_distinct_named_sources", "share_sentences_attributed", "share_sentences_hedged",
                 "share_anonymous_or_vague_sources"]
COMPONENTS = ["identified_sources", "attribution", "certainty", "quotes_attributed"]
PROFILE_COLUMNS = [*META_COLUMNS, *COUNT_COLUMNS, *SHARE_COLUMNS, "transparency_score",
                   *[f"component_{c}" for c in COMPONENTS], "transparency_explained", *OUTLET_COLUMNS]
ARTICLES = re.compile(r"^(le|la|les|l'|un|une|des|du|de la|de l')\s*")


def build_profile(doc_id: str, spans: list[Span], sentences: list[tuple[int, int]], n_words: int,
                  meta: dict, rules: Rules, url: str = "") -> dict:
    """One profiles.csv row: counts, shares, the transparency score with its components, and the
    outlet columns (the article's own outlet from its `url` or its byline, the rated media it cites)."""
    counts = {label: sum(1 for s in spans if s.label == label) for label in LABELS}
    n_sources = sum(counts[label] for label in SOURCE_LABELS)
    attributed = _sentences_with(spans, sentences, lambda s: s.label == "CUE" or s.label in SOURCE_LABELS)
    hedged = _sentences_with(spans, sentences, lambda s: s.label in HEDGE_LABELS)
    n_sent = len(sentences)
    shares = {
        "n_distinct_named_sources": len({ARTICLES.sub("", fold(s.text)) for s in spans if s.label == "SOURCE_NAMED"}),
        "share_sentences_attributed": round(attributed / n_sent, 4) if n_sent else 0.0,
        "share_sentences_hedged": round(hedged / n_sent, 4) if n_sent else 0.0,
        "share_anonymous_or_vague_sources": round(
            (counts["SOURCE_ANONYMOUS"] + counts["SOURCE_VAGUE"]) / n_sources, 4) if n_sources else 0.0,
    }
    components = _components(spans, sentences, shares, n_sources, rules.transparency)
    weights = rules.transparency["weights"]
    total = sum(weights.get(c, 0) for c in COMPONENTS) or 1
    score = 100 * sum(weights.get(c, 0) * components[c] for c in COMPONENTS) / total
    row = {"doc_id": doc_id, **{k: meta.get(k, "") for k in ("title", "author", "date", "outlet")},
           "n_words": n_words, "n_sentences": n_sent, **{f"n_{k}": v for k, v in counts.items()}, **shares,
           "transparency_score": round(score, 1),
           **{f"component_{c}": round(components[c], 4) for c in COMPONENTS}}
    row["transparency_explained"] = " + ".join(
        f"{c} {components[c]:.2f}×{weights.get(c, 0)}" for c in COMPONENTS) + f" / {total} → {score:.1f}"
    outlet = outlet_columns(spans, row["outlet"], url, registry_of(rules))
    row["outlet"] = row["outlet"] or outlet.pop("outlet_name")  # no byline outlet: the registry's, from the url
    return {**row, **{k: outlet[k] for k in OUTLET_COLUMNS}}


def sentence_index(start: int, sentences: list[tuple[int, int]]) -> int:
    """The number of the sentence holding character `start` (-1 outside every sentence)."""
    return next((i for i, (a, b) in enumerate(sentences) if a <= start < b), -1)


def _sentences_with(spans: list[Span], sentences: list[tuple[int, int]], keep) -> int:
    hit = {sentence_index(s.start, sentences) for s in spans if keep(s)}
    hit.discard(-1)
    return len(hit)


def _components(spans: list[Span], sentences: list[tuple[int, int]], shares: dict, n_sources: int,
                cfg: dict) -> dict[str, float]:
    quotes = [s for s in spans if s.label == "QUOTE"]
    attributing = {sentence_index(s.start, sentences) for s in spans if s.label == "CUE" or s.label in SOURCE_LABELS}
    attributed_quotes = [q for q in quotes if q.cue_start >= 0 or sentence_index(q.start, sentences) in attributing]
    return {
        "identified_sources": 1 - shares["share_anonymous_or_vague_sources"] if n_sources else 0.0,
        "attribution": min(1.0, shares["share_sentences_attributed"] / cfg["attribution_target"]),
        "certainty": max(0.0, 1 - shares["share_sentences_hedged"] / cfg["hedging_ceiling"]),
        "quotes_attributed": len(attributed_quotes) / len(quotes) if quotes else 1.0,
    }
