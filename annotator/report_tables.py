"""The report's tables as an editor reads them: French number formats (`44 %`, `67,2`), no index
column, no `NaN`, every text escaped, short article titles for plot labels, and the "À surveiller"
table that opens the sourcing report."""
from __future__ import annotations

import pandas as pd

from .headlines import headline, is_headline
from .reporting import published_rating

SHORT_TITLE = 38
EXAMPLE_CHARS = 180
WATCH_LABELS = ("SOURCE_ANONYMOUS", "SOURCE_VAGUE", "HEDGE_CONDITIONAL", "HEDGE_MODAL")
BASIS_FR = {"rules": "règles", "corrected": "corrigé"}
STYLE = "<style>table.rapport th, table.rapport td {text-align: left !important; vertical-align: top}</style>"
QUALITY_FR = {
    "name": "Règle ou étiquette", "labels": "Étiquettes", "n_spans": "Passages",
    "coverage_articles": "Articles couverts",
    "coverage_sentences": "Phrases couvertes", "overlaps": "Chevauchements", "conflicts": "Conflits",
    "overlaps_with": "Chevauche surtout", "conflicts_with": "En conflit surtout avec", "n_predicted": "Prédits",
    "n_corrected": "Corrigés", "tp": "Justes", "fp": "Faux positifs", "fn": "Manqués", "precision": "Précision",
    "recall": "Rappel", "f1": "F1", "frequent_false_positives": "Faux positifs fréquents (exemples)",
    "rule": "Règle", "label": "Étiquette", "text": "Passage", "n": "Fois", "doc_id": "Article", "sentence": "Phrase",
}


def percent(value) -> str:
    """0.44 as `44 %` (narrow no-break space, as French typography wants); "" when undefined."""
    return "" if pd.isna(value) else f"{round(100 * float(value)):d}\u202f%"


def decimal(value, digits: int = 1) -> str:
    """67.23 as `67,2`; "" when undefined."""
    return "" if pd.isna(value) else f"{float(value):.{digits}f}".replace(".", ",")


def article_title(title, doc_id) -> str:
    """The article's headline, its doc_id when the title is page furniture (a rubric, a menu)."""
    title = "" if pd.isna(title) else str(title)
    return headline(title, "") if is_headline(title) else str(doc_id)


def short_titles(articles: pd.DataFrame) -> pd.Series:
    """A short, unique label per article for plots: its title cut to SHORT_TITLE characters."""
    labels = []
    for doc_id, title in zip(articles["doc_id"], articles["title"]):
        text = article_title(title, doc_id)
        labels.append(_cut(text, SHORT_TITLE))
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[i] = f"{label} ({seen[label]})"
    return pd.Series(labels, index=articles.index)


def example_sentences(spans: pd.DataFrame) -> dict[str, str]:
    """Per article, the first sentence holding an anonymous or vague source or a hedge, cut short."""
    watched = spans[spans["label"].isin(WATCH_LABELS) & (spans["sentence"].fillna("") != "")]
    first = watched.sort_values(["doc_id", "start"]).drop_duplicates("doc_id")
    return {doc: _cut(" ".join(sentence.split()), EXAMPLE_CHARS) for doc, sentence in zip(first["doc_id"],
                                                                                          first["sentence"])}


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def watch_list(articles: pd.DataFrame, spans: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The articles to watch, least transparent first: title, outlet and rating, shares of anonymous or
    vague sources and of hedged sentences, score, basis, the analyst's judgement and comment, and one
    example sentence; every figure already formatted the French way."""
    examples = example_sentences(spans)
    top = articles.sort_values(["transparency_score", "share_anonymous_or_vague_sources"],
                               ascending=[True, False]).head(n)
    rating = [published_rating(r, s) for r, s in zip(top["outlet_rating"], top["outlet_rating_source"])]
    return pd.DataFrame({
        "Titre": [article_title(t, d) for t, d in zip(top["title"], top["doc_id"])],
        "Média (notation)": [f"{o or '(inconnu)'} ({r})" for o, r in zip(top["outlet_group"], rating)],
        "Sources anonymes ou vagues": top["share_anonymous_or_vague_sources"].map(percent),
        "Phrases modalisées": top["share_sentences_hedged"].map(percent),
        "Score": top["transparency_score"].map(decimal),
        "Base": top["basis"].map(BASIS_FR).fillna(""),
        "Jugement": top["analyst_judgement"].fillna(""),
        "Commentaire": top["analyst_comment"].fillna(""),
        "Exemple": top["doc_id"].map(examples).fillna(""),
    }).reset_index(drop=True)


def html_table(table: pd.DataFrame) -> str:
    """A table as HTML without its index, every cell escaped, undefined cells blank, left-aligned."""
    return STYLE + table.to_html(index=False, escape=True, na_rep="", border=0, classes="rapport")


def french(table: pd.DataFrame, shares: tuple[str, ...] = (), numbers: tuple[str, ...] = (),
           digits: int = 1) -> pd.DataFrame:
    """The table with `shares` as percentages and `numbers` with a decimal comma (`digits` after it),
    undefined cells blank."""
    out = table.copy()
    for column in shares:
        out[column] = out[column].map(percent)
    for column in (c for c in numbers if c in out):
        out[column] = out[column].map(lambda v: decimal(v, digits))
    return out.astype(object).where(out.notna(), "")
