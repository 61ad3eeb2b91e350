"""Whatever a JSON Lines file or an analyst's region holds, reading it never raises: a line is an
article or one BadInput that errors.csv can hold, a region is a span of the text or a reason."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.labelstudio.tasks import region_problem, spans_from_result
from annotator.read import Article, BadInput, read_articles
from annotator.spans import LABELS

TEXT = "Selon le maire, la route serait fermée 🚧 jusqu'à lundi.\r\n"
ESCAPES = st.sampled_from(["\\ud800", "\\udfff", "\\u00e9", "\\\\", '\\"', "[", "{", "]", "}", '"', ":", ","])
JSON_ISH = st.lists(st.one_of(ESCAPES, st.text(max_size=5)), max_size=30).map("".join)
OFFSET = st.one_of(st.none(), st.integers(-5, 80), st.floats(allow_nan=True), st.text(max_size=3), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(JSON_ISH.map(lambda s: '{"id": "a", "text": "' + s + '"}'), JSON_ISH), max_size=4))
def test_any_json_line_is_an_article_or_one_writable_error(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("jsonl") / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for item in read_articles(str(path)):
        assert isinstance(item, (Article, BadInput))
        if isinstance(item, BadInput):
            "".join((item.doc_id, item.where, item.reason)).encode("utf-8")
        else:
            (item.doc_id + item.text).encode("utf-8")


@settings(max_examples=80, deadline=None)
@given(OFFSET, OFFSET, st.one_of(st.none(), st.lists(st.sampled_from([*LABELS, "RUMOUR", ""]), max_size=2)))
def test_any_region_is_a_span_of_the_text_or_a_reason(start, end, labels):
    value = {k: v for k, v in (("start", start), ("end", end), ("labels", labels)) if v is not None}
    region = {"id": "r", "from_name": "label", "to_name": "text", "type": "labels", "value": value}
    why = region_problem(region, TEXT)
    if why is None:
        spans = spans_from_result([region], {"text": TEXT, "doc_id": "d"})
        assert spans and all(s.text == TEXT[s.start:s.end] and s.label in LABELS for s in spans)
    else:
        assert isinstance(why, str) and why
    json.dumps(why)
