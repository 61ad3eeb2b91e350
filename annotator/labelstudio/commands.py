"""The `push`, `pull` and `studio` subcommands of `annotator`."""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from ..rules import load_rules
from ..errors import UserError
from .client import (EXIT_SKIPPED, EXIT_UNREACHABLE, STUDIO_FILE, TIMEOUT, Connection, connect, find_project,
                     project_title, studio_dir)
from .pull import pull
from .push import BATCH_SIZE, load_tasks, push
from .server import Account, is_up, start_server, stop_server, studio_account, wait_until_up

if TYPE_CHECKING:
    from .ml_backend import RulesBackend

DEFAULT_PORT = 8080
ML_PORT = 9090  # Label Studio's usual port for an ML backend
EXIT_CODES = ("exit codes: 0 done; 1 bad or empty tasks.json, or several projects with that title; 3 server "
              "unreachable or silent for --timeout seconds; 4 API key refused (wrong, revoked or expired); 5 project "
              "not found; 6 config change refused; 7 other server error; 8 pull skipped unreadable regions (see "
              "pull_errors.csv); 75 another push holds the project. A push that stops says how many new tasks "
              "it imported; run it again once the server is fixed: it imports only the missing ones.")


def add_commands(subparsers) -> None:
    """Register `push`, `pull` and `studio` on the CLI's subparsers."""
    p = subparsers.add_parser("push", help="send DIR/tasks.json to a Label Studio project (idempotent)",
                              epilog=EXIT_CODES)
    p.add_argument("dir", type=Path, help="the --out folder of `annotate` (or a tasks.json file)")
    p.add_argument("--project", required=True, type=_title, help="project title (created if missing)")
    p.add_argument("--batch-size", type=_positive(int), default=BATCH_SIZE,
                   help=f"tasks per import request (default: {BATCH_SIZE})")
    p.add_argument("--dedupe", action="store_true",
                   help="first remove the extra copies of tasks that concurrent pushes of older versions left "
                        "(a copy holding annotations is kept)")
    _server_options(p)
    p.set_defaults(func=_push)
    q = subparsers.add_parser("pull", help="export the analysts' corrections as CSVs", epilog=EXIT_CODES)
    q.add_argument("--project", required=True, type=_title, help="project title")
    q.add_argument("--out", required=True, type=Path, help="output folder")
    q.add_argument("--rules", type=Path, default=None, help="rules folder for the profiles (default: rules/)")
    q.add_argument("--sep", default=",", choices=[",", ";"], help="CSV separator (default: ,)")
    _server_options(q)
    q.set_defaults(func=_pull)
    s = subparsers.add_parser("studio", help="run a local Label Studio for the analysts (Ctrl-C stops it); its "
                              "data in $ANNOTATOR_STUDIO_DIR, default ~/.local/share/annotator/studio")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default: {DEFAULT_PORT})")
    s.add_argument("--push", type=Path, default=None, metavar="DIR", help="push DIR/tasks.json once it is up")
    s.add_argument("--project", default="annotator", type=_title,
                   help="project title for --push (default: annotator)")
    s.add_argument("--open", action="store_true", help="open the project in the browser")
    s.add_argument("--ml-backend", action="store_true",
                   help="also serve the rules as an ML backend connected to --project: after a rule change, "
                   "Retrieve Predictions in its Data Manager refreshes the selected tasks")
    s.add_argument("--ml-port", type=int, default=ML_PORT, help=f"port of the ML backend (default: {ML_PORT})")
    s.add_argument("--rules", type=Path, default=None, help="rules folder of the ML backend (default: rules/)")
    s.set_defaults(func=_studio)


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None,
                        help="Label Studio URL (default: $LABEL_STUDIO_URL, else the local studio)")
    parser.add_argument("--api-key", default=None,
                        help="personal access token or legacy token (default: $LABEL_STUDIO_API_KEY)")
    parser.add_argument("--timeout", type=_positive(float), default=TIMEOUT, metavar="SECONDS",
                        help=f"how long to wait for each answer of the server (default: {TIMEOUT:g})")


def _title(text: str) -> str:
    """An argparse type: the project title as the server will store it."""
    try:
        return project_title(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(kind: type[int] | type[float]):
    """An argparse type: a number of `kind` above 0."""
    def parse(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} is not above 0")
        return value
    parse.__name__ = kind.__name__  # argparse's "invalid int value: 'x'"
    return parse


def _push(args) -> int:
    tasks = load_tasks(args.dir)
    report = push(connect(args.url, args.api_key, args.timeout), tasks, args.project, batch_size=args.batch_size,
                  remove_duplicates=args.dedupe)
    removed = f", {report.removed} duplicate(s) removed" if args.dedupe else ""
    print(f"project {args.project!r}: {report.created} task(s) created, {report.updated} given the "
          f"predictions of {report.version}, {report.unchanged} already up to date{removed}\n{report.project_url}")
    return 0


def _pull(args) -> int:
    rules = load_rules(args.rules)
    report = pull(connect(args.url, args.api_key, args.timeout), args.project, args.out, rules, sep=args.sep)
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
    print(f"project {args.project!r}: {report.annotations} annotation(s) on {report.tasks} task(s), "
          f"{report.profiles} corrected profile(s); spans: {counts}\n"
          f"outputs in {args.out}/: markers_corrected.csv changes.csv profiles_corrected.csv annotations.csv "
          "pull_errors.csv")
    if report.skipped:
        print(f"annotator: {report.skipped} region(s) or task(s) could not be read and were skipped: see "
              f"{args.out / 'pull_errors.csv'}", file=sys.stderr)
        return EXIT_SKIPPED
    return 0


def _studio(args) -> int:
    tasks = load_tasks(args.push) if args.push else None  # a bad tasks.json fails before the server starts
    data_dir = studio_dir()
    account, url = studio_account(data_dir, args.port)
    backend = _start_backend(args) if args.ml_backend else None
    signal.signal(signal.SIGTERM, _interrupt)
    proc = None
    try:
        if not is_up(url):
            print(f"starting Label Studio in {data_dir} (the first start prepares its database: about a minute)",
                  file=sys.stderr)
            proc = start_server(data_dir, args.port, account, ml_backend=backend is not None)
            wait_until_up(url, proc, data_dir)
        conn = connect(url, account.token)
        _announce(url, account, data_dir)
        if tasks:
            _push_to_studio(conn, tasks, args)
        if backend:
            _connect_backend(conn, backend, args.project)
        if proc is None and backend is None:
            print("(this server was already running: stop it where it was started)")
            return 0
        print("Label Studio runs until Ctrl-C" if proc else "the ML backend runs until Ctrl-C", flush=True)
        return _wait(proc)
    finally:
        if proc:
            stop_server(proc)
        if backend:
            backend.shutdown()
            backend.server_close()


def _start_backend(args) -> RulesBackend:
    """The rules' ML backend, serving in a thread of this process."""
    from .ml_backend import RulesBackend  # loads spaCy: only when asked

    try:
        backend = RulesBackend(args.ml_port, args.rules)
    except OSError as exc:
        raise UserError(f"the ML backend cannot listen on port {args.ml_port} ({exc.strerror or exc}): choose "
                        "another with --ml-port", EXIT_UNREACHABLE) from None
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    return backend


def _connect_backend(conn: Connection, backend: RulesBackend, title: str) -> None:
    """Connect the backend to project `title`, or say how to once the project exists."""
    from .ml_backend import connect_backend

    project = find_project(conn, title)
    if project:
        connect_backend(conn, project.id, backend.url)
        where = f"connected to project {title!r}"
    else:
        where = f"(no project {title!r} yet: push it, or add this URL in a project's Settings > Model)"
    print(f"rules ML backend ({backend.version}) at {backend.url} {where}; after a rule change, select tasks "
          "in the Data Manager and choose Actions > Retrieve Predictions", flush=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _announce(url: str, account: Account, data_dir: Path) -> None:
    """The address and login; the API key stays in the studio file, where push and pull find it."""
    print(f"Label Studio is up: {url}\n  login    {account.email}\n  password {account.password}\n"
          f"  API key  in {data_dir / STUDIO_FILE} (push and pull read it from there)", flush=True)


def _push_to_studio(conn: Connection, tasks: list[dict], args) -> None:
    report = push(conn, tasks, args.project)
    print(f"project {args.project!r}: {report.created} task(s) created, {report.updated} updated, "
          f"{report.unchanged} unchanged; review them at {report.project_url}", flush=True)
    if args.open:
        webbrowser.open(report.project_url)


def _wait(proc: subprocess.Popen | None) -> int:
    """Until Ctrl-C, or until the server stops by itself; with no server of ours (the ML backend
    beside one already running), until Ctrl-C."""
    try:
        if proc is None:
            threading.Event().wait()
        proc.wait()
    except KeyboardInterrupt:
        print("stopping Label Studio" if proc else "stopping the ML backend", file=sys.stderr)
        return 0
    print(f"Label Studio stopped by itself (exit {proc.returncode})", file=sys.stderr)
    return 1
