"""The outlet registry (rules/outlets.yml + rules/media.yml): lookups by name and by web address,
media_id on SOURCE_MEDIA spans, the outlet columns of profiles.csv, and the registry's rebuild."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import reporting as rp
from annotator.outlets import domain_of, load_registry
from annotator.read import InputError, read_articles
from annotator.rules import DEFAULT_RULES_DIR
from tests.shared import shared_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def registry():
    return load_registry(DEFAULT_RULES_DIR)


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("text, name", [
    ("l'AFP", "AFP"), ("Agence France-Presse", "AFP"), ("Russia Today", "RT"), ("Libé", "Libération"),
    ("au Monde", "Le Monde"), ("du Figaro", "Le Figaro"), ("aux Échos", "Les Echos"), ("des Echos", "Les Echos"),
    ("de La Croix", "La Croix"), ("l'agence britannique Reuters", "Reuters"), ("le quotidien Le Figaro", "Le Figaro"),
])
def test_a_span_names_its_outlet_by_alias_or_contracted_form(registry, text, name):
    assert registry.by_text(text).name == name


def test_a_hand_kept_outlet_takes_the_rating_of_its_name_written_together(registry):
    assert (registry.by_text("Konbini").rating, registry.by_text("Sputnik").rating) == (4, 3)
    assert registry.by_text("Daily Mail").domains == ("dailymail.co.uk",)


def test_a_byline_names_an_outlet_by_its_whole_name_or_before_an_edition(registry):
    assert registry.named("L'Aisne Nouvelle, édition de Laon").name == "L'Aisne Nouvelle"
    assert registry.named("AFP").name == "AFP" and registry.named("Santé Magazine Ouest") is None


def test_a_lower_case_word_inside_a_span_is_no_outlet(registry):
    assert registry.by_text("le monde entier") is None and registry.by_text("une source proche") is None


@pytest.mark.parametrize("url, name, rating", [
    ("https://www.lemonde.fr/politique/article.html", "Le Monde", 4),
    ("http://m.lemonde.fr/x", "Le Monde", 4), ("https://fr.lemonde.fr", "Le Monde", 4),
    ("https://fr.sputniknews.com/x/", "Sputniknews FR", 3), ("www.legorafi.fr", "Le Gorafi", 1),
    ("HTTPS://WWW.INFOWARS.COM:443/a?b", "Infowars", 2),
])
def test_a_web_address_finds_its_outlet_through_edition_prefixes(registry, url, name, rating):
    outlet = registry.by_url(url)
    assert (outlet.name, outlet.rating, outlet.rating_source) == (name, rating, "Décodex 2017")


def test_an_unknown_or_malformed_address_finds_nothing(registry):
    assert registry.by_url("https://example-unknown-news.org/a") is None
    assert domain_of("pas une adresse") == "" and domain_of("https://user@www.Site.fr:80/x") == "site.fr"


def test_the_registry_is_several_hundred_outlets_with_its_licence_notice(registry):
    head = (DEFAULT_RULES_DIR / "outlets.yml").read_text(encoding="utf-8")[:2000]
    assert "ODbL" in head and "ODC-By" in head and "Décodex" in head
    assert len(registry.outlets) > 900
    assert registry.by_text("Reuters").kind == "agency"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """The issue's articles: from lemonde.fr, fr.sputniknews.com, legorafi.fr and an unknown domain."""
    tmp = tmp_path_factory.mktemp("outlets")
    with (tmp / "in.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "url", "text"])
        writer.writerow(["monde", "https://www.lemonde.fr/a.html", "Le gouvernement recule, selon RT."])
        writer.writerow(["sputnik", "https://fr.sputniknews.com/b/",
                         "La réunion a eu lieu, a indiqué l'agence Reuters."])
        writer.writerow(["gorafi", "http://m.legorafi.fr/c", "Un homme a été retrouvé, selon Le Monde."])
        writer.writerow(["inconnu", "https://example-unknown-news.org/d", "Le ministre a démissionné."])
    done = subprocess.run([sys.executable, "-m", "annotator", "annotate", str(tmp / "in.csv"),
                           "--out", str(tmp / "out")], cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return tmp / "out"


def test_urls_give_the_published_rating_and_media_spans_their_registry_entry(run):
    """lemonde.fr 4, fr.sputniknews.com 3, legorafi.fr 1, an unknown domain unrated; `selon RT` is
    one low-rated media source."""
    profiles = {r["doc_id"]: r for r in rows(run / "profiles.csv")}
    assert {k: p["outlet_rating"] for k, p in profiles.items()} == {"monde": "4", "sputnik": "3", "gorafi": "1",
                                                                  "inconnu": ""}
    assert [profiles[k]["outlet_rating_source"] for k in ("monde", "inconnu")] == ["Décodex 2017", ""]
    assert (profiles["gorafi"]["outlet_domain"], profiles["inconnu"]["outlet_domain"]) == (
        "m.legorafi.fr", "example-unknown-news.org")
    assert [profiles[k]["n_media_sources_rated_low"] for k in ("monde", "sputnik")] == ["1", "0"]
    assert profiles["monde"]["rated_media_cited"] == "RT : 3 – peu fiable (Décodex 2017)"
    media = {r["doc_id"]: r["media_id"] for r in rows(run / "markers.csv") if r["label"] == "SOURCE_MEDIA"}
    assert media == {"monde": "rt", "sputnik": "reuters", "gorafi": "le-monde"}


def test_the_task_and_the_report_show_ratings_as_published(run):
    task = {t["data"]["doc_id"]: t["data"] for t in json.loads((run / "tasks.json").read_text(encoding="utf-8"))}
    assert (task["monde"]["outlet_rating"], task["monde"]["rated_media_cited"]) == (
        "4", "RT : 3 – peu fiable (Décodex 2017)")
    data = rp.load_run(run)
    ratings = rp.outlet_ratings(rp.article_profiles(data)).set_index("doc_id")
    assert ratings.loc["gorafi", "published_rating"] == "1 – parodique (Décodex 2017)"
    assert ratings["satire"].to_dict() == {"monde": "", "sputnik": "", "gorafi": "oui", "inconnu": ""}
    assert ratings.loc["inconnu", "published_rating"] == "non noté"
    cited = rp.cited_media(rp.article_spans(data), rp.registry())
    assert cited["medium"].iloc[0] == "RT" and set(cited["medium"]) == {"RT", "Reuters", "Le Monde"}


def test_a_missing_url_column_is_refused_only_when_named(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\na,Un texte.\n", encoding="utf-8")
    assert [a.url for a in read_articles(str(source))] == [""]
    with pytest.raises(InputError, match="'lien'"):
        list(read_articles(str(source), url_col="lien"))


def test_dask_refuses_a_url_column_it_would_not_read(tmp_path):
    done = subprocess.run([sys.executable, "-m", "annotator", "annotate", "x.csv", "--out", str(tmp_path),
                           "--engine", "dask", "--url-col", "lien"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "--url-col" in done.stderr


def test_the_registry_is_rebuilt_from_the_shared_lists_by_one_command(tmp_path):
    data = shared_path("data", "media")
    out = tmp_path / "outlets.yml"
    done = subprocess.run([sys.executable, "scripts/build_outlets.py", "--data", str(data), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == (DEFAULT_RULES_DIR / "outlets.yml").read_text(encoding="utf-8")
