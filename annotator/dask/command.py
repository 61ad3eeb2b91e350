"""`annotate --engine dask`: the same annotation on a Dask cluster, for corpora one machine cannot
keep up with. The input is cut into partitions (runs of files, row ranges of a CSV, JSONL or
Parquet file); each worker process loads the model and the rules once and writes each partition's
rows as Parquet parts: OUT/markers/, OUT/profiles/, OUT/errors/ and OUT/tasks/ (JSON lines). With
--merge the local engine's markers.csv, profiles.csv, errors.csv and tasks.json are written too,
row for row the same. Dask and pyarrow are imported only when this engine runs.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError
from ..rules import load_rules
from ..spans import LABELS


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """The `annotate` options that choose and tune the engine."""
    group = parser.add_argument_group("engine")
    group.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local: this machine, --workers parser processes; dask: partitions on a Dask "
                            "cluster, outputs as Parquet parts (default: local)")
    group.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: start a local cluster of "
                            "--workers processes on 127.0.0.1)")
    group.add_argument("--partition-size", type=_positive, default=100, metavar="N",
                       help="documents per Dask partition: files of a folder, records of a CSV/JSONL file, "
                            "rows of a Parquet row group (default: 100)")
    group.add_argument("--retries", type=_positive_or_zero, default=2, metavar="N",
                       help="attempts after a failed Dask partition (default: 2)")
    group.add_argument("--merge", action="store_true",
                       help="with --engine dask, also write markers.csv, profiles.csv, errors.csv and tasks.json "
                            "(without it, those of an earlier run are removed: OUT never mixes two runs)")


def run_dask(args: argparse.Namespace) -> int:
    """Run `annotate` on Dask: 0 when every document was annotated, 1 when some went to errors."""
    from ..nlp import check_model
    from .cluster import Job, annotate_on_dask, code_version, open_client
    from .partitions import plan

    if args.scheduler and args.workers > 1:
        raise UserError("--workers sizes the local cluster; with --scheduler the cluster's workers are used", code=2)
    if args.strict:
        raise UserError("--strict stops at the first unreadable document, in input order: use --engine local", code=2)
    check_model(args.model)
    rules = load_rules(args.rules)
    max_bytes = int(args.max_mb * 1e6)
    parts = plan(args.input, args.partition_size, id_col=args.id_col, text_col=args.text_col, max_bytes=max_bytes)
    job = Job(str(Path(args.rules).resolve()) if args.rules else None, rules.version, code_version(), args.fast,
              args.id_col, args.text_col, max_bytes, args.batch_size, args.model)
    with open_client(args.scheduler, args.workers) as client:
        stats = annotate_on_dask(client, parts, args.out, job, retries=args.retries, merge=args.merge, sep=args.sep)
    for where, reason in stats.skipped:
        print(f"annotator: skipped {where}: {reason}", file=sys.stderr)
    print(f"\n{stats.docs} articles annotated in {stats.seconds:.1f} s ({stats.docs / max(stats.seconds, 1e-9):.1f}/s) "
          f"by {stats.workers} Dask workers in {stats.partitions} partitions (pipelines loaded in "
          f"{stats.load_seconds:.1f} s), {len(stats.skipped)} unreadable, rules {rules.version}, "
          f"model {args.model}", file=sys.stderr)
    for label in LABELS:
        print(f"  {label:<18} {stats.labels[label]:>6}", file=sys.stderr)
    merged = " + markers.csv profiles.csv errors.csv tasks.json" if args.merge else ""
    print(f"outputs in {args.out}/: markers/ profiles/ errors/ (Parquet) tasks/ (JSON lines){merged}", file=sys.stderr)
    return 1 if stats.skipped else 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def _positive_or_zero(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return number
