"""One push at a time per Label Studio project, whatever machine it runs on: the lock is held on the
server, as a Data Manager tab (a "view") of the project that every user of the organisation sees.

Each push adds its own lock tab, then reads the project's lock tabs: the oldest (lowest id) holds the
lock. A later push removes its tab and stops with one line naming the holder. Ids only grow, so two
pushes that start together agree on which one goes first. A push that could not remove its tab (the
server went down) or died left it behind: such a tab no longer counts when its process is gone (same
machine), when this process failed to remove it, or after STALE_AFTER; it is removed then.
"""
from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import httpx
from label_studio_sdk.core.api_error import ApiError

from ..errors import EXIT_BUSY, UserError
from .client import NO_RETRY, Connection, field

LOCK_KEY = "annotator_push_lock"
STALE_AFTER = 3600.0  # seconds
_left_behind: set[str] = set()  # tokens of the lock tabs this process could not remove


@contextmanager
def project_lock(conn: Connection, project_id: int, title: str) -> Iterator[None]:
    """Hold the push lock of project `project_id` for the block, or raise a UserError (EXIT_BUSY)."""
    me = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time(), "token": secrets.token_hex(8)}
    try:
        mine = conn.ls.views.create(project=project_id, request_options=NO_RETRY, data={
            "title": f"push en cours (pid {me['pid']} on {me['host']})", LOCK_KEY: me})
    except (ApiError, httpx.HTTPError) as exc:
        if isinstance(exc, ApiError) and exc.status_code in (400, 404) and not _exists(conn, project_id):
            raise UserError(f"another push into project {title!r} is under way (it created the project at the "
                            "same moment and kept its own): push again once it has ended", EXIT_BUSY) from None
        _left_behind.add(me["token"])  # the server may have made it all the same
        raise
    try:
        first = min(_live_locks(conn, project_id, mine.id), key=lambda view: view.id, default=mine)
        if first.id != mine.id:
            lock = field(first, "data")[LOCK_KEY]
            began = datetime.fromtimestamp(float(lock.get("since") or 0), timezone.utc).strftime("%H:%M:%S UTC")
            raise UserError(f"another push into project {title!r} is under way (pid {lock.get('pid')} on "
                            f"{lock.get('host')}, since {began}): "
                            "push again once it has ended (a push that died frees the project after "
                            f"{STALE_AFTER / 60:.0f} minutes)", EXIT_BUSY)
        yield
    finally:
        _remove(conn, mine.id, me["token"])


def _exists(conn: Connection, project_id: int) -> bool:
    try:
        conn.ls.projects.get(project_id, request_options=NO_RETRY)
    except ApiError as exc:
        if exc.status_code == 404:
            return False
        raise
    return True


def has_lock(conn: Connection, project_id: int) -> bool:
    """A push holds (or held) the lock of the project; a project another push just removed holds none
    (the server refuses to list its tabs with a 400)."""
    try:
        views = conn.ls.views.list(project=project_id)
    except ApiError as exc:
        if exc.status_code in (400, 404):
            return False
        raise
    return any(isinstance((field(v, "data") or {}).get(LOCK_KEY), dict) for v in views)


def _live_locks(conn: Connection, project_id: int, mine: int) -> list:
    """The project's lock tabs; stale ones (not this push's) are removed on the way."""
    live = []
    for view in conn.ls.views.list(project=project_id):
        lock = (field(view, "data") or {}).get(LOCK_KEY)
        if not isinstance(lock, dict):
            continue
        if view.id != mine and _abandoned(lock):
            _remove(conn, view.id, lock.get("token"))
            continue
        live.append(view)
    return live


def _abandoned(lock: dict) -> bool:
    """A lock tab whose push is over: this process failed to remove it, its process on this machine
    is gone, or it is older than STALE_AFTER."""
    if lock.get("token") in _left_behind or time.time() - float(lock.get("since") or 0) > STALE_AFTER:
        return True
    if lock.get("host") != socket.gethostname() or not isinstance(lock.get("pid"), int):
        return False
    try:
        os.kill(lock["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _remove(conn: Connection, view_id: int, token: str | None) -> None:
    """Remove a lock tab; one already gone (removed by another push) is fine, one the server could not
    be asked to remove is remembered as this process's."""
    try:
        conn.ls.views.delete(str(view_id), request_options=NO_RETRY)
    except ApiError as exc:
        if exc.status_code != 404:
            _left_behind.add(str(token))
    except httpx.HTTPError:
        _left_behind.add(str(token))
    else:
        _left_behind.discard(str(token))
