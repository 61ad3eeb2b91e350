"""A busy team and a bad server against the real Label Studio: concurrent pushes never duplicate a
task, a held project lock is one line, `push --dedupe` cleans what older versions left, titles are
stripped as the server strips them, bad analyst regions are skipped and listed, and a server's error
body is capped with the token redacted."""
from __future__ import annotations

import csv
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from annotator.cli import main
from annotator.errors import EXIT_BUSY, UserError
from annotator.labelstudio.client import EXIT_CONFIG, EXIT_SERVER, EXIT_SKIPPED, NO_RETRY, find_project, list_tasks
from annotator.labelstudio.ml_backend import connect_backend
from annotator.labelstudio.push import push
from annotator.labelstudio.push_lock import project_lock

from .conftest import write_tasks
from .test_labelstudio import analyst, annotate


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip()


def copies(conn, title: str) -> Counter:
    """How many tasks of each doc_id each project titled `title` holds."""
    projects = [p for p in conn.ls.projects.list(title=title) if p.title == title]
    assert len(projects) == 1, f"{len(projects)} projects titled {title!r}"
    return Counter(t["data"]["doc_id"] for t in list_tasks(conn, projects[0].id))


def test_concurrent_pushes_never_duplicate_tasks(ls_server, articles, project_title):
    tasks = [a.task() for a in articles]

    def three_pushes_at_once() -> list:
        start, outcomes = threading.Barrier(3), []

        def one_push() -> None:
            conn = ls_server.connect()
            start.wait()
            try:
                outcomes.append(push(conn, tasks, project_title).created)
            except UserError as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=one_push) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    # into a new project: the server itself may fail one of three creates at the same moment (SQLite);
    # that push says so in one line, and no task is ever imported twice
    outcomes = three_pushes_at_once()
    refused = [o for o in outcomes if isinstance(o, UserError)]
    assert all(e.code == EXIT_BUSY and "another push into project" in str(e) or e.code == EXIT_SERVER
               for e in refused), refused
    assert sum(o for o in outcomes if isinstance(o, int)) == 3, outcomes
    assert push(ls_server.connect(), tasks, project_title).created == 0  # and it clears empty leftovers
    assert copies(ls_server.connect(), project_title) == {a.doc_id: 1 for a in articles}
    # into the existing project holding the tasks: one push at a time, the others refused as busy
    outcomes = three_pushes_at_once()
    refused = [o for o in outcomes if isinstance(o, UserError)]
    assert all(e.code == EXIT_BUSY and "another push into project" in str(e) for e in refused), refused
    assert sum(o for o in outcomes if isinstance(o, int)) == 0
    assert copies(ls_server.connect(), project_title) == {a.doc_id: 1 for a in articles}


def test_a_held_project_lock_is_one_line_and_released_after(ls_server, articles, project_title, capsys, tmp_path):
    out = write_tasks(tmp_path / "out", [a.task() for a in articles])
    conn = ls_server.connect()
    push(conn, [articles[0].task()], project_title)
    project = find_project(conn, project_title)
    with project_lock(conn, project.id, project_title):
        code, err = run(capsys, "push", str(out), "--project", project_title, "--url", ls_server.url,
                        "--api-key", ls_server.account.token)
    assert code == EXIT_BUSY and "another push into project" in err and "\n" not in err, err
    code, err = run(capsys, "push", str(out), "--project", project_title, "--url", ls_server.url,
                    "--api-key", ls_server.account.token)
    assert code == 0, err
    assert copies(conn, project_title) == {a.doc_id: 1 for a in articles}
    assert not [v for v in conn.ls.views.list(project=project.id) if "annotator_push_lock" in (v.data or {})]


def test_dedupe_removes_copies_left_by_older_versions(ls_server, articles, project_title, capsys, tmp_path):
    tasks = [a.task() for a in articles]
    out = write_tasks(tmp_path / "out", tasks)
    conn = ls_server.connect()
    push(conn, tasks, project_title)
    project = find_project(conn, project_title)
    conn.ls.projects.import_tasks(project.id, request=tasks[:2], commit_to_project=True, request_options=NO_RETRY)
    newest = max((t for t in list_tasks(conn, project.id) if t["data"]["doc_id"] == articles[0].doc_id),
                 key=lambda t: t["id"])
    annotate(conn, newest, analyst(conn, "dedupe"), articles[0].spans[:1])
    argv = ["push", str(out), "--project", project_title, "--url", ls_server.url, "--api-key", ls_server.account.token]
    code, err = run(capsys, *argv)
    assert code == EXIT_SERVER and "--dedupe" in err, err
    code, err = run(capsys, *argv, "--dedupe")
    assert code == 0, err
    assert copies(conn, project_title) == {a.doc_id: 1 for a in articles}
    kept = [t for t in list_tasks(conn, project.id) if t["data"]["doc_id"] == articles[0].doc_id]
    assert [t["id"] for t in kept] == [newest["id"]]  # the annotated copy


def test_titles_are_stripped_as_the_server_does_and_empty_ones_refused(ls_server, articles, project_title, capsys,
                                                                        tmp_path):
    out = write_tasks(tmp_path / "out", [a.task() for a in articles])
    server = ["--url", ls_server.url, "--api-key", ls_server.account.token]
    for title in (f"{project_title} ", f"  {project_title}"):
        code, err = run(capsys, "push", str(out), "--project", title, *server)
        assert code == 0, err
    assert copies(ls_server.connect(), project_title) == {a.doc_id: 1 for a in articles}
    code, err = run(capsys, "pull", "--project", f"{project_title}\t", "--out", str(tmp_path / "pull"), *server)
    assert code == 0, err
    with pytest.raises(SystemExit) as refused:
        main(["push", str(out), "--project", "   ", *server])
    assert refused.value.code == 2 and "title is empty" in capsys.readouterr().err


BAD_REGIONS = {  # region id: (value, why)
    "past_end": ({"start": 5, "end": 10_000, "labels": ["CUE"]}, "outside a text of"),
    "reversed": ({"start": 20, "end": 10, "labels": ["CUE"]}, "outside a text of"),
    "negative": ({"start": -4, "end": 3, "labels": ["CUE"]}, "outside a text of"),
    "unknown": ({"start": 0, "end": 5, "labels": ["RUMOUR"]}, "unknown label(s) RUMOUR"),
    "no_start": ({"end": 5, "labels": ["CUE"]}, "not whole numbers"),
    "text_end": ({"start": 0, "end": "cinq", "labels": ["CUE"]}, "not whole numbers"),
}


def test_pull_skips_and_lists_bad_regions(ls_server, articles, project_title, capsys, tmp_path):
    conn = ls_server.connect()
    push(conn, [articles[0].task()], project_title)
    (task,) = list_tasks(conn, find_project(conn, project_title).id)
    good = articles[0].spans[0]
    result = [{"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}
              for rid, (value, _) in BAD_REGIONS.items()]
    result.append({"id": "good", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": good.start, "end": good.end, "text": good.text, "labels": [good.label]}})
    annotation = conn.ls.annotations.create(task["id"], result=result, completed_by=analyst(conn, "hostile"),
                                            ground_truth=False).id
    out = tmp_path / "pull"
    code, err = run(capsys, "pull", "--project", project_title, "--out", str(out), "--url", ls_server.url,
                    "--api-key", ls_server.account.token)
    assert code == EXIT_SKIPPED and "pull_errors.csv" in err, err
    with (out / "pull_errors.csv").open(encoding="utf-8", newline="") as handle:
        errors = {r["region"]: r for r in csv.DictReader(handle)}
    assert set(errors) == set(BAD_REGIONS)
    for rid, (_, why) in BAD_REGIONS.items():
        assert why in errors[rid]["reason"] and errors[rid]["annotation_id"] == str(annotation)
        assert errors[rid]["task_id"] == str(task["id"])
    with (out / "markers_corrected.csv").open(encoding="utf-8", newline="") as handle:
        assert [(r["start"], r["label"]) for r in csv.DictReader(handle)] == [(str(good.start), good.label)]


def push_to_a_failing_server(capsys, tmp_path, articles, token: str, answer) -> tuple[int, str]:
    """`annotator push` against a server whose every GET is answered 500 with
    `answer(authorization header) -> (content type, body)`."""
    class Failing(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            kind, body = answer(self.headers["Authorization"])
            self.send_response(500)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = write_tasks(tmp_path / "out", [a.task() for a in articles])
        return run(capsys, "push", str(out), "--project", "p", "--url", f"http://127.0.0.1:{server.server_port}",
                   "--api-key", token)
    finally:
        server.shutdown()
        server.server_close()


def test_an_error_body_is_capped_and_the_token_redacted(capsys, tmp_path, articles):
    """A server that answers 500 with the request's headers and a very long body."""
    def echo(authorization: str) -> tuple[str, bytes]:
        echoed = f"you sent Authorization: {authorization}, key={authorization[6:]}"
        return "application/json", json.dumps({"detail": f"{echoed}; " + "trace " * 2000}).encode()

    token = "0123456789abcdef" * 2 + "0badc0de"
    code, err = push_to_a_failing_server(capsys, tmp_path, articles, token, echo)
    assert code == EXIT_SERVER and token not in err and "[redacted]" in err, err
    assert len(err) < 600 and "more characters" in err, err


def test_an_html_error_page_is_named_by_its_title(capsys, tmp_path, articles):
    """A server under load answers 500 with its web error page: the line names the page, never dumps it."""
    def error_page(authorization: str) -> tuple[str, bytes]:
        return "text/html", ("<!doctype html>\n<html><head><title>Server Error (500)</title><script>" + "x" * 3000
                             + "</script></head><body><h1>Oops</h1></body></html>").encode()

    code, err = push_to_a_failing_server(capsys, tmp_path, articles, "0123", error_page)
    assert code == EXIT_SERVER and "an HTML error page titled 'Server Error (500)'" in err, err
    assert "<" not in err and "\n" not in err, err


def test_a_server_that_may_not_call_local_addresses_refuses_the_ml_backend_in_one_line(ls_server, articles,
                                                                                         project_title):
    conn = ls_server.connect()
    push(conn, [articles[0].task()], project_title)
    with pytest.raises(UserError) as refused:
        connect_backend(conn, find_project(conn, project_title).id, "http://127.0.0.1:9")
    assert refused.value.code == EXIT_CONFIG and "studio --ml-backend" in str(refused.value)
