"""`annotator push`: import tasks.json into a Label Studio project, idempotently.

A task's key is its article's doc_id + text hash (both in the task's data). Pushing again adds no
task; pushing after a rule change adds the new prediction version to the tasks already there.
Every push also creates or updates the project's triage tab (`queue`). Imports are sent with the
SDK's retries off; after a failure the server is listed again and only what it does not hold is
re-sent. An import that timed out is not re-sent (the server may still save it): the push stops,
and the next one sends what is missing.
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.label_interface import LabelInterface
from tqdm import tqdm

from ..errors import EXIT_BUSY, UserError
from ..manifest import check_outputs
from ..spans import LABELS
from .client import (
    EXIT_CONFIG,
    EXIT_INPUT,
    EXIT_SERVER,
    NO_RETRY,
    Connection,
    api_detail,
    field,
    list_tasks,
    project_title,
    server_errors,
)
from .config import INSTRUCTIONS, labeling_config
from .push_lock import has_lock, project_lock
from .queue import ensure_queue_view
from .tasks import FROM_NAME, region_problem, text_hash

BATCH_SIZE = 50
ATTEMPTS = 4
BACKOFF = 1.0
MAX_PROBLEMS = 20

Key = tuple[str, str]


@dataclass
class Progress:
    """How far the import of new tasks got, for the message of a push that stops."""

    new: int = 0
    imported: int = 0

    def note(self) -> str:
        if self.imported >= self.new:
            return ""
        return (f"; the push stopped with {self.imported} of {self.new} new task(s) imported: push again to "
                "import the rest (only the missing ones are sent)")


@dataclass(frozen=True)
class PushReport:
    project_id: int
    project_url: str
    version: str
    created: int
    updated: int
    unchanged: int
    removed: int = 0  # duplicate tasks removed (--dedupe)


def load_tasks(path: Path) -> list[dict]:
    """The tasks of DIR/tasks.json (or of the file given); an empty or unreadable file is refused."""
    file = path / "tasks.json" if path.is_dir() else path
    if not file.is_file():
        raise UserError(f"{file} not found: run `annotator annotate INPUT --out {path}` first", EXIT_INPUT)
    check_outputs(file.parent, [file.name])
    try:
        tasks = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{file} is not valid UTF-8 JSON: {exc}", EXIT_INPUT) from None
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise UserError(f"{file} must hold a JSON array of tasks", EXIT_INPUT)
    if not tasks:
        raise UserError(f"{file} holds no task: nothing to push (did annotate read any article?)", EXIT_INPUT)
    return tasks


def task_key(task: dict) -> Key:
    data = task.get("data") or {}
    return str(data.get("doc_id", "")), str(data.get("text_hash", ""))


def check_tasks(tasks: list[dict], config: str) -> str:
    """Validate every task and prediction against the config on the client (the server accepts broken
    predictions silently); return the one rules version the predictions carry."""
    interface = LabelInterface(config)
    problems = [p for i, task in enumerate(tasks) for p in task_problems(task, interface, i)]
    versions = {p.get("model_version") for t in tasks for p in t.get("predictions") or []}
    if not problems and len(versions) != 1:
        problems.append(f"the predictions must carry one rules version, found {sorted(map(str, versions))}")
    if problems:
        more = f"\n  … and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        raise UserError(f"tasks.json has {len(problems)} problem(s), nothing was pushed:\n  "
                        + "\n  ".join(problems[:MAX_PROBLEMS]) + more, EXIT_INPUT)
    return str(versions.pop())


def task_problems(task: dict, interface: LabelInterface, index: int) -> list[str]:
    """What is wrong with one task: its data, its text hash, and each prediction's regions."""
    data = task.get("data") or {}
    text, where = data.get("text"), data.get("doc_id") or f"task #{index}"
    if not isinstance(text, str) or not data.get("doc_id"):
        return [f"{where}: data.text and data.doc_id are required"]
    problems = [] if data.get("text_hash") == text_hash(text) else [
        f"{where}: data.text_hash does not match data.text (was the text changed after annotate?)"]
    for pred in task.get("predictions") or []:
        if not pred.get("model_version"):
            problems.append(f"{where}: a prediction has no model_version")
        errors = interface.validate_prediction(pred, return_errors=True)
        problems += [f"{where}: {e}" for e in _flatten(errors)]
        problems += [f"{where}: {e}" for e in region_problems(pred.get("result") or [], text)]
    return problems


def _flatten(errors) -> list[str]:
    return [e for item in errors for e in (_flatten(item) if isinstance(item, list) else [item])]


def region_problems(result: list[dict], text: str) -> list[str]:
    """Offsets must be code-point indices inside the text and the region's text must be text[start:end]."""
    ids = Counter(r.get("id") for r in result if r.get("type") != "relation")
    problems = [f"region id {i!r} is used {n} times" for i, n in ids.items() if n > 1]
    for r in result:
        if r.get("type") != "labels":
            continue
        v = r.get("value") or {}
        start, end = v.get("start"), v.get("end")
        wrong = region_problem(r, text)
        if wrong:
            problems.append(f"region {r.get('id')!r}: {wrong}")
        elif v.get("text") != text[start:end]:
            problems.append(f"region {r.get('id')!r}: text {v.get('text')!r} is not text[{start}:{end}] "
                            f"= {text[start:end]!r}")
    return problems


def config_labels(config: str) -> set[str]:
    return {label for c in LabelInterface(config).controls if c.name == FROM_NAME for label in c.labels}


def annotated_labels(server_tasks: list[dict]) -> Counter:
    """How many submitted annotation regions use each label."""
    return Counter(label for t in server_tasks for a in t["annotations"] for r in a.get("result") or []
                   if r.get("from_name") == FROM_NAME for label in (r.get("value") or {}).get("labels", []))


def update_config(conn: Connection, project, config: str, server_tasks: list[dict]) -> None:
    """Give the project the generated config and instructions; refuse a config that drops a label
    annotations still use (the server would accept it)."""
    settings = {} if project.expert_instruction == INSTRUCTIONS else {"expert_instruction": INSTRUCTIONS}
    if (project.label_config or "").strip() != config.strip():
        refuse_dropped_labels(conn, project, config, server_tasks)
        settings["label_config"] = config
    if settings:
        conn.ls.projects.update(project.id, show_instruction=True, **settings)


def refuse_dropped_labels(conn: Connection, project, config: str, server_tasks: list[dict]) -> None:
    """Refuse a new config that drops a label submitted annotations use, or that Label Studio's own
    check rejects (it also counts drafts)."""
    dropped = config_labels(project.label_config or "") - config_labels(config)
    used = {label: n for label, n in annotated_labels(server_tasks).items() if label in dropped}
    refusal = f"project {project.title!r} keeps its labeling config:"
    if used:
        counts = ", ".join(f"{label} ({n} region(s))" for label, n in sorted(used.items()))
        raise UserError(f"{refusal} the new one drops label(s) still used by annotations: {counts}. Keep the "
                        "label, or relabel those regions in Label Studio first.", EXIT_CONFIG)
    try:
        conn.ls.projects.validate_label_config(project.id, label_config=config)
    except ApiError as exc:
        if exc.status_code != 400:
            raise
        raise UserError(f"{refusal} Label Studio refuses the new one: {api_detail(exc)}", EXIT_CONFIG) from None


def ensure_project(conn: Connection, title: str, config: str):
    """The project titled `title` (the oldest, if pushes at the same moment made several), created if
    missing. Of two made at the same moment, the newer (empty, just made) is removed."""
    same = _same_title(conn, title)
    if same:
        return same[0]
    made = conn.ls.projects.create(title=title, label_config=config, expert_instruction=INSTRUCTIONS,
                                   show_instruction=True, show_collab_predictions=True, request_options=NO_RETRY)
    # under load the listing may not show the project just made yet: it counts all the same, or two
    # pushes could each remove its own for the other's
    oldest = min([*_same_title(conn, title), made], key=lambda p: p.id)
    if oldest.id != made.id:
        _delete(conn, made.id)
    return oldest


def check_oldest(conn: Connection, project, title: str) -> None:
    """With the push lock of `project` held: an older project of the same title, which another push
    made at the same moment, is the one to fill. This push's (still empty) project is removed and the
    push stops as busy; the same push run again goes into the older project."""
    same = _same_title(conn, title)
    if same and same[0].id < project.id:
        if not (field(project, "task_number") or 0):
            _delete(conn, project.id)
        raise UserError(f"another push into project {title!r} is under way (it created the project at the same "
                        "moment): push again once it has ended", EXIT_BUSY)


def remove_empty_twins(conn: Connection, project, title: str) -> None:
    """After a push into `project`: remove the newer empty projects of its title that no push holds,
    left by pushes that created it at the same moment (or by a create the server failed under load)."""
    for twin in _same_title(conn, title):
        if twin.id > project.id and not (field(twin, "task_number") or 0) and not has_lock(conn, twin.id):
            _delete(conn, twin.id)


def _same_title(conn: Connection, title: str) -> list:
    return sorted((p for p in conn.ls.projects.list(title=title) if p.title == title), key=lambda p: p.id)


def _delete(conn: Connection, project_id: int) -> None:
    try:
        conn.ls.projects.delete(project_id, request_options=NO_RETRY)
    except ApiError as exc:
        if exc.status_code != 404:
            raise


def dedupe(conn: Connection, server_tasks: list[dict]) -> tuple[int, list[str]]:
    """Remove the extra copies of a task (same doc_id and text) left by concurrent pushes of older
    versions: the copy with the most submitted annotations is kept (then the oldest), and a copy
    that holds annotations is never removed. Returns the number removed and the doc_ids still doubled."""
    copies: dict[Key, list[dict]] = {}
    for t in server_tasks:
        copies.setdefault(task_key(t), []).append(t)
    removed, kept = 0, []
    for key, group in copies.items():
        group.sort(key=lambda t: (-len(t["annotations"]), t["id"]))
        for extra in group[1:]:
            if extra["annotations"]:
                kept.append(key[0])
                continue
            conn.ls.tasks.delete(str(extra["id"]), request_options=NO_RETRY)
            removed += 1
    return removed, sorted(set(kept))


def server_index(server_tasks: list[dict]) -> dict[Key, dict]:
    """The server's tasks by key; a stored text that no longer matches its hash is an error (offsets
    are only valid on the exact text they were computed on)."""
    index = {}
    for t in server_tasks:
        key = task_key(t)
        text = t["data"].get("text")
        if key[1] and isinstance(text, str) and text_hash(text) != key[1]:
            raise UserError(f"task {t['id']} ({key[0]}) on the server holds a text that differs from the one "
                            "pushed (hash mismatch): its offsets cannot be trusted", EXIT_SERVER)
        index.setdefault(key, t)
    return index


def plan(tasks: list[dict], index: dict[Key, dict], version: str) -> tuple[list[dict], list[dict], int]:
    """New tasks to import, predictions to add to tasks already there, and how many are up to date."""
    new, predictions, unchanged, seen = [], [], 0, set()
    for task in tasks:
        key = task_key(task)
        if key in seen:
            continue
        seen.add(key)
        there = index.get(key)
        if there is None:
            new.append(task)
        elif version in {p["model_version"] for p in there["predictions"]}:
            unchanged += 1
        else:
            predictions += [{**p, "task": there["id"]} for p in task.get("predictions") or []]
    return new, predictions, unchanged


def _retryable(exc: Exception) -> bool:
    """A 5xx, 408, 429 or a lost connection. Not a read timeout: the server may still be saving that
    batch, so listing it as missing and re-sending it would duplicate it."""
    if isinstance(exc, ApiError):
        return exc.status_code is not None and (exc.status_code >= 500 or exc.status_code in (408, 429))
    return isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.ReadTimeout)


def send_safely(batch: list[dict], send: Callable[[list[dict]], None],
                missing: Callable[[list[dict]], list[dict]]) -> None:
    """Send a batch once; after a failure, ask the server what is still missing and send only that."""
    for attempt in range(ATTEMPTS):
        try:
            send(batch)
            return
        except (ApiError, httpx.TransportError) as exc:
            if not _retryable(exc) or attempt == ATTEMPTS - 1:
                raise
        time.sleep(BACKOFF * 2 ** attempt)
        batch = missing(batch)
        if not batch:
            return


def import_tasks(conn: Connection, project_id: int, tasks: list[dict], batch_size: int,
                 progress: Progress) -> None:
    """Import new tasks (with their predictions) in batches, with a progress bar."""
    def send(batch: list[dict]) -> None:
        conn.ls.projects.import_tasks(project_id, request=batch, commit_to_project=True,
                                      request_options=NO_RETRY)

    def missing(batch: list[dict]) -> list[dict]:
        there = server_index(list_tasks(conn, project_id))
        return [t for t in batch if task_key(t) not in there]

    progress.new = len(tasks)
    with tqdm(total=len(tasks), desc="push", unit="task", file=sys.stderr, disable=None) as bar:
        for i in range(0, len(tasks), batch_size):
            batch = tasks[i:i + batch_size]
            send_safely(batch, send, missing)
            progress.imported += len(batch)
            bar.update(len(batch))


def add_predictions(conn: Connection, project_id: int, predictions: list[dict], batch_size: int) -> None:
    """Add a new prediction version to tasks already on the server."""
    def send(batch: list[dict]) -> None:
        conn.ls.projects.import_predictions(project_id, request=batch, request_options=NO_RETRY)

    def missing(batch: list[dict]) -> list[dict]:
        held = {(t["id"], p["model_version"]) for t in list_tasks(conn, project_id) for p in t["predictions"]}
        return [p for p in batch if (p["task"], p["model_version"]) not in held]

    for i in range(0, len(predictions), batch_size):
        send_safely(predictions[i:i + batch_size], send, missing)


def push(conn: Connection, tasks: list[dict], title: str, *, labels: tuple[str, ...] = LABELS,
         batch_size: int = BATCH_SIZE, remove_duplicates: bool = False) -> PushReport:
    """Bring project `title` up to date with `tasks`: config, new tasks, new prediction version; with
    `remove_duplicates`, first remove the extra copies of tasks that older versions left there."""
    title = project_title(title)
    config = labeling_config(labels)
    version = check_tasks(tasks, config)
    progress = Progress()
    removed = 0
    try:
        with server_errors(conn.url, conn.timeout):
            project = ensure_project(conn, title, config)
            with project_lock(conn, project.id, title):
                check_oldest(conn, project, title)
                server_tasks = list_tasks(conn, project.id)
                update_config(conn, project, config, server_tasks)
                ensure_queue_view(conn, project.id)
                if remove_duplicates:
                    removed, doubled = dedupe(conn, server_tasks)
                    if doubled:
                        print(f"annotator: kept the copies of {len(doubled)} task(s) that hold annotations: "
                              f"{', '.join(doubled[:MAX_PROBLEMS])}", file=sys.stderr)
                    server_tasks = list_tasks(conn, project.id) if removed else server_tasks
                new, predictions, unchanged = plan(tasks, server_index(server_tasks), version)
                updated = len({p["task"] for p in predictions})
                import_tasks(conn, project.id, new, batch_size, progress)
                if new:  # under load the server may keep an imported task and silently drop its predictions
                    predictions = plan(tasks, server_index(list_tasks(conn, project.id)), version)[1]
                add_predictions(conn, project.id, predictions, batch_size)
                conn.ls.projects.update(project.id, model_version=version, show_collab_predictions=True)
                verify(conn, project.id, tasks, version)
                remove_empty_twins(conn, project, title)
    except UserError as exc:
        raise UserError(f"{exc}{progress.note()}", exc.code) from None
    return PushReport(project.id, f"{conn.url}/projects/{project.id}/data", version, len(new), updated, unchanged,
                      removed)


def verify(conn: Connection, project_id: int, tasks: list[dict], version: str) -> None:
    """Check the server now holds every task once, with its exact text and this prediction version."""
    server_tasks = list_tasks(conn, project_id)
    index = server_index(server_tasks)
    keys = Counter(task_key(t) for t in server_tasks)
    wanted = {task_key(t) for t in tasks}
    problems = [f"{k[0]}: missing" for k in wanted if k not in index]
    problems += [f"{k[0]}: {n} copies" for k, n in keys.items() if k in wanted and n > 1]
    problems += [f"{k[0]}: no prediction {version}" for k in wanted if k in index
                 and version not in {p["model_version"] for p in index[k]["predictions"]}]
    if problems:
        hint = " (copies left by an older version: `annotator push --dedupe` removes them)" if any(
            "copies" in p for p in problems) else ""
        raise UserError("the push did not complete: " + "; ".join(sorted(problems)[:MAX_PROBLEMS]) + hint,
                        EXIT_SERVER)
