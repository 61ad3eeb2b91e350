"""The rules as a Label Studio ML backend: after a rule change, "Retrieve predictions" in the Data
Manager gives the selected tasks the current rules' spans, without a new import.

It speaks Label Studio's ML-backend protocol (GET /health, POST /setup, /predict, /webhook) on the
standard library's HTTP server, bound to 127.0.0.1. A prediction is exactly the one `annotate` puts
in tasks.json for the same text (`task_of`). Nothing of a request is logged: /setup carries the
project owner's API token.
"""
from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from label_studio_sdk.core.api_error import ApiError
from spacy.language import Language

from ..errors import UserError
from ..nlp import load_pipeline
from ..pipeline import annotate
from ..read import Article, BadInput
from ..rules import DEFAULT_RULES_DIR, RuleError, load_rules, rules_version
from .client import EXIT_CONFIG, NO_RETRY, Connection, api_detail, field
from .server import HOST
from .tasks import prediction, task_of

MAX_BODY = 200 * 1024 * 1024  # bytes of one request: Label Studio sends the texts of the selected tasks
TITLE = "annotator rules"


class RulesBackend(ThreadingHTTPServer):
    """An ML backend on 127.0.0.1:`port` (0: any free port) serving the rules of `rules_dir` (default:
    the bundled rules). A change of the rule files is picked up when Label Studio next asks for
    predictions; rule files that no longer load are reported on stderr and the previous rules go on."""

    daemon_threads = True

    def __init__(self, port: int = 0, rules_dir: Path | None = None, fast: bool = False):
        super().__init__((HOST, port), _Handler)
        self.rules_dir, self.fast = Path(rules_dir) if rules_dir else DEFAULT_RULES_DIR, fast
        self.lock = threading.Lock()  # one spaCy pipeline, one article at a time
        self.rules = load_rules(self.rules_dir)
        self.nlp: Language | None = load_pipeline(self.rules, fast=fast)
        self.refused = ""  # the version of rule files that did not load, reported once

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    @property
    def version(self) -> str:
        return self.rules.version

    def refresh(self) -> None:
        """Read the rule files again if they changed since they were read (the spaCy pipeline is rebuilt
        at the next prediction). Label Studio asks for the version first and skips the tasks that
        already hold it, so this runs at its /setup call."""
        current = rules_version(self.rules_dir)
        if current in (self.rules.version, self.refused):
            return
        try:
            rules = load_rules(self.rules_dir)
        except RuleError as exc:
            self.refused = current
            print("annotator: the ML backend keeps serving " + self.rules.version + "; the changed rules do not "
                  "load:\n" + "\n".join(exc.problems), file=sys.stderr, flush=True)
            return
        self.rules, self.nlp = rules, None

    def predict(self, task: dict) -> dict:
        """The prediction of one Label Studio task (the caller holds `lock`); a task without text gets an
        empty one."""
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            return prediction([], self.version, 0.0)
        doc_id = str(data.get("doc_id") or task.get("id") or "")
        self.nlp = self.nlp or load_pipeline(self.rules, fast=self.fast)
        (result,) = annotate([Article(doc_id, text)], self.nlp, self.rules)
        if isinstance(result, BadInput):
            print(f"annotator: ML backend, task {doc_id!r}: {result.reason}", file=sys.stderr, flush=True)
            return prediction([], self.version, 0.0)
        return task_of(result, self.version)["predictions"][0]


class _Handler(BaseHTTPRequestHandler):
    server: RulesBackend

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/health":
            self._answer(200, {"status": "UP", "model_class": TITLE, "model_version": self.server.version})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        path = self.path.rstrip("/")
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ValueError(f"request over {MAX_BODY} bytes")
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError as exc:  # bad JSON or length
            self._answer(400, {"error": f"bad request: {exc}"})
            return
        if path == "/predict":
            tasks = body.get("tasks") if isinstance(body, dict) else None
            if not isinstance(tasks, list):
                self._answer(400, {"error": "no tasks"})
                return
            with self.server.lock:
                results = [self.server.predict(t) for t in tasks]
            self._answer(200, {"results": results, "model_version": self.server.version})
        elif path in ("/setup", "/versions"):
            with self.server.lock:
                self.server.refresh()
            self._answer(200, {"model_version": self.server.version, "versions": [self.server.version]})
        elif path == "/webhook":
            self._answer(200, {})
        else:
            self._answer(404, {"error": "not found"})

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass  # requests carry texts and, for /setup, a token: none of it goes to a log


def connect_backend(conn: Connection, project_id: int, url: str) -> None:
    """Attach the backend at `url` to the project (once), so its Data Manager can retrieve predictions."""
    if any(field(b, "url").rstrip("/") == url.rstrip("/") for b in conn.ls.ml.list(project=project_id)):
        return
    try:
        conn.ls.ml.create(url=url, project=project_id, title=TITLE, is_interactive=False, request_options=NO_RETRY)
    except ApiError as exc:
        if exc.status_code == 403 and "reserved network" in api_detail(exc):
            raise UserError(f"Label Studio at {conn.url} refuses to call the rules' ML backend at {url} (its "
                            "protection of local addresses): stop it and start `annotator studio --ml-backend`, "
                            "which allows 127.0.0.1", EXIT_CONFIG) from None
        raise
