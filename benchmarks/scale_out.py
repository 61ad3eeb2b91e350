"""Docs/s of `annotate --engine dask` with 1 and 2 workers of a LocalCluster on the same corpus, and
the scaling ratio.

    python benchmarks/scale_out.py [--docs 700] [--partition-size 10] [--workers 1 2] [--json]

The corpus is the sample articles cycled under distinct names in a temporary folder. Each run starts
its own cluster (`start_s`) and annotates the 14 sample articles once, which loads the pipeline on
every worker (`load_s`); then it annotates the whole corpus into Parquet parts (`annotate_s`) and
puts them in place (`commit_s`). Steady docs/s is docs / annotate_s; end-to-end docs/s is
docs / total_s, cluster start and model loading included.

On a shared machine other processes take CPU from the workers: `busy` is the CPU time the workers
got while annotating over workers × annotate_s (1.0: a core each, all the time), and `cpu_s_per_doc`
their CPU time per document; the 1-minute load average before each run is printed too.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

from annotator.dask.cluster import Job, annotate_on_dask, code_version, open_client
from annotator.dask.partitions import plan
from annotator.read import DEFAULT_MAX_BYTES
from annotator.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "sample"


def build_corpus(folder: Path, n_docs: int) -> None:
    """`n_docs` .txt files cycling through the sample articles, each under a name (so an id) of its own."""
    articles = sorted(SAMPLE.glob("*.txt"))
    folder.mkdir(parents=True)
    for n in range(n_docs):
        source = articles[n % len(articles)]
        shutil.copyfile(source, folder / f"d{n:05d}_{source.name}")


def measure(corpus: Path, out: Path, workers: int, partition_size: int) -> dict:
    """One run on a fresh LocalCluster of `workers` processes."""
    rules = load_rules(None)
    job = Job(None, rules.version, code_version(), False, "id", "text", DEFAULT_MAX_BYTES, 64)
    parts = plan(str(corpus), partition_size, max_bytes=DEFAULT_MAX_BYTES)
    warm_parts = plan(str(SAMPLE), partition_size, max_bytes=DEFAULT_MAX_BYTES)
    load_average = os.getloadavg()[0]
    began = time.perf_counter()
    with open_client(None, workers) as client:
        started = time.perf_counter() - began
        warm = annotate_on_dask(client, warm_parts, out / "warm", job)
        cpu = _worker_cpu(client)
        stats = annotate_on_dask(client, parts, out / "corpus", job)
        cpu = _worker_cpu(client) - cpu
        total = time.perf_counter() - began
        rss = client.run(lambda: psutil.Process().memory_info().rss)
    return {"workers": workers, "docs": stats.docs, "partitions": stats.partitions,
            "load_avg": round(load_average, 2), "start_s": round(started, 1),
            "load_s": round(warm.load_seconds, 1), "annotate_s": round(stats.seconds, 1),
            "commit_s": round(stats.commit_seconds, 2), "total_s": round(total, 1),
            "steady_docs_per_s": round(stats.docs / stats.seconds, 2),
            "end_to_end_docs_per_s": round(stats.docs / total, 2),
            "busy": round(cpu / (workers * stats.seconds), 2), "cpu_s_per_doc": round(cpu / stats.docs, 3),
            "worker_rss_mb": max(round(v / 2**20) for v in rss.values())}


def _worker_cpu(client) -> float:
    """CPU seconds used so far by the cluster's worker processes."""
    return sum(client.run(lambda: sum(psutil.Process().cpu_times()[:2])).values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=700, help="articles in the corpus (default: 700)")
    parser.add_argument("--partition-size", type=int, default=10, help="documents per partition (default: 10)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="cluster sizes (default: 1 2)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp:
        corpus = Path(tmp) / "corpus"
        build_corpus(corpus, args.docs)
        runs = [measure(corpus, Path(tmp) / f"out-{n}", n, args.partition_size) for n in args.workers]
    base = runs[0]
    result = {"cpus": os.cpu_count(), "docs": args.docs, "partition_size": args.partition_size, "runs": runs,
              "scaling": {f"{r['workers']}/{base['workers']}": {
                  "steady": round(r["steady_docs_per_s"] / base["steady_docs_per_s"], 2),
                  "end_to_end": round(r["end_to_end_docs_per_s"] / base["end_to_end_docs_per_s"], 2)}
                  for r in runs[1:]}}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.docs} articles, partitions of {args.partition_size}, {os.cpu_count()} CPUs")
    columns = ("workers", "load_avg", "start_s", "load_s", "annotate_s", "total_s",
               "steady_docs_per_s", "end_to_end_docs_per_s", "busy", "cpu_s_per_doc", "worker_rss_mb")
    print(" ".join(f"{c:>{max(len(c), 7)}}" for c in columns))
    for r in runs:
        print(" ".join(f"{r[c]:>{max(len(c), 7)}}" for c in columns))
    for name, ratio in result["scaling"].items():
        print(f"scaling {name} workers: {ratio['steady']}x steady, {ratio['end_to_end']}x end to end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
