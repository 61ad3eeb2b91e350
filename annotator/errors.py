"""Errors an analyst can act on: the CLI prints the message alone and exits with the code."""
from __future__ import annotations


class UserError(Exception):
    """A problem with the input, the rules, the server or the options, explained in one message."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code
