"""Edits of a rule file as text, so that its comments and layout stay as they are: a word added to a
flow list (`lemmas: [a, b]`) of a rule block, an example sentence added to that block, an item
appended to a top-level list (`outlets:`, `cues:`)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

WIDTH = 110  # a flow list is wrapped before its line grows past this
YAML_RESERVED = {"on", "off", "yes", "no", "y", "n", "true", "false", "null", "~"}


class EditError(Exception):
    """The rule file has no place for the edit (its block or list was not found)."""


@dataclass(frozen=True)
class Edit:
    """One change to one rule file. `target` is a rule id (`verb.say`) or a top-level key
    (`anonymous_heads`); `field` the flow list of that block to extend, or `item` to append `value`
    (a YAML line or block) to the top-level list `target`."""

    file: str
    target: str
    field: str
    value: str
    example: str = ""


def apply_edit(text: str, edit: Edit) -> str:
    """`text` with `edit` made, the example sentence (when there is one) added to the block's `match`."""
    if edit.field == "item":
        return _append_item(text, edit.target, edit.value)
    start, end = _block(text, edit.target)
    text = _extend_list(text, start, end, edit.field, flow_scalar(edit.value))
    if edit.example:
        start, end = _block(text, edit.target)
        text = _add_example(text, start, end, edit.example)
    return text


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    offsets, at = [], 0
    for line in text.splitlines(keepends=True):
        offsets.append((at, line))
        at += len(line)
    return offsets


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _block(text: str, target: str) -> tuple[int, int]:
    """(start, end) character offsets of the block of rule `target` (`- id: target`) or of the
    top-level key `target:`; the end is that of its last line that is not a comment."""
    lines = _lines_with_offsets(text)
    item = re.compile(rf"^(\s*)- id: {re.escape(target)}\s*$")
    key = re.compile(rf"^{re.escape(target)}:\s*$")
    for n, (at, line) in enumerate(lines):
        found = item.match(line.rstrip("\n"))
        if found or key.match(line.rstrip("\n")):
            inner = len(found.group(1)) + 2 if found else 2
            last = n
            for m in range(n + 1, len(lines)):
                if _content(lines[m][1]):
                    if _indent(lines[m][1]) < inner:
                        break
                    last = m
            return at, lines[last][0] + len(lines[last][1].rstrip("\n"))
    raise EditError(f"no rule {target!r} in this file")


def _flow_end(text: str, opening: int) -> int:
    """The offset of the `]` closing the flow list opened at `opening`, quoted strings skipped."""
    depth, quote, at = 0, "", opening
    while at < len(text):
        char = text[at]
        if quote:
            if char == "\\" and quote == '"':
                at += 1
            elif char == quote:
                quote = ""
        elif char in "\"'" and text[at - 1] in "[, \n":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    raise EditError("a flow list is not closed")


def _extend_list(text: str, start: int, end: int, field: str, value: str) -> str:
    found = re.compile(rf"^[ \t]*{re.escape(field)}:[ \t]*\[", re.MULTILINE).search(text, start, end)
    if not found:
        raise EditError(f"the rule has no flow list {field!r} to extend")
    opening = found.end() - 1
    close = _flow_end(text, opening)
    column = opening - text.rfind("\n", 0, opening)
    line_start = text.rfind("\n", 0, close) + 1
    empty = not text[opening + 1:close].strip()
    if empty:
        addition = value
    elif close - line_start + len(value) + 3 > WIDTH:
        addition = ",\n" + " " * column + value
    else:
        addition = ", " + value
    return text[:close] + addition + text[close:]


def _add_example(text: str, start: int, end: int, sentence: str) -> str:
    quoted = json.dumps(sentence, ensure_ascii=False)
    examples = re.compile(r"^([ \t]*)examples:[ \t]*$", re.MULTILINE).search(text, start, end)
    if examples:
        match = re.compile(r"^[ \t]*match:[ \t]*\[", re.MULTILINE).search(text, examples.end(), end)
        if match:
            return _extend_list(text, examples.end(), end, "match", quoted)
        indent = examples.group(1) + "  "
        return text[:examples.end()] + f"\n{indent}match: [{quoted}]" + text[examples.end():]
    first = text[start:text.find("\n", start)]
    indent = " " * (_indent(first) + 2)
    return text[:end] + f"\n{indent}examples:\n{indent}  match: [{quoted}]" + text[end:]


def _append_item(text: str, target: str, item: str) -> str:
    """Append `item` (its lines already indented) after the last line of the top-level list `target`."""
    _, end = _block(text, target)
    return text[:end] + "\n" + item.rstrip("\n") + text[end:]


def flow_scalar(text: str) -> str:
    """A YAML flow scalar: bare when safe, else double-quoted."""
    bare = re.fullmatch(r"[^\W\d][\w' .-]*", text) and text.lower() not in YAML_RESERVED and not text.endswith(" ")
    return text if bare else json.dumps(text, ensure_ascii=False)

