"""Example sentences with their expected spans written inline, like the annotation guide:
`[Selon|CUE] [des sources|SOURCE_ANONYMOUS], ...`."""
from __future__ import annotations

import re

MARK = re.compile(r"\[([^\[\]|]+)\|([A-Z_]+)\]")


def unmark(marked: str) -> tuple[str, set[tuple[str, str]]]:
    """The plain text and its expected (label, text) pairs."""
    expected, parts, last = set(), [], 0
    for match in MARK.finditer(marked):
        parts.append(marked[last:match.start()])
        parts.append(match.group(1))
        expected.add((match.group(2), match.group(1)))
        last = match.end()
    parts.append(marked[last:])
    return "".join(parts), expected
