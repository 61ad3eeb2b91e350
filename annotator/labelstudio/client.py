"""Connecting to Label Studio: server and key resolution, error translation, projects and tasks.

Every call that creates something on the server is sent with the SDK's automatic retries off
(`NO_RETRY`): a retried import or create duplicates what the first attempt already made. The
callers retry themselves after checking what the server holds.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from ..errors import UserError

# Exit codes of the Label Studio commands (2 stays argparse's and the rules').
EXIT_INPUT = 1
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4
EXIT_NOT_FOUND = 5
EXIT_CONFIG = 6
EXIT_SERVER = 7
EXIT_SKIPPED = 8  # pull wrote its files but skipped some regions or tasks (see pull_errors.csv)

TIMEOUT = 300.0
NO_RETRY = {"max_retries": 0}
PAGE_SIZE = 100
STUDIO_FILE = "annotator-studio.json"
MAX_DETAIL = 300
# What may be a credential in an error body: the word after Token/Bearer, a JWT (a personal access
# token), a long run of letters and digits (a legacy token is 40 hex digits).
SECRETS = (re.compile(r"\b(Token|Bearer)(\W+)[\w.-]+", re.I), re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"),
           re.compile(r"\b[\w-]{32,}"))
MAX_TITLE = 50
HTML_PAGE = re.compile(r"\s*<(!doctype html|html)\b", re.I)
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def studio_dir() -> Path:
    """Where `annotator studio` keeps its server's data: $ANNOTATOR_STUDIO_DIR, else the user data folder."""
    if os.environ.get("ANNOTATOR_STUDIO_DIR"):
        return Path(os.environ["ANNOTATOR_STUDIO_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "annotator" / "studio"


def read_studio_file(directory: Path | None = None) -> dict | None:
    """The URL and credentials of the local studio, if one was started."""
    path = (directory or studio_dir()) / STUDIO_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def resolve_server(url: str | None, key: str | None) -> tuple[str, str]:
    """The server URL and API key: options, then LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY, then the
    local studio started by `annotator studio`."""
    url = url or os.environ.get("LABEL_STUDIO_URL")
    key = key or os.environ.get("LABEL_STUDIO_API_KEY")
    studio = read_studio_file()
    if not url and studio:
        url = studio["url"]
    if not key and studio and url and url.rstrip("/") == studio["url"].rstrip("/"):
        key = studio["token"]
    if not url:
        raise UserError("no Label Studio server: set LABEL_STUDIO_URL (or --url), or start one with "
                        "`annotator studio`", EXIT_UNREACHABLE)
    if not key:
        raise UserError(f"no API key for {url}: set LABEL_STUDIO_API_KEY (or --api-key) to a personal access "
                        "token or a legacy token (Label Studio > Account & Settings)", EXIT_AUTH)
    return url.rstrip("/"), key


def api_detail(exc: ApiError) -> str:
    """The server's explanation of an HTTP error, on one line, at most MAX_DETAIL characters, with
    anything that looks like a credential redacted (a server may echo the request's headers)."""
    body = exc.body
    if isinstance(body, dict):
        errors = body.get("validation_errors") or {}
        messages = [f"{k}: {m}" for k, v in errors.items() for m in (v if isinstance(v, list) else [v])]
        body = "; ".join(messages) or str(body.get("detail") or body)
    text = redact(" ".join(_unless_html(str(body)).split()))
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL] + f" … ({len(text) - MAX_DETAIL} more characters)"


def _unless_html(body: str) -> str:
    """A web page (a server error under load answers one) is named by its title, not dumped."""
    if not HTML_PAGE.match(body):
        return body
    title = HTML_TITLE.search(body)
    return f"an HTML error page titled {title.group(1).strip()!r}" if title else "an HTML error page"


def redact(text: str) -> str:
    """`text` with whatever looks like an API token replaced by [redacted]."""
    token, jwt, long_run = SECRETS
    return long_run.sub("[redacted]", jwt.sub("[redacted]", token.sub(r"\1\2[redacted]", text)))


@contextmanager
def server_errors(url: str, timeout: float = TIMEOUT) -> Iterator[None]:
    """Turn connection and HTTP failures into one-line `UserError`s."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise UserError(f"Label Studio at {url} did not answer within {timeout:g} s ({type(exc).__name__}): it "
                        "is overloaded or stuck, and may still save what it was sent; try again later (push "
                        "only sends what is missing) or raise --timeout", EXIT_UNREACHABLE) from None
    except httpx.TransportError as exc:
        raise UserError(f"Label Studio is unreachable at {url} ({type(exc).__name__}: {exc}); start it with "
                        "`annotator studio` or check LABEL_STUDIO_URL", EXIT_UNREACHABLE) from None
    except ApiError as exc:
        if exc.status_code in (401, 403):
            raise UserError(f"Label Studio at {url} refused the API key (HTTP {exc.status_code}: "
                            f"{api_detail(exc)}): the token is wrong, revoked or expired; create a new one "
                            "in Label Studio > Account & Settings and set LABEL_STUDIO_API_KEY", EXIT_AUTH) from None
        raise UserError(f"Label Studio at {url} answered HTTP {exc.status_code}: {api_detail(exc)}",
                        EXIT_SERVER) from None


@dataclass(frozen=True)
class Connection:
    """An SDK client, the URL it talks to and how long it waits for an answer (seconds)."""

    ls: LabelStudio
    url: str
    timeout: float = TIMEOUT


def connect(url: str | None = None, key: str | None = None, timeout: float = TIMEOUT) -> Connection:
    """A client for the resolved server, checked with one authenticated request."""
    url, key = resolve_server(url, key)
    with server_errors(url, timeout):
        client = LabelStudio(base_url=url, api_key=key, timeout=timeout)
        client.users.whoami()
    return Connection(client, url, timeout)


def field(obj, name: str, default=None):
    """An attribute of an SDK model or a key of a plain dict (the SDK returns both)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def project_title(title: str) -> str:
    """A project title as the server stores it (surrounding spaces stripped); an empty one or one over
    the server's 50 characters is refused."""
    title = title.strip()
    if not title:
        raise UserError("the project title is empty: give --project a name", EXIT_INPUT)
    if len(title) > MAX_TITLE:
        raise UserError(f"the project title {title!r} has {len(title)} characters: Label Studio keeps at most "
                        f"{MAX_TITLE}", EXIT_INPUT)
    return title


def find_project(conn: Connection, title: str):
    """The project with exactly this title, or None; several with that title is an error."""
    found = [p for p in conn.ls.projects.list(title=title) if p.title == title]
    if len(found) > 1:
        ids = ", ".join(str(p.id) for p in found)
        raise UserError(f"{len(found)} Label Studio projects are titled {title!r} (ids {ids}); rename all "
                        "but one", EXIT_INPUT)
    return found[0] if found else None


def require_project(conn: Connection, title: str):
    """The project with exactly this title; a clear error listing the titles there are otherwise."""
    project = find_project(conn, title)
    if project is None:
        titles = sorted(p.title for p in conn.ls.projects.list())
        there = ", ".join(repr(t) for t in titles[:20]) or "none"
        raise UserError(f"no Label Studio project titled {title!r} at {conn.url} "
                        f"(projects there: {there})", EXIT_NOT_FOUND)
    return project


def list_tasks(conn: Connection, project_id: int) -> list[dict]:
    """Every task of a project as a plain dict: id, data, predictions and submitted annotations."""
    tasks = []
    for t in conn.ls.tasks.list(project=project_id, fields="all", page_size=PAGE_SIZE):
        predictions = [{"id": field(p, "id"), "model_version": field(p, "model_version") or "",
                        "result": list(field(p, "result") or [])} for p in (t.predictions or [])]
        tasks.append({"id": t.id, "data": dict(t.data), "predictions": predictions,
                      "annotations": [dict(a) for a in t.annotations or []]})
    return tasks


def user_emails(conn: Connection) -> dict[int, str]:
    return {u.id: u.email or u.username or str(u.id) for u in conn.ls.users.list()}
