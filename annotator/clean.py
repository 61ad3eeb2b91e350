"""Split an article into lines, set boilerplate aside and read its metadata.

Only content lines are matched; boilerplate and metadata lines get no span. The first content
line is the title. Offsets stay those of the original text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .rules import Rules

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
MAX_BOILERPLATE_LINE = 160


@dataclass
class Layout:
    """Where an article's content is, and what its metadata lines say."""

    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)


def lines(text: str):
    """Yield (start, end) of each line without its line break (\\r\\n, \\r or \\n)."""
    for match in LINE.finditer(text):
        if match.start() == len(text) and match.start() > 0:
            break
        yield match.start(), match.start() + len(match.group().rstrip("\r\n"))


def layout(text: str, rules: Rules) -> Layout:
    """Classify each line of `text` as content, metadata or boilerplate."""
    out = Layout()
    in_tail = False
    for start, end in lines(text):
        raw = text[start:end]
        line = raw.strip()
        if not line:
            continue
        kind = "bp.tail" if in_tail else _boilerplate(line, rules, out.meta)
        if kind is None:
            lead = len(raw) - len(raw.lstrip())
            out.paragraphs.append((start + lead, start + lead + len(line)))
            out.meta.setdefault("title", line)
            continue
        out.skipped[kind] = out.skipped.get(kind, 0) + 1
        in_tail = in_tail or any(p.fullmatch(line) for _, p in rules.tail_markers)
    return out


def _boilerplate(line: str, rules: Rules, meta: dict[str, str]) -> str | None:
    """The id of the rule that sets `line` aside (reading its metadata), or None for content."""
    if len(line) > MAX_BOILERPLATE_LINE:
        return None
    for rule_id, pattern, name in rules.metadata_lines:
        match = pattern.fullmatch(line)
        if match:
            for key, value in match.groupdict().items():
                if value and value.strip():
                    meta.setdefault(key, value.strip())
            return rule_id
    for rule_id, pattern in rules.skip_lines:
        if pattern.fullmatch(line):
            return rule_id
    return None
