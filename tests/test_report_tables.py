"""The editor's tables: French number formats, no NaN, no index, escaped text, short unique plot labels
and the « À surveiller » table, least transparent article first."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from annotator import report_tables as rt
from annotator.reporting import article_profiles, article_spans, load_run

DATA = Path(__file__).resolve().parent / "data" / "report"


def test_french_formats_and_blank_undefined_cells():
    assert (rt.percent(0.44), rt.decimal(67.23), rt.percent(float("nan")), rt.decimal(None)) == (
        "44\u202f%", "67,2", "", "")
    table = rt.french(pd.DataFrame({"share": [0.5, None], "score": [0.667, float("nan")]}), shares=("share",),
                      numbers=("score",), digits=2)
    assert table.to_dict("list") == {"share": ["50\u202f%", ""], "score": ["0,67", ""]}


def test_html_tables_escape_text_and_have_no_index():
    html = rt.html_table(pd.DataFrame({"Titre": ["<script>alert(1)</script>"], "n": [None]}))
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "NaN" not in html
    assert "<th></th>" not in html  # no index column


def test_watch_list_puts_the_least_transparent_first_with_an_example():
    run = load_run(DATA / "annotate", DATA / "corrections")
    articles, spans = article_profiles(run), article_spans(run)
    watch = rt.watch_list(articles, spans, n=5)
    worst = articles.sort_values("transparency_score").iloc[0]
    assert len(watch) == 5 and watch.loc[0, "Score"] == rt.decimal(worst["transparency_score"])
    assert watch["Exemple"].str.len().gt(0).all() and not watch.isna().any().any()
    labels = rt.short_titles(articles)
    assert labels.is_unique and labels.str.len().le(rt.SHORT_TITLE).all()
    assert "MERCATO" not in set(labels) and "a04_transfert_football" in set(labels)
