"""Errors an analyst can act on: the CLI prints the message alone and exits with the code."""
from __future__ import annotations

EXIT_WRITE = 74  # the output folder cannot be written: disk full, read-only, no permission (EX_IOERR)
EXIT_BUSY = 75   # another run holds the output folder or the Label Studio project: try again later (EX_TEMPFAIL)
EXIT_PIPE = 141  # the reader of the output stopped reading (`| head`): 128 + SIGPIPE, as a shell reports it


class UserError(Exception):
    """A problem with the input, the rules, the server or the options, explained in one message."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def write_failure(folder: object, exc: OSError) -> UserError:
    """The one-line error for an output folder that cannot be written (`exc` from the write)."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what = "the disk is full (or the quota reached)"
    else:
        what = f"it cannot be written ({exc.strerror or exc})"
    return UserError(f"{folder}: {what}; nothing was replaced there (earlier outputs are intact): free some "
                     "space or choose another --out, then run again", EXIT_WRITE)
