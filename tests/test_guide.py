"""The annotation guide is written from one table (annotator/guide.py) that the Label Studio panel
shows too: the committed docs/annotation_guide.md must be what the table gives today."""
from __future__ import annotations

from html import escape

from annotator.guide import DEFINITIONS, EDGE_CASES, GUIDE_NAME, GUIDE_PATH, KEYBOARD, SPAN_EDGES, render
from annotator.labelstudio.config import INSTRUCTIONS, labeling_config
from annotator.spans import LABELS

from .conftest import ROOT


def test_committed_guide_is_up_to_date():
    assert GUIDE_PATH.read_text(encoding="utf-8") == render(), "run: .venv/bin/python -m annotator.guide"


def test_guide_defines_every_label_once_with_examples():
    assert [d.label for d in DEFINITIONS] == list(LABELS)
    assert all(d.definition and d.examples for d in DEFINITIONS)
    guide = render()
    assert all(f"**`{label}`**" in guide for label in LABELS)
    assert all(case.topic in guide for case in EDGE_CASES)


def test_panel_shows_the_guides_definitions_and_links_to_it():
    config = labeling_config()
    for d in DEFINITIONS:
        assert d.definition in INSTRUCTIONS and escape(", ".join(d.examples), quote=False) in INSTRUCTIONS, d.label
        assert d.label in config
    assert GUIDE_NAME in INSTRUCTIONS


def test_readme_links_to_the_guide():
    assert f"]({GUIDE_NAME})" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_panel_has_the_span_edge_rules_and_the_keyboard_sheet():
    guide = render()
    for edge in SPAN_EDGES:
        assert escape(edge.topic) in INSTRUCTIONS and edge.topic in guide
    for key, action in KEYBOARD:
        assert escape(action) in INSTRUCTIONS and f"| {key} | {action} |" in guide
    assert 'required="true"' in labeling_config()  # no submission without the overall judgement
