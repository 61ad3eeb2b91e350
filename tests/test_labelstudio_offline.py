"""The Label Studio pieces that need no server: config, task checks, span read-back, comparison, policy."""
from __future__ import annotations

import json
from dataclasses import replace
from xml.etree import ElementTree

import pytest

from annotator.errors import UserError
from annotator.labelstudio.client import EXIT_INPUT
from annotator.labelstudio.config import FAMILY_COLOURS, JUDGEMENTS, label_colours, labeling_config
from annotator.labelstudio.pull import Review, choose, compare
from annotator.labelstudio.push import check_tasks, load_tasks
from annotator.labelstudio.tasks import region_id, spans_from_result
from annotator.spans import HEDGE_LABELS, LABELS, SOURCE_LABELS

from .conftest import VERSION, write_tasks


def test_config_has_one_label_per_label_with_hotkeys_and_family_colours():
    root = ElementTree.fromstring(labeling_config())
    labels = root.find("Labels")
    assert (labels.get("name"), labels.get("toName")) == ("label", "text")
    values = [e.get("value") for e in labels]
    assert values == list(LABELS)
    assert len({e.get("hotkey") for e in labels}) == len(LABELS)
    colours = label_colours()
    assert [e.get("background") for e in labels] == [colours[label] for label in LABELS]
    assert len(set(colours.values())) == len(LABELS)
    families = {"source": SOURCE_LABELS, "cue": ("CUE",), "hedge": HEDGE_LABELS, "quote": ("QUOTE",)}
    for family, members in families.items():
        assert {colours[label] for label in members} <= set(FAMILY_COLOURS[family])
    assert root.find("Text").get("granularity") == "word"
    assert root.find("Relations") is not None
    assert [c.get("value") for c in root.find("Choices[@name='judgement']")] == list(JUDGEMENTS)
    assert root.find("TextArea").get("name") == "comment"


def test_config_follows_the_label_set():
    root = ElementTree.fromstring(labeling_config(("CUE", "QUOTE")))
    assert [e.get("value") for e in root.find("Labels")] == ["CUE", "QUOTE"]


def test_prediction_round_trip_keeps_offsets_rules_sentences_and_cues(articles):
    for article in articles:
        task = article.task()
        assert spans_from_result(task["predictions"][0]["result"], task["data"]) == sorted(
            article.spans, key=lambda s: (s.start, s.end, s.label))


def test_offsets_count_code_points(articles):
    t1, _, t3 = articles
    quote_start = t1.text.index("Nous\r\nattendons")
    assert t1.text[quote_start - 2:quote_start] == "« "
    flag_then = t3.spans[0]
    assert t3.text[:2] == "🇫🇷" and flag_then.start == 3 and flag_then.text == "Le gouvernement"


def test_region_ids_are_unique_when_two_labels_share_characters(articles):
    cue = articles[0].spans[0]
    assert region_id(cue) != region_id(replace(cue, label="HEDGE_CONDITIONAL"))


def test_good_tasks_pass_and_give_their_version(articles):
    assert check_tasks([a.task() for a in articles], labeling_config()) == VERSION


@pytest.mark.parametrize("breakage, message", [
    (lambda r: r["value"].update(labels=["RUMOUR"]), "Invalid value for control 'label'"),
    (lambda r: r.update(from_name="labels"), "'from_name' 'labels' not found"),
    (lambda r: r["value"].update(end=10_000), "outside a text of"),
    (lambda r: r["value"].update(text="autre chose"), "is not text["),
])
def test_broken_predictions_are_refused_before_anything_is_sent(articles, breakage, message):
    tasks = [a.task() for a in articles]
    breakage(tasks[1]["predictions"][0]["result"][0])
    with pytest.raises(UserError) as err:
        check_tasks(tasks, labeling_config())
    assert message in str(err.value) and "t2_accents" in str(err.value)
    assert err.value.code == EXIT_INPUT


def test_a_label_missing_from_the_config_is_refused(articles):
    with pytest.raises(UserError, match="SOURCE_MEDIA"):
        check_tasks([a.task() for a in articles], labeling_config(tuple(x for x in LABELS if x != "SOURCE_MEDIA")))


def test_an_edited_text_is_refused(articles):
    task = articles[0].task()
    task["data"]["text"] = task["data"]["text"].replace("\r\n", "\n")
    with pytest.raises(UserError, match="text_hash does not match"):
        check_tasks([task], labeling_config())


def test_empty_missing_and_broken_tasks_json(tmp_path):
    with pytest.raises(UserError, match="not found"):
        load_tasks(tmp_path)
    write_tasks(tmp_path, [])
    with pytest.raises(UserError, match="holds no task") as err:
        load_tasks(tmp_path)
    assert err.value.code == EXIT_INPUT
    (tmp_path / "tasks.json").write_text("[{", encoding="utf-8")
    with pytest.raises(UserError, match="not valid UTF-8 JSON"):
        load_tasks(tmp_path)
    (tmp_path / "tasks.json").write_text(json.dumps({"data": {}}), encoding="utf-8")
    with pytest.raises(UserError, match="JSON array"):
        load_tasks(tmp_path)


def test_compare_names_each_change(articles):
    t1 = articles[0]
    cue, minister, conditional, spokesman, said, vague, modal = t1.spans
    human = [
        cue,                                               # kept
        t1.span("le ministère", "SOURCE_NAMED", cue=cue),  # boundary changed
        conditional,                                       # kept
        replace(spokesman, rule="manual"),                 # kept (a human span carries no rule of its own)
        said,                                              # kept
        replace(vague, label="SOURCE_ANONYMOUS"),          # relabelled
        t1.span("Nous\r\nattendons le vote", "QUOTE"),     # added
    ]                                                      # modal: deleted
    changes = compare(t1.spans, human)
    got = [(c.change, c.predicted and c.predicted.text, c.human and c.human.label) for c in changes]
    assert got == [
        ("kept", "Selon", "CUE"),
        ("boundary_changed", "ministère", "SOURCE_NAMED"),
        ("kept", "serait adoptée", "HEDGE_CONDITIONAL"),
        ("kept", "Le porte-parole", "SOURCE_ANONYMOUS"),
        ("kept", "a déclaré", "CUE"),
        ("added", None, "QUOTE"),
        ("relabelled", "Plusieurs analystes", "SOURCE_ANONYMOUS"),
        ("deleted", "pourraient", None),
    ]
    assert [c.human.rule for c in changes if c.human] == [
        "test.cue", "test.source_named", "test.hedge_conditional", "test.source_anonymous", "test.cue", "manual",
        "test.source_vague"]


def test_compare_keeps_two_labels_on_the_same_characters_apart(articles):
    t2 = articles[1]
    said = t2.span("a démenti", "CUE", "test.cue")
    hedge = replace(said, label="HEDGE_CONDITIONAL", rule="test.hedge")
    changes = compare([said, hedge], [replace(hedge, rule="manual")])
    assert [(c.change, c.predicted.label) for c in changes] == [("deleted", "CUE"), ("kept", "HEDGE_CONDITIONAL")]


def _review(annotation_id: int, updated_at: str, ground_truth: bool = False) -> Review:
    return Review(1, annotation_id, f"a{annotation_id}@test", updated_at, ground_truth, [], [], VERSION, "", "")


def test_policy_ground_truth_first_then_latest_then_highest_id():
    early, late = _review(1, "2025-03-01T10:00:00Z"), _review(2, "2025-03-02T10:00:00Z")
    tie = _review(3, "2025-03-02T10:00:00Z")
    assert choose([early, late]) is late
    assert choose([late, tie]) is tie
    truth = _review(4, "2025-02-01T10:00:00Z", ground_truth=True)
    assert choose([early, late, truth, tie]) is truth
