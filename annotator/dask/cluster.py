"""The Dask side of `annotate --engine dask`: each worker process loads the rules and the spaCy
pipeline once, annotates whole partitions and writes each partition's own parts.

Parts go to a staging folder inside the output folder, each under a temporary name renamed into
place, so a retried partition overwrites its own parts and never adds rows. The staging folder
replaces the previous outputs only once every partition is done (as the local engine's files do).
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
from dask.distributed import Client, LocalCluster, as_completed
from spacy.language import Language
from tqdm import tqdm

from ..errors import UserError
from ..export import ERROR_COLUMNS
from ..labelstudio.tasks import task_of
from ..manifest import MANIFEST
from ..nlp import MODEL, load_pipeline, model_version
from ..pipeline import annotate
from ..profile import PROFILE_COLUMNS
from ..read import BadInput
from ..rules import Rules, load_rules
from ..spans import SPAN_COLUMNS, Span
from .partitions import Part, checked

TABLES = {"markers": SPAN_COLUMNS, "profiles": PROFILE_COLUMNS, "errors": ERROR_COLUMNS}
PART_DIRS = (*TABLES, "tasks")
MERGED = ("markers.csv", "profiles.csv", "errors.csv", "tasks.json")
FAILED_PARTITION = 3  # exit code of a run stopped by a partition that failed on every attempt


def _profile_type(column: str) -> pa.DataType:
    if column.startswith("n_"):
        return pa.int64()
    if column.startswith(("share_", "component_")) or column == "transparency_score":
        return pa.float64()
    return pa.string()


SCHEMAS = {
    "markers": pa.schema([(f.name, pa.int64() if f.type == "int" else pa.string()) for f in fields(Span)]),
    "profiles": pa.schema([(c, _profile_type(c)) for c in PROFILE_COLUMNS]),
    "errors": pa.schema([(c, pa.string()) for c in ERROR_COLUMNS]),
}


@dataclass(frozen=True)
class Job:
    """How every partition is annotated. `rules_dir` None: the workers' bundled rules; the workers'
    rules and code must have the client's `rules_version` and `code_version`; `model`: the spaCy
    pipeline every worker loads (installed there)."""

    rules_dir: str | None
    rules_version: str
    code_version: str
    fast: bool
    id_col: str
    text_col: str
    max_bytes: int
    batch_size: int
    model: str = MODEL


@dataclass
class PartResult:
    """What a partition reports; `first_seen`: the doc_ids it met first, and where."""

    index: int
    docs: int
    labels: Counter
    skipped: list[tuple[str, str]]
    first_seen: dict[str, str]


@dataclass
class RunStats:
    docs: int = 0
    labels: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    partitions: int = 0
    workers: int = 0
    load_seconds: float = 0.0
    seconds: float = 0.0  # annotating the partitions
    commit_seconds: float = 0.0  # merging (when asked) and putting the outputs in place


def start_cluster(workers: int) -> LocalCluster:
    """A cluster of `workers` single-threaded processes on 127.0.0.1, without a dashboard."""
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None)


@contextmanager
def open_client(scheduler: str | None, workers: int, timeout: float = 60) -> Iterator[Client]:
    """A client of the scheduler at `scheduler` once a worker has joined it (within `timeout` seconds),
    else of a local cluster of `workers` processes started for the run."""
    if not scheduler:
        with start_cluster(workers) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise UserError(f"cannot reach the Dask scheduler at {scheduler}: {exc}", code=2) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise UserError(f"no Dask worker joined {scheduler} within {timeout:.0f} s (start them with "
                            f"`dask worker {scheduler} --nthreads 1`)", code=2) from None
        yield client


def code_version() -> str:
    """A short hash of the annotator package's source files."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


# --- on the workers ---------------------------------------------------------------------------

_LOCK = threading.Lock()  # one partition at a time per process, should a worker run several threads


def _pipeline(job: Job) -> tuple[Rules, Language]:
    """This worker process's rules and spaCy pipeline for `job`, loaded once."""
    rules, nlp, code = _load(job.rules_dir, job.fast, job.rules_version, job.model)
    if code != job.code_version:
        raise RuntimeError(f"this worker runs annotator code {code}, the client {job.code_version}: "
                           "install the same version everywhere and restart the workers")
    return rules, nlp


@lru_cache(maxsize=1)
def _load(rules_dir: str | None, fast: bool, version: str, model: str = MODEL) -> tuple[Rules, Language, str]:
    rules = load_rules(rules_dir)
    if rules.version != version:
        raise RuntimeError(f"the worker's rules ({rules.directory}, {rules.version}) are not the client's "
                           f"({version}): give every worker the same rules folder")
    return rules, load_pipeline(rules, fast=fast, model=model), code_version()


def _warm(job: Job) -> None:
    with _LOCK:
        _pipeline(job)


def annotate_partition(part: Part, earlier: dict[str, str], job: Job, staging: str) -> PartResult:
    """Annotate one partition and write its parts into `staging`: markers, profiles and errors as Parquet,
    tasks as JSON lines. `earlier`: its doc_ids already met in earlier partitions (refused as duplicates)."""
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    tasks: list[str] = []
    labels: Counter = Counter()
    seen = dict(earlier)
    with _LOCK:
        rules, nlp = _pipeline(job)
        items = checked(part.raw_items(job.id_col, job.text_col, job.max_bytes), seen, job.max_bytes)
        for outcome in annotate(items, nlp, rules, workers=1, batch_size=job.batch_size):
            if isinstance(outcome, BadInput):
                rows["errors"].append({"doc_id": outcome.doc_id, "where": outcome.where, "reason": outcome.reason})
                continue
            rows["markers"] += [s.as_row() for s in outcome.spans]
            rows["profiles"].append(outcome.profile)
            tasks.append(json.dumps(task_of(outcome, model_version(rules.version, job.model)), ensure_ascii=False)
                         + "\n")
            labels.update(s.label for s in outcome.spans)
    name = f"part-{part.index:05d}"
    for table in TABLES:
        _write_parquet(rows[table], SCHEMAS[table], Path(staging) / table / f"{name}.parquet")
    _replace_with(Path(staging) / "tasks" / f"{name}.jsonl",
                  lambda tmp: tmp.write_text("".join(tasks), encoding="utf-8"))
    return PartResult(part.index, len(rows["profiles"]), labels, [(r["where"], r["reason"]) for r in rows["errors"]],
                      {k: v for k, v in seen.items() if k not in earlier})


def _write_parquet(rows: list[dict], schema: pa.Schema, path: Path) -> None:
    _replace_with(path, lambda tmp: pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp))


def _replace_with(path: Path, write) -> None:
    """Write `path` through `write(tmp)` under a temporary name of its own, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --- on the client ----------------------------------------------------------------------------

def annotate_on_dask(client: Client, parts: list[Part], out: Path, job: Job, *, retries: int = 2,
                     merge: bool = False, sep: str = ",") -> RunStats:
    """Annotate every partition on the cluster of `client` and put the outputs in `out`.

    Parts are written to a staging folder inside `out` (hidden: Parquet readers skip names starting
    with a dot), which is removed whatever happens.
    """
    staging = out.resolve() / f".dask-{uuid.uuid4().hex[:12]}"
    for name in PART_DIRS:
        (staging / name).mkdir(parents=True)
    try:
        stats = RunStats(partitions=len(parts))
        began = time.perf_counter()
        stats.workers, stats.load_seconds = _warm_up(client, job, staging.name), time.perf_counter() - began
        began = time.perf_counter()
        for result in _run(client, parts, job, staging, retries):
            stats.docs += result.docs
            stats.labels.update(result.labels)
            stats.skipped += result.skipped
        stats.seconds = time.perf_counter() - began
        began = time.perf_counter()
        if merge:
            _merge(staging, len(parts), sep)
        _commit(staging, out, merge)
        stats.commit_seconds = time.perf_counter() - began
        return stats
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _warm_up(client: Client, job: Job, token: str) -> int:
    """Load the pipeline on every worker now, in a task of each: fail fast if one cannot. The number of workers."""
    workers = list(client.scheduler_info(n_workers=-1)["workers"])
    futures = [client.submit(_warm, job, key=f"annotate-warm-{token}-{n}", workers=[w],
                             allow_other_workers=False) for n, w in enumerate(workers)]
    try:
        client.gather(futures)
    except Exception as exc:  # whatever a worker raised, named in one message
        raise UserError(f"a Dask worker could not load the pipeline: {type(exc).__name__}: {exc}", code=2) from None
    return len(workers)


def _run(client: Client, parts: list[Part], job: Job, staging: Path, retries: int) -> list[PartResult]:
    """Every partition's result, in partition order. A partition holding a doc_id first met in an
    earlier one is annotated again, told so: the local engine refuses that document as a duplicate."""
    results = _annotate(client, parts, [{}] * len(parts), job, staging, retries)
    again = _met_earlier(results)
    for result in _annotate(client, [parts[n] for n in again], list(again.values()), job, staging, retries):
        results[result.index] = result
    return results


def _met_earlier(results: list[PartResult]) -> dict[int, dict[str, str]]:
    """Partition index -> its doc_ids first met in an earlier partition, and where."""
    first: dict[str, str] = {}
    again: dict[int, dict[str, str]] = {}
    for result in results:
        known = {doc_id: first[doc_id] for doc_id in result.first_seen if doc_id in first}
        if known:
            again[result.index] = known
        for doc_id, where in result.first_seen.items():
            first.setdefault(doc_id, where)
    return again


def _annotate(client: Client, parts: list[Part], earlier: list[dict[str, str]], job: Job, staging: Path,
              retries: int) -> list[PartResult]:
    """The results of `parts`, in partition order; stops at the first partition that fails on every attempt."""
    keys = [f"annotate-{staging.name}-{p.index:05d}-{uuid.uuid4().hex[:6]}" for p in parts]
    futures = client.map(annotate_partition, parts, earlier, job=job, staging=str(staging), key=keys,
                         retries=retries)
    by_future = dict(zip(futures, parts))
    results = []
    with tqdm(total=sum(p.n_docs for p in parts), desc="annotate", unit="doc", file=sys.stderr,
              disable=None if parts else True) as bar:
        for future in as_completed(futures):
            part = by_future[future]
            if future.status != "finished":
                exc = future.exception()
                client.cancel(futures)
                raise UserError(f"partition {part.index} ({part.describe()}) failed after {retries} "
                                f"retries: {type(exc).__name__}: {exc}; earlier outputs are untouched",
                                code=FAILED_PARTITION)
            results.append(future.result())
            bar.update(part.n_docs)
    return sorted(results, key=lambda r: r.index)


def _merge(staging: Path, n_parts: int, sep: str) -> None:
    """The local engine's single files from the parts, in partition (so input) order."""
    names = [f"part-{n:05d}" for n in range(n_parts)]
    for table, columns in TABLES.items():
        with (staging / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, delimiter=sep, extrasaction="ignore")
            writer.writeheader()
            for name in names:
                writer.writerows(pq.read_table(staging / table / f"{name}.parquet").to_pylist())
    with (staging / "tasks.json").open("w", encoding="utf-8", newline="") as handle:
        handle.write("[")
        first = True
        for name in names:
            with (staging / "tasks" / f"{name}.jsonl").open(encoding="utf-8", newline="\n") as lines:
                for line in lines:
                    handle.write(("\n" if first else ",\n") + line.rstrip("\n"))
                    first = False
        handle.write("\n]\n")


def _commit(staging: Path, out: Path, merged: bool) -> None:
    """Put the parts (and the merged files) in place of the previous outputs; a stale merged file is removed,
    and so is a local run's manifest.json, which no longer describes the files there."""
    previous = staging / "previous"
    previous.mkdir()
    (out / MANIFEST).unlink(missing_ok=True)
    for name in PART_DIRS:
        if (out / name).exists():
            os.replace(out / name, previous / name)
        os.replace(staging / name, out / name)
    for name in MERGED:
        if merged:
            os.replace(staging / name, out / name)
        else:
            (out / name).unlink(missing_ok=True)
