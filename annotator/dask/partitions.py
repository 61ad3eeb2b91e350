"""Cut an input into partitions without loading it, and read one partition back on a worker.

A partition is a run of the .txt files of a folder, a byte range of whole records of a CSV or
JSONL file, or a row range of one row group of a Parquet file. Its documents come out as
`read_articles` yields them for the whole input (same ids, same `where`, same refusals), through
read.py's own helpers; the one check that spans partitions, a doc_id seen in an earlier one, is
made with the `seen` ids the client passes (see `checked`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Union

import pyarrow.parquet as pq

from ..read import (Article, BadInput, InputError, Item, _checked, _csv_rows, _from_row, _lines, _read_jsonl,
                   _read_text_file, read_articles)


class CsvReader(csv.DictReader):
    """A DictReader whose line numbers start after `offset` lines, and that notes a broken record."""

    def __init__(self, f, *, offset: int = 0, **kwargs):
        self.offset, self.broken = offset, False
        super().__init__(f, **kwargs)

    @property
    def line_num(self) -> int:
        return self.offset + self._line_num

    @line_num.setter
    def line_num(self, value: int) -> None:  # DictReader sets it where it chooses; kept as it does
        self._line_num = value

    def __next__(self) -> dict:
        try:
            return super().__next__()
        except (csv.Error, UnicodeDecodeError):
            self.broken = True
            raise


@dataclass(frozen=True)
class FilesPart:
    """Files `names` of `folder`; `shown` is the folder as the user named it (for `where`)."""

    index: int
    folder: str
    shown: str
    names: tuple[str, ...]

    @property
    def n_docs(self) -> int:
        return len(self.names)

    def describe(self) -> str:
        return f"{self.shown}: {self.names[0]} … {self.names[-1]}"

    def raw_items(self, id_col: str, text_col: str, max_bytes: int) -> Iterator[Item]:
        for name in self.names:
            yield replace(_read_text_file(Path(self.folder) / name, max_bytes), where=str(Path(self.shown) / name))


@dataclass(frozen=True)
class RecordsPart:
    """Bytes [start, stop) of a CSV file (`header` set) or a JSONL file, whole records only, after
    `first_line` lines; `shown` is the file as the user named it."""

    index: int
    path: str
    shown: str
    start: int
    stop: int
    first_line: int
    n_docs: int
    header: tuple[str, ...] | None = None

    def describe(self) -> str:
        return f"{self.shown} from line {self.first_line + 1} ({self.n_docs} records)"

    def raw_items(self, id_col: str, text_col: str, max_bytes: int) -> Iterator[Item]:
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            data = handle.read(self.stop - self.start)
        if self.header is None:
            return _read_jsonl(io.BytesIO(data), self.shown, id_col, text_col, max_bytes, self.first_line)
        csv.field_size_limit(max_bytes)
        reader = CsvReader(io.StringIO(data.decode("utf-8"), newline=""), fieldnames=list(self.header),
                           strict=True, offset=self.first_line)
        return _csv_rows(reader, self.shown, id_col, text_col)


@dataclass(frozen=True)
class ParquetPart:
    """Rows [start, stop) of row group `group`, after `first_row` rows of the file."""

    index: int
    path: str
    shown: str
    group: int
    start: int
    stop: int
    first_row: int

    @property
    def n_docs(self) -> int:
        return self.stop - self.start

    def describe(self) -> str:
        return f"{self.shown}: rows {self.first_row + 1}-{self.first_row + self.n_docs}"

    def raw_items(self, id_col: str, text_col: str, max_bytes: int) -> Iterator[Item]:
        columns = list(dict.fromkeys((id_col, text_col)))
        table = pq.ParquetFile(self.path).read_row_group(self.group, columns=columns)
        for number, row in enumerate(table.slice(self.start, self.n_docs).to_pylist(), self.first_row + 1):
            yield _from_row(row, f"{self.shown}:{number}", id_col, text_col, number)


@dataclass(frozen=True)
class ErrorPart:
    """The refusal that ends the reading of a file (a broken CSV record), found while planning."""

    index: int
    errors: tuple[BadInput, ...]

    @property
    def n_docs(self) -> int:
        return len(self.errors)

    def describe(self) -> str:
        return self.errors[0].where

    def raw_items(self, id_col: str, text_col: str, max_bytes: int) -> Iterator[Item]:
        return iter(self.errors)


Part = Union[FilesPart, RecordsPart, ParquetPart, ErrorPart]


def checked(items: Iterable[Item], seen: dict[str, str], max_bytes: int) -> Iterator[Item]:
    """`read_articles`' checks of each article; `seen` maps the doc_ids met so far to where, and grows."""
    for item in items:
        yield _checked(item, seen, max_bytes) if isinstance(item, Article) else item


def plan(source: str, size: int, *, id_col: str = "id", text_col: str = "text", max_bytes: int) -> list[Part]:
    """The partitions of `source` (a folder, a .txt, .csv, .jsonl or .parquet file), `size` documents each."""
    if source == "-":
        raise InputError("--engine dask reads a file or a folder, not standard input")
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix == ".parquet" and path.is_file():
        return _plan_parquet(path, size, id_col, text_col)
    next(read_articles(source, id_col=id_col, text_col=text_col, max_bytes=max_bytes), None)  # its checks, its messages
    if path.is_dir():
        names = [p.name for p in sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())]
        return _files(path, names, size)
    if suffix == ".txt":
        return _files(path.parent, [path.name], size)
    if suffix == ".csv":
        return _plan_csv(path, size, id_col, text_col, max_bytes)
    return _plan_jsonl(path, size, max_bytes)


def _files(folder: Path, names: list[str], size: int) -> list[Part]:
    where, shown = str(folder.resolve()), str(folder)
    return [FilesPart(n, where, shown, tuple(names[i:i + size])) for n, i in enumerate(range(0, len(names), size))]


def _cut(ends: Iterable[tuple[int, int]], origin: tuple[int, int], size: int,
         make: Callable[[int, tuple[int, int], tuple[int, int], int], Part]) -> list[Part]:
    """Partitions of `size` records, from the (byte, line) position where each record ends:
    `make(index, start, stop, n_docs)`."""
    parts: list[Part] = []
    start = end = origin
    count = 0
    for end in ends:
        count += 1
        if count == size:
            parts.append(make(len(parts), start, end, count))
            start, count = end, 0
    if count:
        parts.append(make(len(parts), start, end, count))
    return parts


class _Tally:
    """Iterates the lines of a text file, counting them and their UTF-8 bytes."""

    def __init__(self, handle: IO[str]):
        self.handle, self.lines, self.bytes = handle, 0, 0

    def __iter__(self) -> _Tally:
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.lines += 1
        self.bytes += len(line.encode("utf-8"))
        return line


def _plan_csv(path: Path, size: int, id_col: str, text_col: str, max_bytes: int) -> list[Part]:
    """One pass reading the file as the local engine does; a broken record ends it, as there."""
    csv.field_size_limit(max_bytes)
    where, shown, broken = str(path.resolve()), str(path), []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = _Tally(handle)
        reader = CsvReader(lines, strict=True)
        header = tuple(reader.fieldnames or ())

        def ends() -> Iterator[tuple[int, int]]:
            for item in _csv_rows(reader, path, id_col, text_col):
                if reader.broken:
                    broken.append(item)
                    return
                yield lines.bytes, lines.lines

        parts = _cut(ends(), (lines.bytes, lines.lines), size, lambda n, start, stop, count: RecordsPart(
            n, where, shown, start[0], stop[0], start[1], count, header))
    return parts + [ErrorPart(len(parts), tuple(broken))] if broken else parts


def _plan_jsonl(path: Path, size: int, max_bytes: int) -> list[Part]:
    where, shown = str(path.resolve()), str(path)
    with path.open("rb") as handle:
        def ends() -> Iterator[tuple[int, int]]:
            for number, line in enumerate(_lines(handle, max_bytes), 1):
                if line is None or line.strip():
                    yield handle.tell(), number

        return _cut(ends(), (0, 0), size, lambda n, start, stop, count: RecordsPart(
            n, where, shown, start[0], stop[0], start[1], count))


def _plan_parquet(path: Path, size: int, id_col: str, text_col: str) -> list[Part]:
    try:
        meta = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    names = meta.schema_arrow.names
    missing = [c for c in (id_col, text_col) if c not in names]
    if missing:
        raise InputError(f"{path}: no column {', '.join(map(repr, missing))} "
                         f"(columns: {', '.join(names)}; see --id-col/--text-col)")
    parts: list[Part] = []
    first = 0
    for group in range(meta.num_row_groups):
        rows = meta.metadata.row_group(group).num_rows
        for start in range(0, rows, size):
            parts.append(ParquetPart(len(parts), str(path.resolve()), str(path), group, start,
                                     min(rows, start + size), first + start))
        first += rows
    return parts
