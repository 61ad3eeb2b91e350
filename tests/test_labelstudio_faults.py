"""Label Studio faults against the real server: down before a push, stopped in the middle of one and
restarted, a 500 on a batch, a timeout, a revoked token.

Each faulty push stops with one line and a documented exit code; the next push after recovery
imports exactly the tasks still missing, and the server ends up with every article once.
"""
from __future__ import annotations

import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from subprocess import Popen

import httpx
import pytest

from annotator.cli import main
from annotator.labelstudio.client import (
    EXIT_AUTH,
    EXIT_SERVER,
    EXIT_UNREACHABLE,
    connect,
    find_project,
    list_tasks,
)
from annotator.labelstudio.server import Account, free_port, start_server, stop_server, wait_until_up

from .conftest import ARTICLES, LS_BIN, parse_marked, write_tasks

COPIES = 4  # 12 tasks ...
BATCH = 2  # ... in 6 imports
WAIT = 60.0  # bound of every wait on the proxy
Answer = tuple[int, bytes]


@dataclass
class Studio:
    """A real Label Studio that a test may stop and start again on the same port and data."""

    data_dir: Path
    port: int
    account: Account
    token: str
    proc: Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = start_server(self.data_dir, self.port, self.account, LS_BIN)
        wait_until_up(self.url, self.proc, self.data_dir)

    def stop(self) -> None:
        stop_server(self.proc)

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="module")
def studio_server(ls_template, tmp_path_factory) -> Iterator[Studio]:
    source, account = ls_template
    data_dir = tmp_path_factory.mktemp("ls-faults") / "data"
    shutil.copytree(source, data_dir)
    server = Studio(data_dir, free_port(), account, account.token)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def studio(studio_server: Studio) -> Studio:
    """The module's server, running (a failed test may have left it stopped)."""
    if not studio_server.is_running():
        studio_server.start()
    return studio_server


@pytest.fixture
def tasks() -> list[dict]:
    return [parse_marked(f"{doc_id}-{i}", marked).task() for i in range(COPIES) for doc_id, marked in ARTICLES.items()]


@dataclass
class Proxy:
    """An HTTP proxy on 127.0.0.1 to the real server. For the n-th import request (from 1),
    `before(n, body)` may answer in the server's place, and `after(n)` runs once the server has
    answered it (before the answer is passed on)."""

    upstream: str
    before: Callable[[int, bytes], Answer | None] = lambda n, body: None
    after: Callable[[int], None] = lambda n: None
    imports: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                proxy.forward(self)

            do_POST = do_PATCH = do_GET

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        n = 0
        if h.command == "POST" and h.path.split("?")[0].endswith("/import"):
            with self.lock:
                self.imports += 1
                n = self.imports
        answer = self.before(n, body) if n else None
        if answer is None:
            headers = {k: v for k, v in h.headers.items()
                       if k.lower() not in ("host", "content-length", "connection", "accept-encoding")}
            reply = httpx.request(h.command, self.upstream + h.path, headers=headers, content=body, timeout=WAIT)
            answer = reply.status_code, reply.content
            if n:
                self.after(n)
        try:
            h.send_response(answer[0])
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(answer[1])))
            h.end_headers()
            h.wfile.write(answer[1])
        except OSError:  # the client gave up (timeout)
            pass

    def close(self) -> None:
        """Stop listening: new connections are refused, as by a stopped server."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxies() -> Iterator[Callable[..., Proxy]]:
    """Make proxies to a server; all are closed at the end of the test."""
    made: list[Proxy] = []

    def make(upstream: str, **hooks) -> Proxy:
        made.append(Proxy(upstream, **hooks))
        return made[-1]

    yield make
    for proxy in made:
        if proxy.server.socket.fileno() >= 0:
            proxy.close()


def push(capsys, out: Path, title: str, url: str, token: str, *options: str) -> tuple[int, str, str]:
    """Run `annotator push` with batches of 2: exit code, stderr, stdout."""
    code = main(["push", str(out), "--project", title, "--url", url, "--api-key", token,
                 "--batch-size", str(BATCH), *options])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.strip(), captured.out


def created(stdout: str) -> int:
    return int(re.search(r"(\d+) task\(s\) created", stdout)[1])


def doc_ids(studio: Studio, title: str) -> Counter:
    """How many tasks of each doc_id the server holds in project `title`."""
    conn = connect(studio.url, studio.token)
    project = find_project(conn, title)
    return Counter(t["data"]["doc_id"] for t in list_tasks(conn, project.id)) if project else Counter()


def assert_stopped(code: int, err: str, exit_code: int, *phrases: str) -> None:
    """One line, the documented exit code, and what happened in words."""
    assert code == exit_code, err
    assert err.startswith("annotator: ") and "\n" not in err, err
    for phrase in phrases:
        assert phrase in err, err


def assert_recovers(capsys, studio: Studio, out: Path, title: str, tasks: list[dict], *, url: str = "",
                    token: str = "") -> None:
    """The next push imports exactly the missing tasks; then every article is there once."""
    before = doc_ids(studio, title)
    code, err, stdout = push(capsys, out, title, url or studio.url, token or studio.token)
    assert code == 0, err
    assert created(stdout) == len(tasks) - sum(before.values())
    assert doc_ids(studio, title) == Counter(t["data"]["doc_id"] for t in tasks)


def test_server_down_before_the_push(capsys, studio, tasks, tmp_path, project_title):
    first = push(capsys, write_tasks(tmp_path / "first", tasks[:5]), project_title, studio.url, studio.token)
    assert first[0] == 0
    out = write_tasks(tmp_path / "all", tasks)
    studio.stop()

    code, err, _ = push(capsys, out, project_title, studio.url, studio.token)

    assert_stopped(code, err, EXIT_UNREACHABLE, f"Label Studio is unreachable at {studio.url}")
    studio.start()
    assert sum(doc_ids(studio, project_title).values()) == 5
    assert_recovers(capsys, studio, out, project_title, tasks)


def test_server_stopped_in_the_middle_of_a_push_and_restarted(capsys, studio, proxies, tasks, tmp_path,
                                                              project_title):
    def stop_after_first(n: int) -> None:
        if n == 1:
            studio.stop()
            proxy.close()

    proxy = proxies(studio.url, after=stop_after_first)
    out = write_tasks(tmp_path, tasks)

    code, err, _ = push(capsys, out, project_title, proxy.url, studio.token)

    assert_stopped(code, err, EXIT_UNREACHABLE, "unreachable", "2 of 12 new task(s)")
    studio.start()
    assert sum(doc_ids(studio, project_title).values()) == BATCH
    assert_recovers(capsys, studio, out, project_title, tasks)


def test_a_500_on_a_batch(capsys, studio, proxies, tasks, tmp_path, project_title):
    poison = tasks[2 * BATCH]["data"]["doc_id"].encode()  # in the third batch
    broken = threading.Event()
    broken.set()

    def fail(n: int, body: bytes) -> Answer | None:
        if broken.is_set() and poison in body:
            return 500, b'{"status_code": 500, "detail": "database is locked", "exc_info": null}'
        return None

    proxy = proxies(studio.url, before=fail)
    out = write_tasks(tmp_path, tasks)

    code, err, _ = push(capsys, out, project_title, proxy.url, studio.token)

    assert_stopped(code, err, EXIT_SERVER, "HTTP 500: database is locked", "4 of 12 new task(s)")
    assert sum(doc_ids(studio, project_title).values()) == 2 * BATCH
    broken.clear()
    assert_recovers(capsys, studio, out, project_title, tasks, url=proxy.url)


def test_a_timeout_is_not_resent_blindly(capsys, studio, proxies, tasks, tmp_path, project_title):
    release, landed = threading.Event(), threading.Event()

    def stall(n: int, body: bytes) -> None:
        if n == 2:  # a slow server: it imports the batch after the client gave up
            release.wait(WAIT)

    def land(n: int) -> None:
        if n == 2:
            landed.set()

    proxy = proxies(studio.url, before=stall, after=land)
    out = write_tasks(tmp_path, tasks)

    code, err, _ = push(capsys, out, project_title, proxy.url, studio.token, "--timeout", "5")

    release.set()
    assert_stopped(code, err, EXIT_UNREACHABLE, "did not answer within 5 s", "2 of 12 new task(s)")
    assert landed.wait(WAIT)
    assert proxy.imports == 2
    assert sum(doc_ids(studio, project_title).values()) == 2 * BATCH
    assert_recovers(capsys, studio, out, project_title, tasks)


def test_a_token_revoked_in_the_middle_of_a_push(capsys, studio, proxies, tasks, tmp_path, project_title):
    old = studio.token

    def revoke_after_first(n: int) -> None:
        if n == 1:
            reply = httpx.post(f"{studio.url}/api/current-user/reset-token/", headers={"Authorization": f"Token {old}"})
            studio.token = reply.raise_for_status().json()["token"]

    proxy = proxies(studio.url, after=revoke_after_first)
    out = write_tasks(tmp_path, tasks)

    code, err, _ = push(capsys, out, project_title, proxy.url, old)

    assert_stopped(code, err, EXIT_AUTH, "refused the API key (HTTP 401", "2 of 12 new task(s)")
    assert studio.token != old
    assert sum(doc_ids(studio, project_title).values()) == BATCH
    assert_recovers(capsys, studio, out, project_title, tasks)


def test_a_personal_access_token_revoked_between_two_pushes(capsys, studio, tasks, tmp_path, project_title):
    tokens = connect(studio.url, studio.token).ls.tokens
    revoked = tokens.create().token
    first = push(capsys, write_tasks(tmp_path / "first", tasks[:7]), project_title, studio.url, revoked)
    assert first[0] == 0
    # the SDK's blacklist call fails on the server's empty 204 answer: the endpoint is called directly
    reply = httpx.post(f"{studio.url}/api/token/blacklist/", json={"refresh": revoked},
                       headers={"Authorization": f"Token {studio.token}"})
    assert reply.status_code == 204, reply.text
    out = write_tasks(tmp_path / "all", tasks)

    code, err, _ = push(capsys, out, project_title, studio.url, revoked)

    assert_stopped(code, err, EXIT_AUTH, "refused the API key (HTTP 401")
    assert sum(doc_ids(studio, project_title).values()) == 7
    assert_recovers(capsys, studio, out, project_title, tasks, token=tokens.create().token)
