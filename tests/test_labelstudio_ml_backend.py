"""The rules as an ML backend of the real Label Studio: "Retrieve predictions" gives pushed tasks the
current rules' spans, the same as `annotate` finds, beside the version they were pushed with."""
from __future__ import annotations

import shutil
import threading

import pytest

from annotator.api import annotate_text
from annotator.labelstudio.client import find_project, list_tasks
from annotator.labelstudio.ml_backend import RulesBackend, connect_backend
from annotator.labelstudio.push import push
from annotator.rules import DEFAULT_RULES_DIR

from .conftest import run_server


@pytest.fixture(scope="module")
def ls_server(ls_template, tmp_path_factory):
    """This module's Label Studio, allowed to call an ML backend on 127.0.0.1 (as `studio --ml-backend`)."""
    yield from run_server(ls_template, tmp_path_factory.mktemp("ls-data") / "data", ml_backend=True)


@pytest.fixture
def backend(tmp_path):
    """The backend on a copy of the bundled rules, which the test changes."""
    shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules")
    server = RulesBackend(rules_dir=tmp_path / "rules")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def regions(prediction: dict) -> list[tuple[int, int, str]]:
    return sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in prediction["result"]
                  if r["type"] == "labels")


def test_retrieve_predictions_refreshes_tasks_with_the_current_rules(ls_server, articles, project_title, backend,
                                                                     capsys):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles], project_title)  # predictions of an older rules version
    project = find_project(conn, project_title)
    connect_backend(conn, project.id, backend.url)
    connect_backend(conn, project.id, backend.url + "/")
    assert len(conn.ls.ml.list(project=project.id)) == 1
    pushed = articles[0].task()["predictions"][0]["model_version"]

    def retrieve() -> list[dict]:
        conn.ls.actions.create(id="retrieve_tasks_predictions", project=project.id,
                               selected_items={"all": True, "excluded": []})
        return list_tasks(conn, project.id)

    first = backend.version
    for task in retrieve():
        by_version = {p["model_version"]: p for p in task["predictions"]}
        assert set(by_version) == {pushed, first}
        spans = annotate_text(task["data"]["text"], task["data"]["doc_id"]).spans
        assert spans and regions(by_version[first]) == sorted((s.start, s.end, s.label) for s in spans)
    # a rule change, then a rule file that no longer loads: no restart
    cues = backend.rules_dir / "cues.yml"
    cues.write_text(cues.read_text(encoding="utf-8") + "# changed by the test\n", encoding="utf-8")
    assert {len(t["predictions"]) for t in retrieve()} == {3} and backend.version != first
    cues.write_text("phrases: [unclosed\n", encoding="utf-8")
    assert {len(t["predictions"]) for t in retrieve()} == {3}
    err = capsys.readouterr().err
    assert f"keeps serving {backend.version}" in err and "cues.yml" in err, err
