"""`annotator report`: both notebooks executed headless, on the sample corpus's predictions with a
hand-made correction set whose figures are worked out in tests/data/report/README.md, and on a
fresh `annotate` run with no corrections (rules only)."""
from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from annotator import candidates as cand
from annotator import quality as q
from annotator import scoring
from annotator.cli import main as annotator_main
from annotator.errors import UserError
from annotator.estimate import ESTIMATE_COLUMNS
from annotator.profile import PROFILE_COLUMNS
from annotator.reporting import (ARTICLE_COLUMNS, ARTICLE_SPAN_COLUMNS, OUTLET_COLUMNS, add_report_command,
                                 article_profiles, execute_notebook, load_run, read_table, write_csv)
from annotator.rule_edit import apply_edit
from annotator.rules import DEFAULT_RULES_DIR, load_rules
from annotator.spans import SPAN_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "report"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CSV_FILES = ("profiles.csv", "markers.csv", "rule_quality.csv", "candidates.csv")
NOTEBOOKS = ("sourcing_report", "rule_quality")
SOURCING_PLOTS = {"sources_par_article", "score_transparence_articles", "attribution_modalisation",
                  "sources_par_media", "score_transparence_medias", "sources_les_plus_citees",
                  "articles_sources_anonymes"}
QUALITY_PLOTS = {"qualite_par_etiquette", "precision_par_regle", "couverture_conflits", "passages_manques"}

# name: (n_predicted, n_corrected, tp, precision, recall, f1) as written in rule_quality.csv
LABEL_FIGURES = {
    "all": ("93", "95", "87", "0.935", "0.916", "0.926"),
    "SOURCE_NAMED": ("10", "12", "10", "1.0", "0.833", "0.909"),
    "SOURCE_ANONYMOUS": ("7", "7", "6", "0.857", "0.857", "0.857"),
    "SOURCE_DOCUMENT": ("1", "2", "1", "1.0", "0.5", "0.667"),
    "SOURCE_MEDIA": ("5", "5", "5", "1.0", "1.0", "1.0"),
    "SOURCE_VAGUE": ("4", "2", "2", "0.5", "1.0", "0.667"),
    "CUE": ("29", "32", "28", "0.966", "0.875", "0.918"),
    "HEDGE_CONDITIONAL": ("10", "10", "10", "1.0", "1.0", "1.0"),
    "HEDGE_MODAL": ("15", "14", "14", "0.933", "1.0", "0.966"),
    "QUOTE": ("12", "11", "11", "0.917", "1.0", "0.957"),
}
RULE_FIGURES = {
    "source.vague": ("3", "2", "2", "0.667", "1.0", "0.8"),
    "cue.selon": ("5", "32", "4", "0.8", "0.125", "0.216"),
    "source.unidentified": ("5", "7", "4", "0.8", "0.571", "0.667"),
    "hedge.modal.conditional": ("4", "14", "3", "0.75", "0.214", "0.333"),
    "source.vague_determiner": ("1", "2", "0", "0.0", "0.0", "0.0"),
    "quote.marks": ("12", "11", "11", "0.917", "1.0", "0.957"),
    "cue.de_source": ("4", "39", "4", "1.0", "0.103", "0.186"),
    "cue.citant": ("0", "32", "0", "", "0.0", "0.0"),
}
CANDIDATES = [("CUE", "citer", "2", "2"), ("SOURCE_NAMED", "marins-pompiers de marseille", "1", "1"),
              ("SOURCE_NAMED", "météo-france", "1", "1"), ("SOURCE_ANONYMOUS", "diplomate", "1", "1"),
              ("SOURCE_DOCUMENT", "document", "1", "1"), ("CUE", "prévoir", "1", "1"), ("CUE", "tabler", "1", "1")]


def report(*argv: str) -> int:
    """`annotator report ...` through the command's own parser and handler."""
    parser = argparse.ArgumentParser(prog="annotator")
    add_report_command(parser.add_subparsers())
    args = parser.parse_args(["report", *argv])
    return args.func(args)


def rows(path: Path, sep: str = ",") -> list[dict]:
    """A report CSV as Excel reads it: raw strings, BOM expected."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no UTF-8 BOM"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=sep))


@pytest.fixture(scope="session")
def corrected_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "corrected"
    assert report("--from", str(DATA / "annotate"), "--corrections", str(DATA / "corrections"), "--out", str(out),
                  "--group-outlets", str(DATA / "outlet_groups.csv")) == 0
    return out


@pytest.fixture(scope="session")
def rules_only_run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("rules_only")
    assert annotator_main(["annotate", str(ROOT / "corpus" / "sample"), "--out", str(base / "annotate"),
                           "--sep", ";"]) == 0
    assert report("--from", str(base / "annotate"), "--out", str(base / "run"), "--sep", ";") == 0
    return base / "run"


# -- the figures of the hand-made correction set ------------------------------------------------

@pytest.mark.parametrize("name", [*LABEL_FIGURES, *RULE_FIGURES])
def test_rule_quality_figures(corrected_run, name):
    row = next(r for r in rows(corrected_run / "rule_quality.csv") if r["name"] == name)
    figures = LABEL_FIGURES.get(name) or RULE_FIGURES[name]
    assert tuple(row[k] for k in ("n_predicted", "n_corrected", "tp", "precision", "recall", "f1")) == figures
    assert int(row["fp"]) == int(row["n_predicted"]) - int(row["tp"])


def test_coverage_overlaps_and_conflicts(corrected_run):
    table = {r["name"]: r for r in rows(corrected_run / "rule_quality.csv")}
    assert (table["cue.selon"]["coverage_articles"], table["cue.selon"]["coverage_sentences"]) == ("1.0", "0.076")
    assert (table["cue.de_source"]["coverage_articles"], table["cue.de_source"]["coverage_sentences"]) == \
        ("0.357", "0.016")
    assert table["cue.de_source"]["labels"] == "SOURCE_ANONYMOUS+CUE"
    assert table["verb.assess"]["conflicts"] == "0.5"
    assert table["verb.assess"]["conflicts_with"] == "hedge.conditional (3)"
    assert table["verb.assess"]["overlaps"] == "0.0"
    assert table["source.vague"]["frequent_false_positives"] == "« des spécialistes des feux de forêt » ×1"
    assert table["all"]["fn"] == "8" and table["SOURCE_NAMED"]["overlaps"] == ""


def test_candidates_group_the_misses_by_label_and_lemma(corrected_run):
    found = rows(corrected_run / "candidates.csv")
    assert [(r["label"], r["key"], r["n_misses"], r["n_articles"]) for r in found] == CANDIDATES
    by_key = {r["key"]: r for r in found}
    assert by_key["diplomate"]["also_predicted_as"] == "SOURCE_VAGUE"
    # typed vague because the anonymous heads lack the word: adding it there is the edit
    assert by_key["diplomate"]["why_missed"] == ("label confusion: the rules found these sources but typed them "
                                                 "SOURCE_VAGUE; anonymous_heads lacks it")
    assert (by_key["diplomate"]["rule_file"], by_key["diplomate"]["field"]) == ("sources.yml", "words")
    assert by_key["citer"]["rule_file"] == "" and by_key["tabler"]["examples"] == "tablent sur"
    assert by_key["citer"]["why_missed"].startswith("parse error: citer is in verb.cite")
    assert sum(int(r["n_misses"]) for r in found) == 8
    # the test run has no tasks.json: no text to try the candidates on, none recommended
    assert {r["recommended"] for r in found} == {"False"} and {r["held_out_gain_tp"] for r in found} == {""}


def test_sourcing_exports_use_the_corrections(corrected_run):
    profiles = {r["doc_id"]: r for r in rows(corrected_run / "profiles.csv")}
    assert list(next(iter(profiles.values()))) == ARTICLE_COLUMNS
    assert {d for d, r in profiles.items() if r["basis"] == "corrected"} == \
        {"a05_sommet_budget_ue", "a06_cyberattaque_hopital", "a12_incendie_etoile"}
    assert profiles["a12_incendie_etoile"]["n_SOURCE_NAMED"] == "5"
    assert (profiles["a05_sommet_budget_ue"]["n_sources"], profiles["a05_sommet_budget_ue"]["share_SOURCE_ANONYMOUS"]) \
        == ("9", "0.111")
    origins = pd.Series([r["origin"] for r in rows(corrected_run / "markers.csv")]).value_counts().to_dict()
    assert origins == {"rules": 330, "kept": 87, "added": 8}
    outlets = {r["outlet_group"]: r for r in rows(corrected_run / "outlets.csv")}
    assert list(next(iter(outlets.values()))) == OUTLET_COLUMNS
    assert outlets["Presse régionale"]["n_articles"] == "3" and outlets["(non renseigné)"]["n_articles"] == "7"


# -- the run folders ----------------------------------------------------------------------------

@pytest.mark.parametrize("run, plots", [("corrected_run", SOURCING_PLOTS | QUALITY_PLOTS),
                                        ("rules_only_run", SOURCING_PLOTS | {"couverture_conflits"})])
def test_run_folder_holds_notebooks_html_plots_and_csvs(request, run, plots):
    folder = request.getfixturevalue(run)
    assert {p.stem for p in folder.glob("*.png")} == plots
    for png in folder.glob("*.png"):
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5000, png.name
    assert all((folder / name).is_file() for name in CSV_FILES)
    for name in NOTEBOOKS:
        executed = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"], name
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html and 'data-mime-type="application/vnd.jupyter.stderr"' not in html
        assert html.count("<img") >= 1


def test_rules_only_run_measures_coverage_and_writes_french_excel_csv(rules_only_run):
    quality = rows(rules_only_run / "rule_quality.csv", sep=";")
    assert list(quality[0]) == q.RULE_QUALITY_COLUMNS
    assert all(r["precision"] == "" and r["n_corrected"] == "0" for r in quality)
    assert next(r for r in quality if r["name"] == "cue.selon")["coverage_articles"] == "1,0"
    header = (rules_only_run / "candidates.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert header == [";".join([*cand.CANDIDATE_COLUMNS, *ESTIMATE_COLUMNS])]
    markers = rows(rules_only_run / "markers.csv", sep=";")
    assert list(markers[0]) == ARTICLE_SPAN_COLUMNS and {r["origin"] for r in markers} == {"rules"}
    assert any("é" in r["text"] for r in markers)


# -- the pieces ---------------------------------------------------------------------------------

# (tp, predicted, gold) per label printed by shared/tools/score_spans.py for these predictions
SCORER = {"SOURCE_NAMED": (39, 47, 71), "SOURCE_ANONYMOUS": (21, 31, 34), "SOURCE_DOCUMENT": (11, 11, 20),
          "SOURCE_MEDIA": (17, 18, 31), "SOURCE_VAGUE": (10, 15, 16), "CUE": (134, 141, 168),
          "HEDGE_CONDITIONAL": (40, 46, 41), "HEDGE_MODAL": (45, 45, 45), "QUOTE": (67, 69, 72),
          "all": (384, 423, 498)}


def test_matching_agrees_with_the_shared_scorer():
    """The sample gold set as corrections: the same matches as shared/tools/score_spans.py."""
    predicted = read_table(DATA / "annotate" / "markers.csv")
    gold = pd.DataFrame([{"doc_id": doc["doc_id"], **span} for line in (ROOT / "corpus" / "sample_gold.jsonl").open()
                         for doc in [json.loads(line)] for span in doc["spans"]])
    table = q.rule_quality(predicted, gold, set(gold["doc_id"]), 14, 316).set_index("name")
    assert {k: tuple(table.loc[k, ["tp", "n_predicted", "n_corrected"]]) for k in SCORER} == SCORER


def test_prf_rounds_to_three_decimals_and_leaves_undefined_blank():
    assert scoring.prf(2, 3, 4) == {"precision": 0.667, "recall": 0.5, "f1": 0.571}
    scores = scoring.prf(0, 0, 0)
    assert all(math.isnan(v) for v in scores.values())


def test_chosen_annotations_only(tmp_path):
    table = read_table(DATA / "corrections" / "markers_corrected.csv")
    assert set(table["annotator"]) == {"alice", "bob"}
    shutil.copy(DATA / "corrections" / "profiles_corrected.csv", tmp_path)
    write_csv(table.drop(columns="chosen")[table["annotator"] == "alice"], tmp_path / "markers_corrected.csv", ";")
    with_column = load_run(DATA / "annotate", DATA / "corrections")
    without_column = load_run(DATA / "annotate", tmp_path)
    assert len(with_column.corrected) == len(without_column.corrected) == 95
    assert with_column.evaluated == without_column.evaluated


def test_csv_writer_round_trip_keeps_accents_with_either_separator(tmp_path):
    table = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Météo-France; « été »", "ça"], "score": [0.667, None]})
    for sep, decimal in ((",", "0.667"), (";", "0,667")):
        path = write_csv(table, tmp_path / "t.csv", sep)
        assert rows(path, sep)[0] == {"doc_id": "a", "text": "Météo-France; « été »", "score": decimal}
        assert rows(path, sep)[1]["score"] == ""
        assert read_table(path)["text"].tolist() == table["text"].tolist()


def test_missing_inputs_are_refused_clearly(tmp_path):
    with pytest.raises(UserError, match="no markers.csv in .*annotator annotate"):
        report("--from", str(tmp_path), "--out", str(tmp_path / "run"))
    with pytest.raises(UserError, match="no markers_corrected.csv .*annotator pull"):
        report("--from", str(DATA / "annotate"), "--corrections", str(tmp_path), "--out", str(tmp_path / "run"))
    with pytest.raises(UserError, match="is an input folder"):
        report("--from", str(DATA / "annotate"), "--out", str(DATA / "annotate"))
    with pytest.raises(UserError, match="--group-outlets"):
        report("--from", str(DATA / "annotate"), "--group-outlets", "nowhere.csv", "--out", str(tmp_path / "run"))


def test_a_failing_cell_names_the_notebook_and_the_cell(tmp_path):
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                                           nbformat.v4.new_code_cell("raise ValueError('colonne absente')")],
                                    metadata={"kernelspec": {"name": "python3", "language": "python",
                                                             "display_name": "Python 3"}})
    nbformat.write(book, tmp_path / "broken.ipynb")
    with pytest.raises(UserError, match=r"notebook broken.ipynb failed at cell 2 \(execution count 3, starting "
                                        r"\"raise ValueError\('colonne absente'\)\"\): ValueError: colonne absente"):
        execute_notebook(tmp_path / "broken.ipynb", tmp_path / "out.ipynb", {"x": 2})
    assert (tmp_path / "out.html").is_file()


def edit_for(label: str, head: cand.Head, text: str, sentence: str = "", also: str = ""):
    group = pd.DataFrame({"text": [text], "sentence": [sentence], "also_predicted_as": [also]})
    rules = load_rules()
    return cand.candidate_edit(label, [head], group, cand.known_as(label, head, group, rules), rules)


def test_a_new_verb_goes_into_the_group_whose_constructions_fit(tmp_path):
    edit, why = edit_for("CUE", cand.Head("fredonner", "verb", "que"), "a fredonné", "Il a fredonné que tout va bien.")
    assert edit.file == "verbs.yml" and edit.field == "lemmas" and edit.example == "Il a fredonné que tout va bien."
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    (rules / "verbs.yml").write_text(apply_edit((rules / "verbs.yml").read_text(encoding="utf-8"), edit), encoding="utf-8")
    group = load_rules(rules).verbs["fredonner"][0]
    assert group.group == edit.target and "que" in group.takes and "any" not in group.takes


@pytest.mark.parametrize("label, head, text, why", [
    ("SOURCE_MEDIA", cand.Head("monde", "name", ""), "Le Monde", "already listed (media.yml)"),
    ("HEDGE_MODAL", cand.Head("pouvoir", "verb", ""), "pourrait", "pouvoir is a hedge in the conditional"),
    ("SOURCE_VAGUE", cand.Head("pourcent", "noun", "", pos="ADV"), "pourcent", "'pourcent' is not a noun"),
    ("CUE", cand.Head("citer", "verb", "que"), "cite", "wrong construction: citer is in verb.cite"),
    ("CUE", cand.Head("dire", "verb", "que"), "a dit", "parse error: dire is in verb.say"),
    ("CUE", cand.Head("pensnet", "phrase", ""), "pensnet", "'pensnet' is a single word that is not a verb"),
])
def test_no_duplicate_or_unsafe_candidate_only_why_it_was_missed(label, head, text, why):
    edit, reason = edit_for(label, head, text)
    assert edit is None and reason.startswith(why)


def test_word_and_outlet_candidates_name_their_list():
    edit, _ = edit_for("SOURCE_ANONYMOUS", cand.Head("diplomate", "noun", "", pos="NOUN"), "un diplomate")
    assert (edit.file, edit.target, edit.field, edit.value) == ("sources.yml", "anonymous_heads", "words", "diplomate")
    edit, _ = edit_for("SOURCE_MEDIA", cand.Head("gazette du zinc", "name", ""), "La Gazette du Zinc")
    assert (edit.file, edit.target, edit.field) == ("media.yml", "outlets", "item")
    assert yaml.safe_load(edit.value) == [{"name": "La Gazette du Zinc", "kind": "site"}]


def test_report_columns_extend_the_annotate_columns():
    assert ARTICLE_COLUMNS[:len(PROFILE_COLUMNS)] == PROFILE_COLUMNS
    assert ARTICLE_SPAN_COLUMNS[:len(SPAN_COLUMNS)] == SPAN_COLUMNS


def test_the_analysts_judgement_reaches_the_article_table(tmp_path):
    corrections = tmp_path / "corrections"
    shutil.copytree(DATA / "corrections", corrections)
    (corrections / "annotations.csv").write_text(
        "doc_id,annotation_id,chosen,judgement,comment\n"
        "a05_sommet_budget_ue,1,True,mitigé,sources diplomatiques surtout\n"
        "a06_cyberattaque_hopital,2,False,solide,\n", encoding="utf-8")
    run = load_run(DATA / "annotate", corrections)
    table = article_profiles(run).set_index("doc_id")
    assert table.loc["a05_sommet_budget_ue", ["analyst_judgement", "analyst_comment"]].tolist() == [
        "mitigé", "sources diplomatiques surtout"]
    assert table.loc["a06_cyberattaque_hopital", "analyst_judgement"] == ""
