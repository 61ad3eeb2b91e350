"""One `annotate` run at a time per output folder: `.annotate.lock` there is locked (flock) by the
run writing into it and names that run. The kernel drops the lock when its holder dies, even by
`kill -9`, so a lock file left behind by a dead run is simply taken over."""
from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import EXIT_BUSY, UserError, write_failure

LOCK_NAME = ".annotate.lock"


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold `folder`'s lock for the block; refuse at once if another live run holds it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise write_failure(folder, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "a run that has not named itself yet"
            raise UserError(f"{folder} is being written by another annotate run ({holder}): wait until it ends "
                            "or choose another --out", EXIT_BUSY) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        except OSError as exc:
            raise write_failure(folder, exc) from None
        yield
    finally:
        os.close(fd)
