"""Errors an analyst can fix come out as one line and an exit code, never a traceback."""
from __future__ import annotations

import time

import httpx
import jwt
import pytest

from annotator.cli import main
from annotator.errors import UserError
from annotator.labelstudio.client import (
    EXIT_AUTH,
    EXIT_CONFIG,
    EXIT_INPUT,
    EXIT_NOT_FOUND,
    EXIT_UNREACHABLE,
    find_project,
    list_tasks,
)
from annotator.labelstudio.config import labeling_config
from annotator.labelstudio.push import push
from annotator.labelstudio.server import free_port
from annotator.spans import LABELS

from .conftest import write_tasks
from .test_labelstudio import analyst, annotate


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip()


def test_unreachable_server(capsys, articles, tmp_path):
    out = write_tasks(tmp_path / "out", [a.task() for a in articles])
    url = f"http://127.0.0.1:{free_port()}"
    code, err = run(capsys, "push", str(out), "--project", "essai", "--url", url, "--api-key", "x" * 40)
    assert code == EXIT_UNREACHABLE
    assert err.startswith(f"annotator: Label Studio is unreachable at {url}") and "\n" not in err


def test_no_server_configured(capsys):
    code, err = run(capsys, "pull", "--project", "essai", "--out", "out")
    assert code == EXIT_UNREACHABLE and "set LABEL_STUDIO_URL" in err


def test_wrong_token(capsys, ls_server):
    code, err = run(capsys, "pull", "--project", "essai", "--out", "out", "--url", ls_server.url,
                    "--api-key", "0" * 40)
    assert code == EXIT_AUTH and "refused the API key (HTTP 401" in err


def test_expired_personal_access_token(capsys, ls_server):
    expired = jwt.encode({"token_type": "refresh", "exp": int(time.time()) - 60, "user_id": "1"}, "k" * 32)
    code, err = run(capsys, "pull", "--project", "essai", "--out", "out", "--url", ls_server.url,
                    "--api-key", expired)
    assert code == EXIT_AUTH and "expired" in err


def test_project_not_found_on_pull(capsys, ls_server, tmp_path):
    code, err = run(capsys, "pull", "--project", "introuvable", "--out", str(tmp_path), "--url", ls_server.url,
                    "--api-key", ls_server.account.token)
    assert code == EXIT_NOT_FOUND and "no Label Studio project titled 'introuvable'" in err
    assert not (tmp_path / "changes.csv").exists()


def test_empty_tasks_json(capsys, ls_server, tmp_path, project_title):
    out = write_tasks(tmp_path, [])
    code, err = run(capsys, "push", str(out), "--project", project_title, "--url", ls_server.url,
                    "--api-key", ls_server.account.token)
    assert code == EXIT_INPUT and "holds no task" in err
    assert find_project(ls_server.connect(), project_title) is None


def test_broken_prediction_pushes_nothing(capsys, ls_server, articles, tmp_path, project_title):
    tasks = [a.task() for a in articles]
    tasks[2]["predictions"][0]["result"][0]["value"]["labels"] = ["RUMEUR"]
    code, err = run(capsys, "push", str(write_tasks(tmp_path, tasks)), "--project", project_title,
                    "--url", ls_server.url, "--api-key", ls_server.account.token)
    assert code == EXIT_INPUT and "t3_emoji" in err and "RUMEUR" in err
    assert find_project(ls_server.connect(), project_title) is None


def test_a_config_change_dropping_a_used_label_is_refused(ls_server, articles, project_title, capsys):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles], project_title)
    project = find_project(conn, project_title)
    t1 = list_tasks(conn, project.id)[0]
    vague = [s for s in articles[0].spans if s.label == "SOURCE_VAGUE"]
    annotate(conn, t1, analyst(conn, "denis"), vague)
    without = tuple(label for label in LABELS if label != "SOURCE_VAGUE")
    tasks = [a.task(spans=[s for s in a.spans if s.label != "SOURCE_VAGUE"]) for a in articles]

    with pytest.raises(UserError, match=r"still used by annotations: SOURCE_VAGUE \(1 region") as err:
        push(conn, tasks, project_title, labels=without)
    assert err.value.code == EXIT_CONFIG
    assert find_project(conn, project_title).label_config.strip() == labeling_config().strip()


def test_a_config_change_dropping_an_unused_label_goes_through(ls_server, articles, project_title):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles], project_title)
    without = tuple(label for label in LABELS if label != "SOURCE_VAGUE")
    tasks = [a.task(spans=[s for s in a.spans if s.label != "SOURCE_VAGUE"]) for a in articles]
    push(conn, tasks, project_title, labels=without)
    assert find_project(conn, project_title).label_config.strip() == labeling_config(without).strip()


def test_a_label_used_only_in_a_draft_is_refused_by_the_server_check(ls_server, articles, project_title):
    conn = ls_server.connect()
    push(conn, [a.task() for a in articles], project_title)
    task = list_tasks(conn, find_project(conn, project_title).id)[0]
    vague = [r for r in task["predictions"][0]["result"] if r.get("value", {}).get("labels") == ["SOURCE_VAGUE"]]
    draft = httpx.post(f"{ls_server.url}/api/tasks/{task['id']}/drafts", json={"result": vague, "lead_time": 1},
                       headers={"Authorization": f"Token {ls_server.account.token}"})
    assert draft.status_code == 201, draft.text
    without = tuple(label for label in LABELS if label != "SOURCE_VAGUE")
    tasks = [a.task(spans=[s for s in a.spans if s.label != "SOURCE_VAGUE"]) for a in articles]
    with pytest.raises(UserError, match="Label Studio refuses the new one: .*SOURCE_VAGUE") as err:
        push(conn, tasks, project_title, labels=without)
    assert err.value.code == EXIT_CONFIG
