"""Output files of `annotate`, written incrementally: markers.csv, profiles.csv, tasks.json,
errors.csv. Each file is written under a temporary name and renamed when the run completes, so an
interrupted run never leaves a half-written file in place of a good one. Before the renames,
manifest.json records each new file's size and hash (see `manifest`). A disk full or unwritable
folder removes the temporary files and raises one `UserError`. A checkpoint records, every few
articles, which articles are done and how long each file was then: `--resume` cuts the temporary
files back to the last checkpoint and goes on from there, so no row is duplicated. The checkpoint
also names the spaCy model: a run is resumed with the model it began with, or not at all."""
from __future__ import annotations

import csv
import json
import os
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Iterable, Iterator

from .errors import UserError, write_failure
from .labelstudio.tasks import task_of
from .manifest import MANIFEST, file_digest, finish_switch, write_manifest
from .nlp import MODEL
from .pipeline import Result
from .profile import PROFILE_COLUMNS
from .read import BadInput, Item
from .spans import SPAN_COLUMNS

ERROR_COLUMNS = ["doc_id", "where", "reason"]
SPAN_ROW = attrgetter(*SPAN_COLUMNS)  # a span's markers.csv row, several times faster than Span.as_row
FILES = ("markers.csv", "profiles.csv", "tasks.json", "errors.csv")
PROGRESS = ".annotate.progress"
CHECKPOINT_EVERY = 50


class _AtomicFile:
    """A file written as `.NAME.part` and renamed to NAME on commit; resumable at a byte offset."""

    def __init__(self, path: Path, resume_at: int | None = None):
        self.path = path
        self.tmp = path.with_name(f".{path.name}.part")
        if resume_at is not None:
            with self.tmp.open("r+b") as raw:
                raw.truncate(resume_at)
        self.handle = self.tmp.open("a" if resume_at is not None else "w", encoding="utf-8", newline="")

    def offset(self) -> int:
        self.handle.flush()
        return self.handle.buffer.tell()

    def seal(self) -> dict:
        """Flush the file to disk and close it; its size and hash for the manifest."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        return file_digest(self.tmp)

    def keep(self) -> None:
        self.handle.close()

    def discard(self) -> None:
        """Close (what could not be written is lost anyway) and remove the temporary file."""
        try:
            self.handle.close()
        except OSError:
            pass
        self.tmp.unlink(missing_ok=True)


class Writer:
    """Writes the outputs of one `annotate` run into `out`, one article at a time."""

    def __init__(self, out: Path, version: str, *, separator: str = ",", resume: bool = False,
                 model: str = MODEL):
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.version = version
        self.model = model
        self.progress = out / PROGRESS
        state = _last_checkpoint(self.progress, out) if resume else None
        began_with = state.get("model", MODEL) if state else model  # checkpoints before --model: the default
        if began_with != model:
            raise UserError(f"{out} holds a run begun with --model {began_with}: resume it with --model "
                            f"{began_with} (spans of two models are never mixed), or start afresh without --resume",
                            code=2)
        self.done: list[str] = state["done"] if state else []  # the interrupted run's items, in input order
        self.n_errors = state.get("n_errors", 0) if state else 0
        self.n_tasks = state["n_tasks"] if state else 0
        offsets = state["offsets"] if state else {}
        self.files: dict[str, _AtomicFile] = {}
        with self._writing():
            for name in FILES:
                self.files[name] = _AtomicFile(out / name, offsets.get(name))
            self._start(state, separator)

    def _start(self, state: dict | None, separator: str) -> None:
        self.markers = csv.writer(self.files["markers.csv"].handle, delimiter=separator)
        self.profiles = csv.DictWriter(self.files["profiles.csv"].handle, fieldnames=PROFILE_COLUMNS,
                                       delimiter=separator, extrasaction="ignore")
        self.errors = csv.DictWriter(self.files["errors.csv"].handle, fieldnames=ERROR_COLUMNS, delimiter=separator)
        self.tasks = self.files["tasks.json"].handle
        self.since_checkpoint: list[str] = []
        if state is None:
            self.progress.unlink(missing_ok=True)
            self.markers.writerow(SPAN_COLUMNS)
            self.profiles.writeheader()
            self.errors.writeheader()
            self.tasks.write("[")
            self.checkpoint()

    def remaining(self, items: Iterable[Item]) -> Iterator[Item]:
        """The items after those the interrupted run wrote (unreadable ones included, so that their
        errors.csv rows are neither lost nor doubled); the input must start with the same doc_ids."""
        items = iter(items)
        for n, (done, item) in enumerate(zip(self.done, items)):
            if item.doc_id != done:
                raise UserError(f"the input changed since the interrupted run (item {n + 1} is {item.doc_id!r}, "
                                f"it was {done!r}): start afresh without --resume", code=2)
        yield from items

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A failed write (disk full, folder gone read-only) removes the temporary files and becomes
        one UserError: the previous outputs stay, and nothing half-written is left beside them."""
        try:
            yield
        except OSError as exc:
            for f in self.files.values():
                f.discard()
            self.progress.unlink(missing_ok=True)
            (self.out / f".{MANIFEST}.part").unlink(missing_ok=True)
            raise write_failure(self.out, exc) from None

    def add(self, outcome: Result | BadInput) -> None:
        with self._writing():
            self._add(outcome)

    def _add(self, outcome: Result | BadInput) -> None:
        if isinstance(outcome, BadInput):
            self.n_errors += 1
            self.errors.writerow({"doc_id": outcome.doc_id, "where": outcome.where, "reason": outcome.reason})
        else:
            self.markers.writerows(map(SPAN_ROW, outcome.spans))
            self.profiles.writerow(outcome.profile)
            task = task_of(outcome, self.version)
            self.tasks.write(("," if self.n_tasks else "") + "\n" + json.dumps(task, ensure_ascii=False))
            self.n_tasks += 1
        self.since_checkpoint.append(outcome.doc_id if isinstance(outcome, BadInput) else outcome.article.doc_id)
        if len(self.since_checkpoint) >= CHECKPOINT_EVERY:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Record the articles written since the last checkpoint and the length of every file."""
        record = {"done": self.since_checkpoint, "n_tasks": self.n_tasks, "n_errors": self.n_errors,
                  "model": self.model, "offsets": {name: f.offset() for name, f in self.files.items()}}
        with self.progress.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.since_checkpoint = []

    def close(self, *, complete: bool = True) -> None:
        """Rename every file into place (complete run), or keep the temporary files for `--resume`
        (interrupted run: the previous outputs stay as they were). No checkpoint is taken then: an
        interruption may have cut an article short, and the last checkpoint is before it."""
        if not complete:
            for f in self.files.values():
                f.keep()
            return
        with self._writing():
            self.tasks.write("\n]\n")
            manifest = {"n_errors": self.n_errors, "files": {name: f.seal() for name, f in self.files.items()}}
            write_manifest(self.out, manifest)
        finish_switch(self.out)
        self.progress.unlink(missing_ok=True)


def _last_checkpoint(progress: Path, out: Path) -> dict | None:
    """The state of an interrupted run in `out`: done doc_ids, task count and file lengths."""
    if not progress.is_file() or not all((out / f".{name}.part").is_file() for name in FILES):
        return None
    done: list[str] = []
    state = None
    for line in progress.read_text(encoding="utf-8").splitlines():
        try:
            state = json.loads(line)
        except json.JSONDecodeError:
            break  # a checkpoint cut short by a crash: the one before it holds
        done += state["done"]
    return {**state, "done": done} if state else None
