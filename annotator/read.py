"""Read articles from a folder of .txt files, a .csv, a .jsonl file or standard input.

Texts are kept exactly as read (UTF-8, line endings untouched): every offset points into them.
A document that cannot be read becomes a `BadInput`, so one bad file never stops a batch.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, TextIO, Union

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True, slots=True)
class Article:
    doc_id: str
    text: str


@dataclass(frozen=True, slots=True)
class BadInput:
    """A document that could not be read, and why (`where` names the file and line)."""

    doc_id: str
    where: str
    reason: str


Item = Union[Article, BadInput]


class InputError(Exception):
    """The input as a whole cannot be read (missing file, unknown format, missing column)."""


def read_articles(source: str, *, id_col: str = "id", text_col: str = "text") -> Iterator[Item]:
    """Yield the articles of `source`: a folder, a .txt, .csv or .jsonl file, or `-` for stdin."""
    if source == "-":
        yield from _read_stream(sys.stdin, "<stdin>", id_col, text_col)
        return
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
        if not files:
            raise InputError(f"{path}: no .txt file in this folder")
        for file in files:
            yield _read_text_file(file)
    elif not path.exists():
        raise InputError(f"{path}: no such file or folder")
    elif path.suffix.lower() == ".csv":
        yield from _read_csv(path, id_col, text_col)
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8", newline="") as handle:
            yield from _read_jsonl(handle, str(path), id_col, text_col)
    elif path.suffix.lower() == ".txt":
        yield _read_text_file(path)
    else:
        raise InputError(f"{path}: unknown input format (expected a folder, .txt, .csv or .jsonl)")


def _read_text_file(path: Path) -> Item:
    data = path.read_bytes()
    try:
        return Article(path.stem, data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return BadInput(path.stem, str(path), f"not UTF-8 (byte {exc.start})")


def _read_stream(stream: TextIO, name: str, id_col: str, text_col: str) -> Iterator[Item]:
    text = stream.read()
    if text.lstrip().startswith("{"):
        yield from _read_jsonl(text.splitlines(keepends=True), name, id_col, text_col)
    else:
        yield Article("stdin", text)


def _read_jsonl(lines, name: str, id_col: str, text_col: str) -> Iterator[Item]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadInput(f"line-{number}", where, f"invalid JSON: {exc.msg}")
            continue
        yield _from_row(row, where, id_col, text_col, number)


def _read_csv(path: Path, id_col: str, text_col: str) -> Iterator[Item]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (id_col, text_col) if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}:1: no column {', '.join(map(repr, missing))} "
                             f"(columns: {', '.join(reader.fieldnames or [])}; see --id-col/--text-col)")
        for row in reader:
            yield _from_row(row, f"{path}:{reader.line_num}", id_col, text_col, reader.line_num)


def _from_row(row, where: str, id_col: str, text_col: str, number: int) -> Item:
    if not isinstance(row, dict):
        return BadInput(f"line-{number}", where, "not a JSON object")
    doc_id = str(row.get(id_col) or f"line-{number}")
    text = row.get(text_col)
    if not isinstance(text, str):
        return BadInput(doc_id, where, f"no text in column {text_col!r}")
    return Article(doc_id, text)
