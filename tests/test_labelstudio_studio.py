"""`annotator studio`: a local Label Studio for the analysts, and the default server of push and pull."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from annotator.cli import main
from annotator.labelstudio.client import EXIT_INPUT, STUDIO_FILE, connect, find_project, list_tasks, read_studio_file
from annotator.labelstudio.server import Account, free_port, is_up, server_env

from .conftest import ROOT, write_tasks


def wait_for_project(proc: subprocess.Popen, data_dir, title: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        studio = read_studio_file(data_dir)
        if studio and is_up(studio["url"]) and find_project(connect(studio["url"], studio["token"]), title):
            return
        time.sleep(0.5)
    proc.kill()
    raise AssertionError(f"the studio never showed project {title!r}: {proc.communicate()}")


@pytest.fixture
def ctrl_c_reaches_children():
    """A shell's background job ignores Ctrl-C and its children inherit that: let the studio receive it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_studio_starts_pushes_and_serves_pull_by_default(ls_template, articles, tmp_path, monkeypatch,
                                                          ctrl_c_reaches_children):
    data_dir = tmp_path / "studio"
    shutil.copytree(ls_template[0], data_dir)  # skip the 35 s migration: same database, new account
    out = write_tasks(tmp_path / "out", [a.task() for a in articles])
    port, ml_port = free_port(), free_port()
    env = {**os.environ, "ANNOTATOR_STUDIO_DIR": str(data_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "annotator", "studio", "--port", str(port), "--push", str(out),
                             "--project", "Revue", "--ml-backend", "--ml-port", str(ml_port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_project(proc, data_dir, "Revue")
        monkeypatch.setenv("ANNOTATOR_STUDIO_DIR", str(data_dir))
        assert main(["pull", "--project", "Revue", "--out", str(tmp_path / "pulled")]) == 0
        studio = read_studio_file(data_dir)
        conn = connect(studio["url"], studio["token"])
        project = find_project(conn, "Revue")
        deadline = time.monotonic() + 60
        while not conn.ls.ml.list(project=project.id) and time.monotonic() < deadline:
            time.sleep(0.5)  # the studio connects its ML backend after the push
        (backend,) = conn.ls.ml.list(project=project.id)
        assert backend.url == f"http://127.0.0.1:{ml_port}"
        conn.ls.actions.create(id="retrieve_tasks_predictions", project=project.id,
                               selected_items={"all": True, "excluded": []})
        assert all(len(t["predictions"]) == 2 for t in list_tasks(conn, project.id))  # pushed + current rules
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    url = f"http://127.0.0.1:{port}"
    studio = read_studio_file(data_dir)
    assert proc.returncode == 0, stderr
    assert f"Label Studio is up: {url}" in stdout
    assert f"password {studio['password']}" in stdout and studio["token"] not in stdout + stderr
    assert "rules ML backend (rules-" in stdout and "connected to project 'Revue'" in stdout
    assert f"review them at {url}/projects/" in stdout
    assert (data_dir / STUDIO_FILE).stat().st_mode & 0o077 == 0
    assert not is_up(url)


def test_the_server_environment_is_quiet_and_closed(tmp_path, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_SENTRY_DSN", "https://example.invalid/1")
    monkeypatch.setenv("CI", "true")
    env = server_env(tmp_path, Account.new())
    assert env["SENTRY_DSN"] == "" and env["FRONTEND_SENTRY_DSN"] == ""
    assert env["LATEST_VERSION_CHECK"] == "false" and env["COLLECT_ANALYTICS"] == "false"
    assert env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert env["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert "LABEL_STUDIO_SENTRY_DSN" not in env and "CI" not in env
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path)


def test_studio_refuses_an_empty_tasks_json_before_starting(tmp_path, capsys):
    port = free_port()
    assert main(["studio", "--port", str(port), "--push", str(write_tasks(tmp_path / "out", []))]) == EXIT_INPUT
    assert "holds no task" in capsys.readouterr().err
    assert not is_up(f"http://127.0.0.1:{port}") and not (tmp_path / "studio" / STUDIO_FILE).exists()
