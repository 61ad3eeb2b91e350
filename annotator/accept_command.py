"""`annotator rules accept ID... --report DIR [--rules DIR]` and `--recommended`: candidates of a report's
candidates.csv written into the rule files, each checked and tested, its diff printed."""
from __future__ import annotations

import sys
from pathlib import Path

from .errors import UserError
from .rules import DEFAULT_RULES_DIR, load_rules


def add_accept_command(rules_actions) -> None:
    """Register `accept` under `annotator rules`."""
    accept = rules_actions.add_parser("accept", help="write candidate rules of a report into the rule files")
    accept.add_argument("ids", nargs="*", metavar="ID", help="candidate ids (column id of candidates.csv)")
    accept.add_argument("--report", type=Path, required=True, help="the `annotator report` folder (candidates.csv)")
    accept.add_argument("--rules", type=Path, default=None, help="rules folder to edit (default: the project's rules/)")
    accept.add_argument("--recommended", action="store_true", help="accept every recommended candidate")
    accept.set_defaults(func=_accept)


def _accept(args) -> int:
    from .accept import ExampleRunner, accept
    from .nlp import load_pipeline
    from .reporting import read_table

    table_path = args.report / "candidates.csv"
    if not table_path.is_file():
        raise UserError(f"no candidates.csv in {args.report}: give the folder of `annotator report`", code=2)
    table = read_table(table_path).fillna("")
    if "id" not in table:
        raise UserError(f"{table_path} was written by an older report: run `annotator report` again", code=2)
    if not args.ids and not args.recommended:
        raise UserError("name candidate ids, or give --recommended", code=2)
    unknown = [i for i in args.ids if i not in set(table["id"])]
    if unknown:
        raise UserError(f"no candidate {', '.join(unknown)} in {table_path}", code=2)
    rows = table[table["id"].isin(args.ids) | (args.recommended & table["recommended"].astype(str).eq("True"))]
    if rows.empty:
        print("no recommended candidate in this report")
        return 0
    rules_dir = args.rules or DEFAULT_RULES_DIR
    runner = ExampleRunner(load_pipeline(load_rules(rules_dir)))
    refused = 0
    for row in rows.to_dict("records"):
        outcome = accept(row, rules_dir, runner)
        print(outcome.diff, end="")
        print(f"{outcome.id}: {outcome.message}", file=sys.stdout if outcome.applied else sys.stderr)
        refused += not outcome.applied
    return 1 if refused else 0
