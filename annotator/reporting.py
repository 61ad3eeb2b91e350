"""The `report` command and what its notebooks share: reading an annotate folder (and the corrected
files of `annotator pull`), the sourcing tables per article and per outlet, French display labels,
the CSV writer, and headless execution of notebooks/ with papermill and HTML export with nbconvert.

pandas, papermill and nbconvert are imported where they are used, so that registering the command
does not slow down every `annotator` start."""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError
from .manifest import check_outputs
from .profile import ARTICLES, COMPONENTS, PROFILE_COLUMNS
from .rules import DEFAULT_RULES_DIR
from .rules import fold
from .outlets import OUTLET_COLUMNS as OUTLET_PROFILE_COLUMNS
from .outlets import RATING_WORDS, Registry, load_registry
from .spans import LABELS, SOURCE_LABELS, SPAN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = ("sourcing_report.ipynb", "rule_quality.ipynb")
MIN_REVIEW_SECONDS = 20.0  # an annotation submitted with no span changed faster than this is not a review
UNKNOWN_OUTLET = "(non renseigné)"
INT_COLUMNS = ("start", "end", "sent", "cue_start", "cue_end")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = ("doc_id", "label", "text", "rule", "sentence", "title", "author", "date", "outlet", "media_id",
                *(c for c in OUTLET_PROFILE_COLUMNS if not c.startswith("n_")))

LABELS_FR = {
    "SOURCE_NAMED": "Source nommée", "SOURCE_ANONYMOUS": "Source anonyme", "SOURCE_DOCUMENT": "Document",
    "SOURCE_MEDIA": "Média", "SOURCE_VAGUE": "Source vague", "CUE": "Marqueur d'attribution",
    "HEDGE_CONDITIONAL": "Conditionnel", "HEDGE_MODAL": "Modalisation", "QUOTE": "Citation",
}
SOURCE_MIX_FR = {"SOURCE_NAMED": "nommées", "SOURCE_ANONYMOUS": "anonymes", "SOURCE_DOCUMENT": "documents",
                 "SOURCE_MEDIA": "médias", "SOURCE_VAGUE": "vagues"}
COMPONENTS_FR = {"identified_sources": "Sources identifiées", "attribution": "Attribution",
                 "certainty": "Certitude", "quotes_attributed": "Citations attribuées"}
SHARE_COLUMNS = [f"share_{label}" for label in SOURCE_LABELS]
COLUMNS_FR = {
    "doc_id": "Article", "title": "Titre", "outlet_group": "Média", "basis": "Base", "n_articles": "Articles",
    "n_sources": "Sources", **{f"share_{k}": f"Part {v}" for k, v in SOURCE_MIX_FR.items()},
    **{f"n_{k}": LABELS_FR[k] for k in LABELS},
    "share_sentences_attributed": "Phrases attribuées", "share_sentences_hedged": "Phrases modalisées",
    "share_anonymous_or_vague_sources": "Part anonymes ou vagues", "transparency_score": "Score de transparence",
    **{f"component_{k}": v for k, v in COMPONENTS_FR.items()}, "n_anonymous_or_vague": "Anonymes ou vagues",
    "anonymous_or_vague_sources": "Sources anonymes ou vagues", "source": "Source", "label": "Étiquette",
    "n_mentions": "Mentions", "outlet": "Média de l'article", "outlet_domain": "Domaine", "outlet_kind": "Type",
    "published_rating": "Notation publiée", "n_SOURCE_MEDIA_cited": "Médias cités",
    "n_media_sources_rated_low": "Citations de médias notés 1 à 3", "rated_media_cited": "Médias cités notés",
    "medium": "Média cité", "satire": "Site parodique",
}
ARTICLE_COLUMNS = [*PROFILE_COLUMNS, "outlet_group", "basis", "n_sources", *SHARE_COLUMNS, "analyst_judgement",
                   "analyst_comment"]
ARTICLE_SPAN_COLUMNS = [*SPAN_COLUMNS, "origin"]
MEAN_COLUMNS = ["share_sentences_attributed", "share_sentences_hedged", *[f"component_{c}" for c in COMPONENTS]]
OUTLET_COLUMNS = ["outlet_group", "n_articles", "n_sources", *SHARE_COLUMNS, "share_anonymous_or_vague_sources",
                  "transparency_score", *MEAN_COLUMNS]


@dataclass
class RunData:
    """The tables a report reads: the rules' outputs and, when analysts corrected articles, theirs."""

    predicted: pd.DataFrame                 # markers.csv: every span the rules found
    profiles: pd.DataFrame                  # profiles.csv: one row per article
    corrected: pd.DataFrame | None          # markers_corrected.csv, the chosen annotation of each article
    corrected_profiles: pd.DataFrame | None  # profiles_corrected.csv
    evaluated: set[str]                     # the articles the analysts corrected
    judgements: pd.DataFrame | None = None   # annotations.csv: the chosen annotation's judgement and comment

    @property
    def n_sentences(self) -> int:
        return int(self.profiles["n_sentences"].sum())

    @property
    def gold(self) -> pd.DataFrame:
        """The analysts' spans (no rows when there are no corrections)."""
        return self.corrected if self.corrected is not None else self.predicted.iloc[:0]

    @property
    def scored(self) -> pd.DataFrame:
        """The rules' spans in the corrected articles."""
        return self.predicted[self.predicted["doc_id"].isin(self.evaluated)]


def read_table(path: Path) -> pd.DataFrame:
    """A CSV written by annotate, pull or report: `,` or `;` separated, UTF-8 with or without BOM."""
    import pandas as pd

    with open(path, encoding="utf-8-sig") as handle:
        header = handle.readline()
    sep = ";" if header.count(";") > header.count(",") else ","
    table = pd.read_csv(path, sep=sep, encoding="utf-8-sig", keep_default_na=False,
                        dtype={c: str for c in TEXT_COLUMNS})
    for column in INT_COLUMNS:
        if column in table:
            table[column] = pd.to_numeric(table[column]).astype(int)
    return table


def write_csv(table: pd.DataFrame, path: Path | str, sep: str = ",") -> Path:
    """UTF-8 with BOM (Excel then shows accents); `;` also writes decimals with a comma, as French
    Excel and LibreOffice expect. Undefined figures are blank cells; text that a spreadsheet would
    run as a formula is neutralised (`spreadsheet_safe`)."""
    path = Path(path)
    spreadsheet_safe(table).to_csv(path, sep=sep, decimal="," if sep == ";" else ".", index=False,
                                   encoding="utf-8-sig")
    return path


def load_run(input_dir: Path | str, corrections_dir: Path | str = "") -> RunData:
    """Read markers.csv and profiles.csv from `input_dir`, and markers_corrected.csv and
    profiles_corrected.csv from `corrections_dir` (default: `input_dir`) when they are there.

    With a `chosen` column, only the rows of chosen annotations are kept. The corrected articles
    are those named in either corrected file (an article whose spans were all deleted has none).
    """
    input_dir = Path(input_dir)
    folder = Path(corrections_dir) if str(corrections_dir) else input_dir
    for name in ("markers.csv", "profiles.csv"):
        if not (input_dir / name).is_file():
            raise UserError(f"no {name} in {input_dir}: give the output folder of `annotator annotate`")
    check_outputs(input_dir, ("markers.csv", "profiles.csv"))
    corrected = _optional(folder / "markers_corrected.csv")
    if corrected is not None:
        corrected = chosen_rows(corrected)
    corrected_profiles = _optional(folder / "profiles_corrected.csv")
    evaluated = set()
    for table in (corrected, corrected_profiles):
        evaluated |= set(table["doc_id"]) if table is not None else set()
    judgements = _optional(folder / "annotations.csv")
    if judgements is not None:
        judgements = chosen_rows(judgements)
    return RunData(_upgraded(read_table(input_dir / "markers.csv")), _upgraded(read_table(input_dir / "profiles.csv")),
                   _upgraded(corrected.reset_index(drop=True)) if corrected is not None else None,
                   _upgraded(corrected_profiles) if corrected_profiles is not None else None, evaluated, judgements)


def _upgraded(table: pd.DataFrame) -> pd.DataFrame:
    """A table of a run made before the outlet registry, given its columns (empty, or 0 for counts)."""
    added = ["media_id"] if "label" in table else OUTLET_PROFILE_COLUMNS if "n_words" in table else []
    return table.assign(**{c: 0 if c.startswith("n_") else "" for c in added if c not in table})


def chosen_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the chosen annotation of each article (all rows when there is no `chosen` column)."""
    if "chosen" not in table:
        return table
    return table[table["chosen"].astype(str).str.lower().isin(("true", "1", "yes"))]


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) prefixed with `'`."""
    def cell(value):
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    return table.apply(lambda column: column.map(cell))


def _optional(path: Path) -> pd.DataFrame | None:
    """The table at `path`; None when there is none or it has no row (a pull before any submission)."""
    table = read_table(path) if path.is_file() else None
    return table if table is not None and len(table) else None


def outlet_groups(profiles: pd.DataFrame, grouping: str = "outlet") -> pd.Series:
    """The group of each article: its `outlet` ("outlet"), or a mapping read from a CSV file with
    columns `outlet,group` or `doc_id,group` (unmapped articles keep their outlet)."""
    import pandas as pd

    outlets = profiles["outlet"].fillna("").str.strip().replace("", UNKNOWN_OUTLET)
    if grouping in ("", "outlet"):
        return outlets
    path = Path(grouping)
    if not path.is_file():
        raise UserError(f"outlet grouping {grouping!r}: give `outlet` or a CSV file with columns outlet,group")
    mapping = read_table(path)
    key = next((k for k in ("doc_id", "outlet") if k in mapping), None)
    if key is None or "group" not in mapping:
        raise UserError(f"{path}: the columns must be outlet,group or doc_id,group")
    groups = dict(zip(mapping[key].str.strip(), mapping["group"]))
    keys = profiles["doc_id"] if key == "doc_id" else profiles["outlet"].fillna("").str.strip()
    return pd.Series([groups.get(k, o) for k, o in zip(keys, outlets)], index=profiles.index)


def article_profiles(run: RunData, grouping: str = "outlet") -> pd.DataFrame:
    """profiles.csv of the report: the analysts' profile of each corrected article (basis
    `corrected`), the rules' profile of the others (basis `rules`), the outlet group and source mix."""
    import pandas as pd

    corrected = run.corrected_profiles if run.corrected_profiles is not None else run.profiles.iloc[:0]
    rules = run.profiles[~run.profiles["doc_id"].isin(corrected["doc_id"])]
    table = pd.concat([rules.assign(basis="rules"), corrected.assign(basis="corrected")], ignore_index=True)
    order = {doc: i for i, doc in enumerate(run.profiles["doc_id"])}
    table = table.sort_values("doc_id", key=lambda s: s.map(order).fillna(len(order)), kind="stable")
    table = table.reset_index(drop=True)
    table["outlet_group"] = outlet_groups(table, grouping)
    table["n_sources"] = table[[f"n_{label}" for label in SOURCE_LABELS]].sum(axis=1)
    for label in SOURCE_LABELS:
        table[f"share_{label}"] = (table[f"n_{label}"] / table["n_sources"].where(table["n_sources"] > 0)).round(3)
    verdicts = run.judgements if run.judgements is not None else pd.DataFrame(columns=["doc_id", "judgement", "comment"])
    verdicts = verdicts.drop_duplicates("doc_id", keep="last").set_index("doc_id")
    table["analyst_judgement"] = table["doc_id"].map(verdicts["judgement"]).astype(object).fillna("")
    table["analyst_comment"] = table["doc_id"].map(verdicts["comment"]).astype(object).fillna("")
    return table[ARTICLE_COLUMNS]


def article_spans(run: RunData) -> pd.DataFrame:
    """markers.csv of the report: the analysts' spans of corrected articles (origin `kept` when a
    rule found them, `added` otherwise) and the rules' spans of the others (origin `rules`)."""
    import pandas as pd

    from .scoring import match_spans

    rules = run.predicted[~run.predicted["doc_id"].isin(run.evaluated)].assign(origin="rules")
    if run.corrected is None:
        return rules[ARTICLE_SPAN_COLUMNS].reset_index(drop=True)
    found = match_spans(run.scored, run.corrected)[1]
    corrected = run.corrected.assign(origin=found.map({True: "kept", False: "added"}))
    table = pd.concat([rules, corrected[ARTICLE_SPAN_COLUMNS]], ignore_index=True)
    return table.sort_values(["doc_id", "start", "end", "label"]).reset_index(drop=True)[ARTICLE_SPAN_COLUMNS]


def score_parts(articles: pd.DataFrame, transparency: dict) -> pd.DataFrame:
    """Each component's points in the transparency score (weight x component, on 100): they add up
    to the score, so a stacked bar shows what makes it."""
    import pandas as pd

    weights = transparency["weights"]
    total = sum(weights.get(c, 0) for c in COMPONENTS) or 1
    parts = {COMPONENTS_FR[c]: 100 * weights.get(c, 0) * articles[f"component_{c}"] / total for c in COMPONENTS}
    return pd.DataFrame(parts).set_axis(articles["doc_id"]).round(1)


def outlet_summary(articles: pd.DataFrame) -> pd.DataFrame:
    """outlets.csv: per outlet group, the source mix pooled over its sources and the mean of its
    articles' shares, transparency score and components."""
    import pandas as pd

    rows = []
    for group, part in articles.groupby("outlet_group"):
        n_sources = int(part["n_sources"].sum())
        pooled = {f"share_{label}": round(part[f"n_{label}"].sum() / n_sources, 3) if n_sources else None
                  for label in SOURCE_LABELS}
        weak = part["n_SOURCE_ANONYMOUS"].sum() + part["n_SOURCE_VAGUE"].sum()
        means = {c: round(part[c].mean(), 3) for c in MEAN_COLUMNS}
        rows.append({"outlet_group": group, "n_articles": len(part), "n_sources": n_sources, **pooled, **means,
                     "share_anonymous_or_vague_sources": round(weak / n_sources, 3) if n_sources else None,
                     "transparency_score": round(part["transparency_score"].mean(), 1)})
    table = pd.DataFrame(rows, columns=OUTLET_COLUMNS)
    return table.sort_values(["n_articles", "outlet_group"], ascending=[False, True]).reset_index(drop=True)


def published_rating(rating, source) -> str:
    """A rating as its source published it ("1 – parodique (Décodex 2017)"), "non noté" without one."""
    value = _as_int(rating)
    return f"{value} – {RATING_WORDS[value]} ({source})" if value in RATING_WORDS else "non noté"


def registry(rules_dir: str = "") -> Registry:
    """The outlet registry of a rules folder (default: the project's rules/)."""
    return load_registry(Path(rules_dir or DEFAULT_RULES_DIR).resolve())


def _as_int(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def outlet_ratings(articles: pd.DataFrame) -> pd.DataFrame:
    """outlet_ratings.csv: each article's own outlet with its published rating (a satire site, rated 1,
    flagged), and the media it cites that the lists rate."""
    table = articles.assign(
        published_rating=[published_rating(r, s) for r, s in zip(articles["outlet_rating"],
                                                                  articles["outlet_rating_source"])],
        satire=articles["outlet_rating"].map(lambda r: "oui" if _as_int(r) == 1 else ""),
        n_SOURCE_MEDIA_cited=articles["n_SOURCE_MEDIA"])
    columns = ["doc_id", "title", "outlet", "outlet_domain", "outlet_kind", "published_rating", "satire",
               "n_SOURCE_MEDIA_cited", "n_media_sources_rated_low", "rated_media_cited"]
    return table[columns].reset_index(drop=True)


def cited_media(spans: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """cited_media.csv: the media the articles cite (SOURCE_MEDIA spans with a registry entry), with
    their published rating, the least well rated first."""
    import pandas as pd

    media = spans[(spans["label"] == "SOURCE_MEDIA") & (spans["media_id"] != "")]
    rows = []
    for media_id, part in media.groupby("media_id"):
        outlet = registry.outlets.get(media_id)
        if outlet is None:
            continue
        rows.append({"medium": outlet.name, "outlet_kind": outlet.kind, "rating": outlet.rating or 5,
                     "published_rating": published_rating(outlet.rating, outlet.rating_source),
                     "n_mentions": len(part), "n_articles": part["doc_id"].nunique()})
    table = pd.DataFrame(rows, columns=["medium", "outlet_kind", "rating", "published_rating", "n_mentions",
                                        "n_articles"])
    return table.sort_values(["rating", "n_mentions", "medium"], ascending=[True, False, True]) \
        .drop(columns="rating").reset_index(drop=True)


def top_sources(spans: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The most cited sources: SOURCE spans grouped by their folded text without the article."""
    import pandas as pd

    sources = spans[spans["label"].isin(SOURCE_LABELS)]
    sources = sources.assign(key=sources["text"].map(lambda t: ARTICLES.sub("", fold(t))))
    sources = sources[sources["key"] != ""]
    rows = [{"source": part["text"].mode().iloc[0], "label": part["label"].mode().iloc[0],
             "n_mentions": len(part), "n_articles": part["doc_id"].nunique()} for _, part in sources.groupby("key")]
    table = pd.DataFrame(rows, columns=["source", "label", "n_mentions", "n_articles"])
    return table.sort_values(["n_mentions", "n_articles", "source"], ascending=[False, False, True]).head(n) \
        .reset_index(drop=True)


def most_anonymous(articles: pd.DataFrame, spans: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The articles that rest most on anonymous or vague sources, with those sources."""
    weak = spans[spans["label"].isin(("SOURCE_ANONYMOUS", "SOURCE_VAGUE"))]
    examples = weak.groupby("doc_id")["text"].agg(lambda t: " | ".join(dict.fromkeys(t)))
    table = articles[articles["n_sources"] > 0].assign(
        n_anonymous_or_vague=lambda d: d["n_SOURCE_ANONYMOUS"] + d["n_SOURCE_VAGUE"],
        anonymous_or_vague_sources=lambda d: d["doc_id"].map(examples).fillna(""))
    table = table[table["n_anonymous_or_vague"] > 0]
    columns = ["doc_id", "title", "outlet_group", "n_sources", "n_anonymous_or_vague",
               "share_anonymous_or_vague_sources", "transparency_score", "anonymous_or_vague_sources"]
    return table.sort_values(["share_anonymous_or_vague_sources", "n_anonymous_or_vague"], ascending=False) \
        .head(n)[columns].reset_index(drop=True)


def save_figure(fig, output_dir: Path | str, name: str):
    """Save `fig` as output_dir/name.png, close it, and return it for display in the notebook."""
    import matplotlib.pyplot as plt
    from IPython.display import Image

    path = Path(output_dir) / f"{name}.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return Image(filename=str(path))


def run_report(input_dir: Path, out: Path, *, corrections_dir: Path | None = None, grouping: str = "outlet",
               rules_dir: Path | None = None, sep: str = ",",
               min_review_seconds: float = MIN_REVIEW_SECONDS) -> list[Path]:
    """Execute every notebook of notebooks/ into `out`, with its HTML rendering; return the files written."""
    needed = [input_dir / "markers.csv", input_dir / "profiles.csv"]
    needed += [corrections_dir / "markers_corrected.csv"] if corrections_dir else []
    for path in needed:
        if not path.is_file():
            command = "pull" if path.name.endswith("_corrected.csv") else "annotate"
            raise UserError(f"no {path.name} in {path.parent}: give the output folder of `annotator {command}`")
    check_outputs(input_dir, ("markers.csv", "profiles.csv"))
    if out.resolve() in {input_dir.resolve(), *([corrections_dir.resolve()] if corrections_dir else [])}:
        raise UserError(f"--out {out} is an input folder: the report would overwrite its markers.csv")
    out.mkdir(parents=True, exist_ok=True)
    params = {"input_dir": str(input_dir.resolve()),
              "corrections_dir": str(corrections_dir.resolve()) if corrections_dir else "",
              "output_dir": str(out.resolve()), "outlet_grouping": _grouping_param(grouping),
              "rules_dir": str(rules_dir.resolve()) if rules_dir else "", "sep": sep,
              "min_review_seconds": float(min_review_seconds)}
    for name in NOTEBOOKS:
        began = time.perf_counter()
        print(f"report: running {name} ...", file=sys.stderr)
        execute_notebook(NOTEBOOK_DIR / name, out / name, params)
        print(f"report: {name} done in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return sorted(p for p in out.iterdir() if p.is_file())


def _grouping_param(grouping: str) -> str:
    if grouping in ("", "outlet"):
        return "outlet"
    if not Path(grouping).is_file():
        raise UserError(f"--group-outlets {grouping!r}: give `outlet` or a CSV file with columns outlet,group")
    return str(Path(grouping).resolve())


def execute_notebook(source: Path, executed: Path, params: dict) -> Path:
    """Run `source` headless with `params` into `executed`, then write its HTML next to it; a failing
    cell becomes a UserError naming the notebook and the cell (its HTML is still written)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill.translators").setLevel(logging.ERROR)  # "Black encountered an error" noise
    try:
        declared = papermill.inspect_notebook(str(source))
        papermill.execute_notebook(str(source), str(executed), kernel_name="python3",
                                   parameters={k: v for k, v in params.items() if k in declared},
                                   kernel_manager_class=_this_interpreter_kernel(), progress_bar=False,
                                   cwd=str(executed.parent))
    except PapermillExecutionError as exc:
        export_html(executed)
        first_line = (exc.source or "").strip().splitlines()[:1]
        raise UserError(f"notebook {source.name} failed at cell {exc.cell_index} (execution count {exc.exec_count}, "
                        f"starting {' '.join(first_line)!r}): {exc.ename}: {exc.evalue}; "
                        f"see {executed.with_suffix('.html')}") from None
    export_html(executed)
    return executed


def export_html(notebook: Path) -> Path:
    """The HTML rendering of an executed notebook, outputs only, plots embedded."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    book = nbformat.read(notebook, as_version=4)
    title = book.metadata.get("title") or notebook.stem  # the page's title, not nbconvert's "Notebook"
    body, _ = exporter.from_notebook_node(book, resources={"metadata": {"name": title}})
    path = notebook.with_suffix(".html")
    path.write_text(body, encoding="utf-8")
    return path


def _this_interpreter_kernel():
    """A kernel manager that starts ipykernel with this very interpreter (the one where annotator is
    installed), whatever `python3` kernelspec the machine or the user holds, with encrypted
    transport when pyzmq supports it."""
    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class ThisInterpreter(AsyncKernelManager):
        @default("transport_encryption")
        def _encrypt(self) -> str:
            return "auto" if zmq.has("curve") else "disabled"

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            return [sys.executable, "-m", "ipykernel_launcher", "-f", os.path.realpath(self.connection_file),
                    *(extra_arguments or [])]

    return ThisInterpreter


def add_report_command(subparsers) -> None:
    """Register `annotator report` on the CLI's subparsers."""
    report = subparsers.add_parser("report", help="run the report notebooks: sourcing profiles and rule quality")
    report.add_argument("--from", dest="source", required=True, type=Path, metavar="DIR",
                        help="output folder of `annotator annotate` (markers.csv, profiles.csv)")
    report.add_argument("--corrections", type=Path, default=None, metavar="DIR",
                        help="output folder of `annotator pull` (default: the corrected files in --from, if any)")
    report.add_argument("--out", required=True, type=Path, metavar="DIR", help="run folder, e.g. reports/2025-06-run1")
    report.add_argument("--group-outlets", default="outlet", metavar="outlet|CSV",
                        help="group articles by their outlet (default) or by a CSV with columns outlet,group "
                             "or doc_id,group")
    report.add_argument("--rules", type=Path, default=None, metavar="DIR",
                        help="rules folder (default: the bundled rules/)")
    report.add_argument("--sep", default=",", choices=[",", ";"], metavar="{',',';'}",
                        help="CSV separator (default: ,); ; also writes decimal commas for French Excel")
    report.add_argument("--min-review-seconds", type=float, default=MIN_REVIEW_SECONDS, metavar="S",
                        help="leave out of precision and recall the annotations submitted with no span changed "
                             f"in under S seconds: rubber stamps, not reviews (default: {MIN_REVIEW_SECONDS:g})")
    report.set_defaults(func=_report)


def _report(args) -> int:
    written = run_report(args.source, args.out, corrections_dir=args.corrections, grouping=args.group_outlets,
                         rules_dir=args.rules, sep=args.sep, min_review_seconds=args.min_review_seconds)
    print(f"report in {args.out}/: {' '.join(p.name for p in written)}", file=sys.stderr)
    return 0
