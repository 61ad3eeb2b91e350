"""The round trip against a real Label Studio: push, re-push, a rule change, an analyst's correction
made through the API, pull, the changes and the corrected profile."""
from __future__ import annotations

import csv
import json
import re
import threading
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from annotator.cli import main
from annotator.headlines import headline, iso_date
from annotator.labelstudio.client import connect, find_project, list_tasks
from annotator.labelstudio.config import labeling_config
from annotator.labelstudio.pull import pull
from annotator.labelstudio.queue import QUEUE_TITLE
from annotator.labelstudio.push import push
from annotator.labelstudio.tasks import prediction, spans_from_result
from annotator.outlets import registry_of, with_media_ids
from annotator.profile import build_profile
from annotator.rules import load_rules
from annotator.spans import Span

from .conftest import ROOT, VERSION, Article, make_span


def tasks_of(conn, title: str) -> list[dict]:
    return sorted(list_tasks(conn, find_project(conn, title).id), key=lambda t: t["data"]["doc_id"])


def analyst(conn, name: str) -> int:
    return conn.ls.users.create(email=f"{name}@redaction.test", username=name, first_name=name.title()).id


def annotate(conn, task: dict, user: int, spans: list[Span], *, judgement: str = "", comment: str = "",
             cancelled: bool = False, texts: dict[int, str] | None = None) -> int:
    """Submit an annotation as `user` would in the browser; `texts` overrides the text of the regions
    starting at those offsets (the browser's text of a span across a line break differs)."""
    result = [{k: v for k, v in r.items() if k not in ("origin", "meta")} for r in prediction(spans, "")["result"]]
    for r in result:
        if r["type"] == "labels" and r["value"]["start"] in (texts or {}):
            r["value"]["text"] = texts[r["value"]["start"]]
    if judgement:
        result.append({"id": "j", "from_name": "judgement", "to_name": "text", "type": "choices",
                       "value": {"choices": [judgement]}})
    if comment:
        result.append({"id": "c", "from_name": "comment", "to_name": "text", "type": "textarea",
                       "value": {"text": [comment]}})
    return conn.ls.annotations.create(task["id"], result=result, completed_by=user, was_cancelled=cancelled,
                                      ground_truth=False).id


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def as_csv(row: dict) -> dict:
    return {k: str(v) for k, v in row.items()}


def profile_of(article: Article, spans: list[Span]) -> dict:
    data = article.task()["data"]
    return build_profile(article.doc_id, spans, article.sentences, data["n_words"], data, load_rules())


def test_push_creates_the_project_with_exact_texts_and_predictions(ls_server, articles, project_title):
    conn = ls_server.connect()
    report = push(conn, [a.task() for a in articles], project_title)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    project = find_project(conn, project_title)
    assert project.label_config.strip() == labeling_config().strip()
    assert project.model_version == VERSION and project.show_collab_predictions
    assert "Relecture" in project.expert_instruction
    for article, task in zip(articles, tasks_of(conn, project_title), strict=True):
        assert task["data"]["text"] == article.text  # byte for byte: \r\n, emoji, accents
        [pred] = task["predictions"]
        assert pred["model_version"] == VERSION
        assert spans_from_result(pred["result"], task["data"]) == sorted(
            article.spans, key=lambda s: (s.start, s.end, s.label))


def test_pushing_again_adds_no_task(ls_server, articles, project_title):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles[:2]], project_title)
    report = push(conn, [a.task() for a in articles], project_title)
    assert (report.created, report.updated, report.unchanged) == (1, 0, 2)
    report = push(conn, [a.task() for a in articles], project_title)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert [t["data"]["doc_id"] for t in tasks_of(conn, project_title)] == ["t1_crlf", "t2_accents", "t3_emoji"]


def test_a_rule_change_adds_a_prediction_version_to_the_same_tasks(ls_server, articles, project_title):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles], project_title)
    fewer = [a.task("rules-test-v2", a.spans[1:]) for a in articles]
    report = push(conn, fewer, project_title)
    assert (report.created, report.updated, report.unchanged) == (0, 3, 0)
    tasks = tasks_of(conn, project_title)
    assert len(tasks) == 3
    for task in tasks:
        versions = {p["model_version"]: len(p["result"]) for p in task["predictions"]}
        assert set(versions) == {VERSION, "rules-test-v2"}
        assert versions[VERSION] > versions["rules-test-v2"]
    assert find_project(conn, project_title).model_version == "rules-test-v2"


class FlakyProxy:
    """A proxy to the server that forwards the first import, then answers 503 as if it had failed."""

    def __init__(self, upstream: str):
        self.upstream, self.imports = upstream, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                proxy.forward(self)

            do_POST = do_PATCH = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in h.headers.items()
                   if k.lower() not in ("host", "content-length", "connection", "accept-encoding")}
        answer = httpx.request(h.command, self.upstream + h.path, headers=headers, content=body, timeout=120)
        is_import = h.command == "POST" and h.path.split("?")[0].endswith("/import")
        self.imports += is_import
        status, content = (503, b'{"detail": "busy"}') if is_import and self.imports == 1 else (
            answer.status_code, answer.content)
        h.send_response(status)
        h.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
        h.send_header("Content-Length", str(len(content)))
        h.end_headers()
        h.wfile.write(content)


def test_a_failed_import_is_checked_not_blindly_resent(ls_server, articles, project_title):
    proxy = FlakyProxy(ls_server.url)
    try:
        report = push(connect(proxy.url, ls_server.account.token), [a.task() for a in articles], project_title)
    finally:
        proxy.server.shutdown()
    assert proxy.imports == 1  # the server did import; the 503 made push look, not send again
    assert report.created == 3
    assert len(tasks_of(ls_server.connect(), project_title)) == 3


def test_a_personal_access_token_works_too(ls_server, articles, project_title):
    token = ls_server.connect().ls.tokens.create().token
    report = push(connect(ls_server.url, token), [a.task() for a in articles[:1]], project_title)
    assert report.created == 1


def test_an_analyst_correction_comes_back_as_changes_markers_and_profile(ls_server, articles, project_title,
                                                                         tmp_path):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles], project_title)
    t1 = articles[0]
    cue, minister, conditional, spokesman, said, vague, modal = t1.spans
    quote = t1.span("Nous\r\nattendons le vote", "QUOTE", cue=said)
    human = [cue, t1.span("le ministère", "SOURCE_NAMED", cue=cue), conditional, spokesman, said,
             replace(vague, label="SOURCE_ANONYMOUS"), quote]
    task = tasks_of(conn, project_title)[0]
    claire = analyst(conn, "claire")
    annotation = annotate(conn, task, claire, human, judgement="mitigé", comment="source floue",
                          texts={quote.start: "Nous\nattendons le vote"})

    pull(conn, project_title, tmp_path, load_rules())

    changes = read_csv(tmp_path / "changes.csv")
    assert {(c["annotation_id"], c["annotator"], c["chosen"]) for c in changes} == {
        (str(annotation), "claire@redaction.test", "True")}
    assert [(c["change"], c["rule"], c["predicted_text"], c["label"], c["text"]) for c in changes] == [
        ("kept", "test.cue", "Selon", "CUE", "Selon"),
        ("boundary_changed", "test.source_named", "ministère", "SOURCE_NAMED", "le ministère"),
        ("kept", "test.hedge_conditional", "serait adoptée", "HEDGE_CONDITIONAL", "serait adoptée"),
        ("kept", "test.source_anonymous", "Le porte-parole", "SOURCE_ANONYMOUS", "Le porte-parole"),
        ("kept", "test.cue", "a déclaré", "CUE", "a déclaré"),
        ("added", "", "", "QUOTE", "Nous\r\nattendons le vote"),
        ("relabelled", "test.source_vague", "Plusieurs analystes", "SOURCE_ANONYMOUS", "Plusieurs analystes"),
        ("deleted", "test.hedge_modal", "pourraient", "", ""),
    ]
    corrected = [Span.from_row(r) for r in read_csv(tmp_path / "markers_corrected.csv")]
    expected = sorted([cue, replace(human[1], rule="test.source_named"), conditional, spokesman, said,
                       replace(vague, label="SOURCE_ANONYMOUS"), quote], key=lambda s: (s.start, s.end, s.label))
    assert corrected == expected  # offsets, text[start:end] with its \r\n, sentence, cue of the quote
    [profile] = read_csv(tmp_path / "profiles_corrected.csv")
    assert profile == as_csv(profile_of(t1, expected))
    assert profile != as_csv(profile_of(t1, t1.spans))
    [row] = read_csv(tmp_path / "annotations.csv")
    assert (row["judgement"], row["comment"], row["n_spans"]) == ("mitigé", "source floue", "7")


def test_several_analysts_ground_truth_first_then_the_latest(ls_server, articles, project_title, tmp_path):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles], project_title)
    t2 = articles[1]
    task = tasks_of(conn, project_title)[1]
    first = annotate(conn, task, analyst(conn, "ahmed"), t2.spans)
    last = annotate(conn, task, analyst(conn, "berenice"), [s for s in t2.spans if s.label != "HEDGE_CONDITIONAL"])
    annotate(conn, task, analyst(conn, "cyril"), [], cancelled=True)

    pull(conn, project_title, tmp_path, load_rules())
    markers = read_csv(tmp_path / "markers_corrected.csv")
    assert {(m["annotation_id"], m["chosen"]) for m in markers} == {(str(first), "False"), (str(last), "True")}
    [profile] = read_csv(tmp_path / "profiles_corrected.csv")
    assert profile["n_HEDGE_CONDITIONAL"] == "0"

    conn.ls.annotations.update(first, ground_truth=True)
    pull(conn, project_title, tmp_path, load_rules())
    chosen = {m["annotation_id"] for m in read_csv(tmp_path / "markers_corrected.csv") if m["chosen"] == "True"}
    assert chosen == {str(first)}
    [profile] = read_csv(tmp_path / "profiles_corrected.csv")
    assert profile == as_csv(profile_of(t2, t2.spans))


def test_sample_corpus_round_trip_reflects_exactly_the_correction(ls_server, tmp_path, project_title):
    out = tmp_path / "out"
    assert main(["annotate", str(ROOT / "corpus" / "sample"), "--out", str(out)]) == 0
    server = ["--url", ls_server.url, "--api-key", ls_server.account.token]
    assert main(["push", str(out), "--project", project_title, *server]) == 0
    conn = ls_server.connect()
    task = next(t for t in tasks_of(conn, project_title) if t["data"]["doc_id"] == "a01_greve_sncf")
    data = task["data"]
    columns = httpx.get(f"{ls_server.url}/api/dm/columns", params={"project": find_project(conn, project_title).id},
                        headers={"Authorization": f"Token {ls_server.account.token}"}).json()["columns"]
    assert {"outlet", "outlet_rating", "rated_media_cited"} <= {c["id"] for c in columns if c.get("parent") == "data"}
    assert_queue_is_sorted_by_risk(ls_server, find_project(conn, project_title).id)
    predicted = spans_from_result(task["predictions"][0]["result"], data)
    gold_file = (ROOT / "corpus" / "sample_gold.jsonl").read_text(encoding="utf-8")
    gold = next(g["spans"] for g in map(json.loads, gold_file.splitlines()) if g["doc_id"] == data["doc_id"])
    missed = next(g for g in gold if not any(p.start < g["end"] and g["start"] < p.end for p in predicted))
    sentences = [tuple(s) for s in data["sentences"]]
    added = make_span(data["doc_id"], data["text"], sentences, missed["start"], missed["end"], missed["label"],
                      "manual")
    source = next(p for p in predicted if p.label.startswith("SOURCE_") and p.label != "SOURCE_NAMED")
    relabelled = replace(source, label="SOURCE_NAMED")
    deleted = next(p for p in reversed(predicted) if p.label != "CUE")  # deleting a CUE would unlink its source
    human = [relabelled if p == source else p for p in predicted if p != deleted] + [added]
    annotation = annotate(conn, task, analyst(conn, "sample"), human)

    assert main(["pull", "--project", project_title, "--out", str(out), *server]) == 0

    changes = [c for c in read_csv(out / "changes.csv") if c["annotation_id"] == str(annotation)]
    assert len(changes) == len(read_csv(out / "changes.csv"))  # only this task was reviewed
    assert Counter(c["change"] for c in changes) == {"kept": len(predicted) - 2, "relabelled": 1, "deleted": 1,
                                                     "added": 1}
    assert {(c["change"], c["rule"], c["predicted_label"], c["label"], c["start"]) for c in changes
            if c["change"] != "kept"} == {
        ("relabelled", source.rule, source.label, "SOURCE_NAMED", str(source.start)),
        ("deleted", deleted.rule, deleted.label, "", ""),
        ("added", "", "", added.label, str(added.start))}
    corrected = [Span.from_row(r) for r in read_csv(out / "markers_corrected.csv")]
    assert sorted(corrected, key=_key) == sorted(with_media_ids(human, registry_of(load_rules())), key=_key)
    before = next(r for r in read_csv(out / "profiles.csv") if r["doc_id"] == data["doc_id"])
    [after] = read_csv(out / "profiles_corrected.csv")
    rules = load_rules()
    assert after == as_csv(build_profile(data["doc_id"], human, sentences, data["n_words"], data, rules))
    # the task (and so the corrected profile) carries the headline and the ISO date, not the page's rubric
    assert data["title"] == headline(before["title"], data["text"]) and data["date"] == iso_date(before["date"])
    assert before == {**as_csv(build_profile(data["doc_id"], predicted, sentences, data["n_words"], data, rules)),
                      "title": before["title"], "date": before["date"]}
    delta = Counter({f"n_{added.label}": 1, "n_SOURCE_NAMED": 1})
    delta.subtract({f"n_{deleted.label}": 1, f"n_{source.label}": 1})
    assert {k: int(after[k]) - int(before[k]) for k in before if k.startswith("n_") and k[2:].isupper()} == {
        k: delta.get(k, 0) for k in before if k.startswith("n_") and k[2:].isupper()}


def assert_queue_is_sorted_by_risk(server, project_id: int) -> None:
    """The project's first tab is the triage queue: clean headlines and ISO dates, figures as numbers,
    the least transparent article first, each prediction scored by the article's transparency."""
    [queue, *_] = sorted(httpx.get(f"{server.url}/api/dm/views", params={"project": project_id},
                                   headers={"Authorization": f"Token {server.account.token}"}).json(),
                         key=lambda v: v["order"])
    assert queue["data"]["title"] == QUEUE_TITLE and queue["data"]["ordering"] == ["tasks:data.transparency_score"]
    assert "tasks:data.text" in queue["data"]["hiddenColumns"]["explore"]
    listed = httpx.get(f"{server.url}/api/tasks", params={"project": project_id, "view": queue["id"], "fields": "all"},
                       headers={"Authorization": f"Token {server.account.token}"}).json()["tasks"]
    scores = [t["data"]["transparency_score"] for t in listed]
    assert len(scores) == 14 and scores == sorted(scores) and all(isinstance(x, float) for x in scores)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["data"]["date"]) for t in listed if t["data"]["date"])
    assert not any(t["data"]["title"] in ("MERCATO", "🔴 EN DIRECT") or "•" in t["data"]["title"] for t in listed)
    assert all(isinstance(t["data"]["n_spans"], int) and t["data"]["n_spans"] > 0 for t in listed)


def _key(s: Span) -> tuple[int, int, str]:
    return s.start, s.end, s.label
