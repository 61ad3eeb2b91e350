"""Output files of `annotate`, written incrementally: markers.csv, profiles.csv, tasks.json,
errors.csv. Each file is written under a temporary name and renamed when complete, so an
interrupted run never leaves a half-written file in place of a good one."""
from __future__ import annotations

import csv
import json
import os
from operator import attrgetter
from pathlib import Path

from .labelstudio.tasks import build_task
from .pipeline import Result
from .profile import PROFILE_COLUMNS
from .read import BadInput
from .spans import SPAN_COLUMNS

ERROR_COLUMNS = ["doc_id", "where", "reason"]
SPAN_ROW = attrgetter(*SPAN_COLUMNS)  # a span's markers.csv row, several times faster than Span.as_row


class _AtomicFile:
    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_name(f".{path.name}.part")
        self.handle = self.tmp.open("w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.handle.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)


class Writer:
    """Writes the outputs of one `annotate` run into `out`, one article at a time."""

    def __init__(self, out: Path, version: str, *, separator: str = ","):
        out.mkdir(parents=True, exist_ok=True)
        self.version = version
        self.files = {name: _AtomicFile(out / name) for name in
                      ("markers.csv", "profiles.csv", "tasks.json", "errors.csv")}
        self.markers = csv.writer(self.files["markers.csv"].handle, delimiter=separator)
        self.markers.writerow(SPAN_COLUMNS)
        self.profiles = self._csv("profiles.csv", PROFILE_COLUMNS, separator)
        self.errors = self._csv("errors.csv", ERROR_COLUMNS, separator)
        self.tasks = self.files["tasks.json"].handle
        self.tasks.write("[")
        self.n_tasks = 0

    def _csv(self, name: str, columns: list[str], separator: str) -> csv.DictWriter:
        writer = csv.DictWriter(self.files[name].handle, fieldnames=columns, delimiter=separator,
                                extrasaction="ignore")
        writer.writeheader()
        return writer

    def add(self, outcome: Result | BadInput) -> None:
        if isinstance(outcome, BadInput):
            self.errors.writerow({"doc_id": outcome.doc_id, "where": outcome.where, "reason": outcome.reason})
            return
        self.markers.writerows(map(SPAN_ROW, outcome.spans))
        self.profiles.writerow(outcome.profile)
        meta = {k: outcome.profile.get(k, "") for k in ("title", "author", "date", "outlet", "n_words")}
        meta["sentences"] = [list(s) for s in outcome.sentences]
        task = build_task(outcome.article.doc_id, outcome.article.text, outcome.spans, self.version, meta)
        self.tasks.write(("," if self.n_tasks else "") + "\n" + json.dumps(task, ensure_ascii=False))
        self.n_tasks += 1

    def close(self, *, complete: bool = True) -> None:
        """Rename every file into place (complete run) or drop the temporary files (interrupted)."""
        self.tasks.write("\n]\n")
        for f in self.files.values():
            f.commit() if complete else f.abort()
