"""Read articles from a folder of .txt files, a .csv, a .jsonl file or standard input.

Texts are kept exactly as read (UTF-8, line endings untouched): every offset points into them.
A document that cannot be read becomes a `BadInput` naming the file and line, so one bad
document never stops a batch: empty or binary texts, text that is not UTF-8 (refused, with the
command that converts it), a lone surrogate escape in JSON (`\\ud800`, not a character), a document
over the size limit, a broken CSV quote, a bad or too deeply nested JSON line, a doc_id seen before,
a file that vanished or cannot be read while the batch runs.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, Union

DEFAULT_MAX_BYTES = 20_000_000
URL_COL = "url"  # the default URL column, read when the input has it


@dataclass(frozen=True, slots=True)
class Article:
    doc_id: str
    text: str
    where: str = ""
    url: str = ""  # the article's web address, from the URL column of a CSV/JSONL input


@dataclass(frozen=True, slots=True)
class BadInput:
    """A document that could not be read, and why (`where` names the file and line)."""

    doc_id: str
    where: str
    reason: str


Item = Union[Article, BadInput]


class InputError(Exception):
    """The input as a whole cannot be read (missing file, unknown format, missing column)."""


def read_articles(source: str, *, id_col: str = "id", text_col: str = "text", url_col: str | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Yield the articles of `source`: a folder, a .txt, .csv or .jsonl file, or `-` for stdin.
    `url_col`: the column of the articles' web addresses (default: `url` when there is one)."""
    seen: dict[str, str] = {}
    for item in _read(source, id_col, text_col, max_bytes, url_col):
        if isinstance(item, Article):
            item = _checked(item, seen, max_bytes)
        if isinstance(item, BadInput):
            item = BadInput(_writable(item.doc_id), _writable(item.where), item.reason)
        yield item


def _read(source: str, id_col: str, text_col: str, max_bytes: int, url_col: str | None) -> Iterator[Item]:
    if source == "-":
        yield from _read_jsonl_or_text(sys.stdin.buffer, "<stdin>", id_col, text_col, max_bytes, url_col or URL_COL)
        return
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
        if not files:
            raise InputError(f"{path}: no .txt file in this folder")
        for file in files:
            yield _read_text_file(file, max_bytes)
    elif not path.exists():
        raise InputError(f"{path}: no such file or folder")
    elif path.suffix.lower() == ".csv":
        yield from _read_csv(path, id_col, text_col, max_bytes, url_col)
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open("rb") as handle:
            yield from _read_jsonl(handle, str(path), id_col, text_col, max_bytes, url_col=url_col or URL_COL)
    elif path.suffix.lower() == ".txt":
        yield _read_text_file(path, max_bytes)
    else:
        raise InputError(f"{path}: unknown input format (expected a folder, .txt, .csv or .jsonl)")


def _checked(article: Article, seen: dict[str, str], max_bytes: int) -> Item:
    where = article.where or article.doc_id
    for field, value in (("doc_id", article.doc_id), ("text", article.text)):
        surrogate = _lone_surrogate(value)
        if surrogate is not None:
            return BadInput(article.doc_id, where, f"a lone surrogate ({surrogate} of the {field}), not a "
                                                   "character: fix the JSON escape")
    if article.doc_id in seen:
        return BadInput(article.doc_id, where, f"duplicate doc_id (first seen at {seen[article.doc_id]}); skipped")
    seen[article.doc_id] = where
    if not article.text.strip():
        return BadInput(article.doc_id, where, "empty text")
    if "\x00" in article.text:
        return BadInput(article.doc_id, where, "binary content (NUL bytes), not a text")
    if len(article.text) > max_bytes:
        return BadInput(article.doc_id, where, _too_large(len(article.text), max_bytes))
    return article


def _lone_surrogate(text: str) -> str | None:
    """The first lone surrogate of `text` as `\\udXXX` (JSON escapes can make them, UTF-8 cannot)."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(text[exc.start]):04x} at character {exc.start}"
    return None


def _writable(text: str) -> str:
    """`text` with any lone surrogate (a JSON escape, an undecodable file name) as `\\udXXX`, so that
    errors.csv can hold it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _too_large(size: int, limit: int) -> str:
    return f"too large ({size / 1e6:.1f} MB over the {limit / 1e6:.0f} MB limit; raise it with --max-mb)"


def _decode(data: bytes, doc_id: str, where: str) -> Item:
    """UTF-8 text, or a refusal that says how to convert Windows/Latin-1 text."""
    try:
        return Article(doc_id, data.decode("utf-8"), where)
    except UnicodeDecodeError as exc:
        return BadInput(doc_id, where, f"not UTF-8 (byte {exc.start}); if it is Windows/Latin-1 text, convert "
                                       f"it with `iconv -f cp1252 -t utf-8` and run again")


def _read_text_file(path: Path, max_bytes: int) -> Item:
    """A .txt file as one article; a file deleted or unreadable since the folder was listed is a BadInput."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return BadInput(path.stem, str(path), _too_large(size, max_bytes))
        data = path.read_bytes()
    except OSError as exc:
        return BadInput(path.stem, str(path), f"cannot be read: {exc.strerror or exc} (deleted or changed "
                                              "during the run?)")
    return _decode(data, path.stem, str(path))


def _read_jsonl_or_text(stream: IO[bytes], name: str, id_col: str, text_col: str, max_bytes: int,
                        url_col: str) -> Iterator[Item]:
    first = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    if first.lstrip().startswith(b"{"):
        yield from _read_jsonl(stream, name, id_col, text_col, max_bytes, url_col=url_col)
        return
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield BadInput("stdin", name, _too_large(len(data), max_bytes))
        return
    yield _decode(data, "stdin", name)


def _read_jsonl(stream: IO[bytes], name: str, id_col: str, text_col: str, max_bytes: int,
                first_line: int = 0, url_col: str = URL_COL) -> Iterator[Item]:
    """The records of a JSON Lines stream, numbering its lines from `first_line` + 1."""
    for number, line in enumerate(_lines(stream, max_bytes), first_line + 1):
        where = f"{name}:{number}"
        if line is None:
            yield BadInput(f"line-{number}", where, _too_large(max_bytes + 1, max_bytes))
            continue
        if not line.strip():
            continue
        decoded = _decode(line, f"line-{number}", where)
        if isinstance(decoded, BadInput):
            yield decoded
            continue
        try:
            row = json.loads(decoded.text)
        except json.JSONDecodeError as exc:
            yield BadInput(f"line-{number}", where, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield BadInput(f"line-{number}", where, "JSON nested too deeply to be read")
            continue
        yield _from_row(row, where, id_col, text_col, number, url_col)


def _lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes | None]:
    """The lines of a binary stream; a line over `max_bytes` is skipped (None), never held whole."""
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield None
            continue
        yield line


def _read_csv(path: Path, id_col: str, text_col: str, max_bytes: int, url_col: str | None) -> Iterator[Item]:
    csv.field_size_limit(max_bytes)
    with path.open(encoding="utf-8", errors="strict", newline="") as handle:
        reader = csv.DictReader(handle, strict=True)
        try:
            columns = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path}:1: cannot read the header: {exc}") from None
        missing = [c for c in (id_col, text_col, url_col) if c and c not in columns]
        if missing:
            raise InputError(f"{path}:1: no column {', '.join(map(repr, missing))} "
                             f"(columns: {', '.join(columns)}; see --id-col/--text-col/--url-col)")
        yield from _csv_rows(reader, path, id_col, text_col, url_col or URL_COL)


def _csv_rows(reader: csv.DictReader, path: Path, id_col: str, text_col: str,
              url_col: str = URL_COL) -> Iterator[Item]:
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield BadInput(f"line-{start}", f"{path}:{start}", f"broken CSV from line {start} ({exc}; an "
                           f"unbalanced quote?); the rest of the file was not read")
            return
        if None in row or None in row.values():
            yield BadInput(str(row.get(id_col) or f"line-{start}"), f"{path}:{start}",
                           "malformed CSV row (wrong number of fields: an unbalanced quote?)")
        else:
            yield _from_row(row, f"{path}:{start}", id_col, text_col, start, url_col)
        start = reader.line_num + 1


def _from_row(row, where: str, id_col: str, text_col: str, number: int, url_col: str = URL_COL) -> Item:
    if not isinstance(row, dict):
        return BadInput(f"line-{number}", where, "not a JSON object")
    doc_id = str(row.get(id_col) or f"line-{number}")
    text = row.get(text_col)
    if not isinstance(text, str):
        return BadInput(doc_id, where, f"no text in column {text_col!r}")
    url = row.get(url_col)
    return Article(doc_id, text, where, url.strip() if isinstance(url, str) else "")
