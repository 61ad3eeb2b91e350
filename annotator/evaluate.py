"""`annotator score GOLD PRED`: the rules' spans measured against a gold set or the analysts'
corrections with `annotator.scoring`. GOLD is a gold JSON Lines file or an `annotator pull` folder,
PRED a markers.csv or an `annotate` output folder; a problem with either is one line, exit code 2."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError
from .manifest import check_outputs
from .profile import sentence_index
from .reporting import chosen_rows, read_table, write_csv
from .spans import LABELS

if TYPE_CHECKING:
    import pandas as pd

BAD_INPUT = 2
SPAN_KEYS = ["doc_id", "label", "start", "end", "text", "sentence"]
SENTENCE_ENDS = ".!?\n"


@dataclass
class Texts:
    """The article texts the scorer knows: a folder of DOC_ID.txt files, else PRED's tasks.json."""

    folder: Path | None = None
    tasks: dict[str, dict] = field(default_factory=dict)
    from_folder: dict[str, str] = field(default_factory=dict)

    def text(self, doc_id: str) -> str | None:
        """The article as `annotate` read it (line endings kept), None when unknown."""
        path = self.folder / f"{doc_id}.txt" if self.folder else None
        if doc_id not in self.from_folder and path is not None and path.is_file():
            with open(path, encoding="utf-8", newline="") as handle:
                self.from_folder[doc_id] = handle.read()
        return self.from_folder.get(doc_id, self.tasks.get(doc_id, {}).get("text"))

    def sentence(self, doc_id: str, start: int, end: int) -> str:
        """The sentence holding a span: from the task's sentence ranges, else cut from the text at the
        nearest sentence ends ("" when the text is unknown)."""
        text = self.text(doc_id)
        if text is None:
            return ""
        ranges = [] if doc_id in self.from_folder else self.tasks.get(doc_id, {}).get("sentences") or []
        at = sentence_index(start, ranges)
        if at >= 0:
            return text[slice(*ranges[at])]
        left = max(text.rfind(c, 0, start) for c in SENTENCE_ENDS) + 1
        right = min((i for i in (text.find(c, end) for c in SENTENCE_ENDS) if i >= 0), default=len(text))
        return text[left:right + 1].strip()


def fail(message: str) -> UserError:
    """A bad input: its one-line message, exit code 2."""
    return UserError(message, code=BAD_INPUT)


def read_predictions(path: Path) -> tuple[pd.DataFrame, dict[str, dict]]:
    """markers.csv (the file, or the one of an `annotate` folder) and, for a folder, its tasks' data by doc_id."""
    if not path.exists():
        raise fail(f"PRED {path}: no such file or folder")
    markers, tasks = path, {}
    if path.is_dir():
        markers = path / "markers.csv"
        if not markers.is_file():
            raise fail(f"PRED {path}: no markers.csv in it; give a markers.csv or an `annotator annotate` folder")
        try:
            check_outputs(path, ("markers.csv", "tasks.json"))
        except UserError as exc:
            raise fail(f"PRED {exc}") from None
        if (path / "tasks.json").is_file():
            tasks = _task_data(path / "tasks.json")
    spans = _read_spans(markers, ["doc_id", "label", "start", "end"])
    return spans, tasks


def _task_data(path: Path) -> dict[str, dict]:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
        return {t["data"]["doc_id"]: t["data"] for t in tasks}
    except (ValueError, KeyError, TypeError) as exc:
        raise fail(f"{path}: not the tasks.json of `annotator annotate` ({exc})") from None


def _read_spans(path: Path, required: list[str]) -> pd.DataFrame:
    import pandas as pd

    try:
        table = read_table(path)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise fail(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from None
    missing = [c for c in required if c not in table]
    if missing:
        raise fail(f"{path}: no column {', '.join(missing)}")
    for label, where in zip(table["label"], table["doc_id"]):
        if label not in LABELS:
            raise fail(f"{path}: unknown label {label!r} in {where} (labels: {', '.join(LABELS)})")
    return table


def read_gold(path: Path, texts: Texts) -> tuple[pd.DataFrame, list[str]]:
    """The gold spans (with a `line` column for a JSON Lines file) and the gold articles, in order."""
    import pandas as pd

    if not path.exists():
        raise fail(f"GOLD {path}: no such file or folder")
    if path.is_dir():
        return _read_corrections(path)
    spans, doc_ids, seen = [], [], set()
    try:
        with open(path, encoding="utf-8") as handle:
            lines = [(number, line) for number, line in enumerate(handle, 1) if line.strip()]
    except UnicodeDecodeError:
        raise fail(f"GOLD {path}: not UTF-8 text") from None
    for number, line in lines:
        doc_id, records = _gold_line(f"{path}:{number}", line)
        if doc_id in seen:
            raise fail(f"{path}:{number}: doc_id {doc_id!r} already given on an earlier line")
        seen.add(doc_id)
        doc_ids.append(doc_id)
        spans += [{**_resolve(f"{path}:{number}", doc_id, r, texts), "line": number} for r in records]
    return pd.DataFrame(spans, columns=[*SPAN_KEYS, "line"]), doc_ids


def _gold_line(where: str, line: str) -> tuple[str, list[dict]]:
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"{where}: not a JSON line ({exc.msg}, column {exc.colno})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("doc_id"), str) or not isinstance(doc.get("spans"), list):
        raise fail(f'{where}: expected {{"doc_id": "...", "spans": [...]}}')
    for record in doc["spans"]:
        if not isinstance(record, dict) or record.get("label") not in LABELS:
            label = record.get("label") if isinstance(record, dict) else record
            raise fail(f"{where}: unknown label {label!r} (labels: {', '.join(LABELS)})")
    return doc["doc_id"], doc["spans"]


def _resolve(where: str, doc_id: str, record: dict, texts: Texts) -> dict:
    """A gold span with offsets: given, or found as the `occurrence`-th `text` of the article."""
    span = {"doc_id": doc_id, "label": record["label"], "text": record.get("text", ""), "sentence": ""}
    if "start" in record or "end" in record:
        start, end = record.get("start"), record.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)) or not 0 <= start < end:
            raise fail(f"{where}: span {record} needs integer offsets 0 <= start < end")
        return {**span, "start": start, "end": end}
    occurrence = record.get("occurrence", 1)
    if not isinstance(record.get("text"), str) or not record["text"]:
        raise fail(f"{where}: span {record} has neither start/end nor text")
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
        raise fail(f"{where}: span {record}: occurrence must be a whole number from 1")
    text = texts.text(doc_id)
    if text is None:
        raise fail(f"{where}: span {record} is given by its text and the text of {doc_id} is unknown: "
                   "pass --texts DIR, or an `annotate` folder as PRED")
    at = -1
    for _ in range(occurrence):
        at = text.find(record["text"], at + 1)
        if at < 0:
            raise fail(f"{where}: span {record} not found in the text of {doc_id}")
    return {**span, "start": at, "end": at + len(record["text"])}


def _read_corrections(folder: Path) -> tuple[pd.DataFrame, list[str]]:
    """The chosen annotation's spans of an `annotator pull` folder, and the articles it corrected."""
    if not (folder / "markers_corrected.csv").is_file():
        raise fail(f"GOLD {folder}: no markers_corrected.csv in it; give a gold .jsonl file or an `annotator pull` "
                   "folder")
    spans = chosen_rows(_read_spans(folder / "markers_corrected.csv", ["doc_id", "label", "start", "end"]))
    doc_ids = list(spans["doc_id"])
    if (folder / "profiles_corrected.csv").is_file():
        doc_ids += list(read_table(folder / "profiles_corrected.csv")["doc_id"])
    return spans.reindex(columns=SPAN_KEYS).fillna("").reset_index(drop=True), list(dict.fromkeys(doc_ids))


def check_offsets(spans: pd.DataFrame, texts: Texts, source: Path) -> None:
    """Refuse a span that ends past its article's text (when that text is known)."""
    for row in spans.itertuples():
        text = texts.text(row.doc_id)
        if row.start < 0 or row.end <= row.start or text is not None and row.end > len(text):
            where = f"{source}:{row.line}" if "line" in spans else str(source)
            size = f" ({len(text)} characters)" if text is not None else ""
            raise fail(f"{where}: span {row.label} {row.start}-{row.end} is outside the text of {row.doc_id}{size}")


def _with_texts(gold: pd.DataFrame, texts: Texts) -> pd.DataFrame:
    """Gold spans with their text and sentence filled in where the text is known."""
    text = [t or (texts.text(d) or "")[s:e] for d, s, e, t in zip(gold["doc_id"], gold["start"], gold["end"],
                                                                   gold["text"])]
    sentence = [s or texts.sentence(d, a, b) for d, a, b, s in zip(gold["doc_id"], gold["start"], gold["end"],
                                                                   gold["sentence"])]
    return gold.assign(text=text, sentence=sentence)


def print_table(table: dict[str, dict]) -> None:
    """The shared scorer's table, with the true positives."""
    from .scoring import MICRO

    print(f"{'label':22} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5} {'tp':>5}")
    for name, v in table.items():
        print(f"{name:22} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['gold']:5d} "
              f"{v['predicted']:5d} {v['tp']:5d}")
    print(f"analyst edits per article (deletions + additions): {table[MICRO]['edits_per_doc']:.1f}")


def add_score_command(subparsers) -> None:
    score = subparsers.add_parser("score", help="measure predicted spans against a gold set or analysts' corrections")
    score.add_argument("gold", type=Path, help="a gold .jsonl file, or an `annotator pull` folder")
    score.add_argument("pred", type=Path, help="a markers.csv, or an `annotator annotate` output folder")
    score.add_argument("--texts", type=Path, default=None,
                       help="folder of DOC_ID.txt files (default: the texts in PRED's tasks.json)")
    score.add_argument("--diff", type=Path, default=None, metavar="FILE.csv",
                       help="write every missed and every wrong span, one row each")
    score.add_argument("--by-rule", action="store_true", help="also give the precision of each rule")
    score.add_argument("--json", action="store_true", help="print the figures as JSON")
    score.set_defaults(func=_score)


def _score(args) -> int:
    from .scoring import diff, rule_precision, score_table

    pred, tasks = read_predictions(args.pred)
    if args.texts is not None and not args.texts.is_dir():
        raise fail(f"--texts {args.texts}: no such folder")
    texts = Texts(args.texts, tasks)
    gold, doc_ids = read_gold(args.gold, texts)
    pred = pred[pred["doc_id"].isin(doc_ids)].reset_index(drop=True)
    check_offsets(gold, texts, args.gold)
    check_offsets(pred, texts, args.pred)
    absent = [d for d in doc_ids if d not in tasks] if tasks else []
    if absent:
        print(f"annotator: {len(absent)} of {len(doc_ids)} gold articles are not in {args.pred} (their spans count "
              f"as misses): {', '.join(absent[:5])}{' …' if len(absent) > 5 else ''}", file=sys.stderr)
    table = score_table(gold, pred, len(doc_ids))
    if args.by_rule and "rule" not in pred:
        raise fail(f"--by-rule: {args.pred} has no rule column")
    by_rule = rule_precision(pred, gold) if args.by_rule else None
    if args.json:
        extra = {"by_rule": by_rule.to_dict(orient="records")} if by_rule is not None else {}
        print(json.dumps({**table, **extra}, indent=1, ensure_ascii=False))
    else:
        print(f"{len(doc_ids)} gold articles, {len(gold)} gold spans, {len(pred)} predicted spans in those articles")
        print_table(table)
        if by_rule is not None:
            print()
            print(by_rule.to_string(index=False))
    if args.diff is not None:
        rows = diff(_with_texts(gold, texts), pred)
        write_csv(rows, args.diff)
        kinds = rows["kind"].value_counts()
        print(f"annotator: {kinds.get('missed', 0)} missed and {kinds.get('wrong', 0)} wrong spans written to "
              f"{args.diff}", file=sys.stderr)
    return 0
