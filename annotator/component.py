"""The rules as a spaCy pipeline component, `sourcing_rules`, registered through the package's
`spacy_factories` entry point: `nlp.add_pipe("sourcing_rules")` works without importing annotator.

On an article's Doc it does what `annotate` does (lays the text out, parses each paragraph with the
pipeline's other components, runs the rules, profiles the article), so `doc.spans["sourcing"]` holds
the spans of `markers.csv`: `label_` one of the nine labels, `span._.rule` the rule id, `span._.cue`
the CUE span a SOURCE or QUOTE hangs on (None when none), and `doc._.sourcing_profile` the
`profiles.csv` row.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span as SpacySpan, SpanGroup

from .lexicon import VerbForms
from .nlp import FAST_EXCLUDE
from .pipeline import Result, annotate
from .read import Article, BadInput
from .rules import Rules, load_rules
from .spans import Span
from .stretches import sentence_splitter
from .triage import Triage

SPANS_KEY = "sourcing"
DOC_ID = "doc"  # the doc_id of an article given as a Doc (or as a text without one)


class SourcingRules:
    """Pipeline component: the rules' spans of an article in `doc.spans["sourcing"]`, its profile in
    `doc._.sourcing_profile`."""

    def __init__(self, nlp: Language, name: str, rules: Rules, fast: bool = False):
        self.nlp = nlp
        self.rules = rules
        # components its own paragraph parses leave out: itself, and in fast mode the entity recogniser
        self.not_parsing = [name, *(n for n in FAST_EXCLUDE if fast and n in nlp.pipe_names)]
        self.fast = fast
        # fast mode only parses the sentences the pre-filter flags (see stretches.py)
        self.triage = Triage(rules) if fast else None
        self.splitter = sentence_splitter(nlp) if fast else None

    def __call__(self, doc: Doc) -> Doc:
        (result,) = annotate([Article(DOC_ID, doc.text)], self.nlp, self.rules)
        if isinstance(result, BadInput):  # the rules failed on this text
            raise RuntimeError(result.reason)
        set_spans(doc, result)
        return doc


@Language.factory("sourcing_rules", default_config={"rules_dir": None, "fast": False})
def make_sourcing_rules(nlp: Language, name: str, rules_dir: str | None, fast: bool) -> SourcingRules:
    """`rules_dir`: a rules folder (default: the bundled rules); `fast`: parse only the sentences
    the pre-filter flags, without the entity recogniser (see README, `--fast`)."""
    rules = load_rules(rules_dir)
    rules.verb_forms = VerbForms(nlp).forms
    return SourcingRules(nlp, name, rules, fast)


def set_spans(doc: Doc, result: Result) -> None:
    """Store an article's span records as spaCy spans of `doc` (same character offsets), and its profile."""
    _split_tokens_at(doc, {at for s in result.spans for at in (s.start, s.end, s.cue_start, s.cue_end) if at >= 0})
    records = {_key(s.start, s.end, s.label): [s.rule, s.cue_start, s.cue_end] for s in result.spans}
    doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, attrs={"records": records},
                                     spans=[_spacy_span(doc, s) for s in result.spans])
    doc._.sourcing_profile = result.profile


def _split_tokens_at(doc: Doc, boundaries: set[int]) -> None:
    """A quotation may begin or end inside a token (`déplacement"en`): split such tokens there, the
    pieces after the first attached to it, so that every span keeps its exact character offsets."""
    with doc.retokenize() as retokenizer:
        for token in doc:
            cuts = sorted(at - token.idx for at in boundaries if token.idx < at < token.idx + len(token))
            if not cuts:
                continue
            edges = [0, *cuts, len(token)]
            orths = [token.text[a:b] for a, b in zip(edges, edges[1:])]
            first = token.head if token.head.i != token.i else (token, 0)
            deps = {"DEP": [token.dep_, *["dep"] * (len(orths) - 1)]} if doc.has_annotation("DEP") else {}
            retokenizer.split(token, orths, heads=[first, *[(token, 0)] * (len(orths) - 1)], attrs=deps)


def _spacy_span(doc: Doc, record: Span) -> SpacySpan:
    return doc.char_span(record.start, record.end, label=record.label)


def _key(start: int, end: int, label: str) -> str:
    return f"{start}:{end}:{label}"


def _record(span: SpacySpan) -> list | None:
    group = span.doc.spans.get(SPANS_KEY)
    return group.attrs["records"].get(_key(span.start_char, span.end_char, span.label_)) if group else None


def _rule(span: SpacySpan) -> str | None:
    record = _record(span)
    return record[0] if record else None


def _cue(span: SpacySpan) -> SpacySpan | None:
    record = _record(span)
    if not record or record[1] < 0:
        return None
    return span.doc.char_span(record[1], record[2], label="CUE")


SpacySpan.set_extension("rule", getter=_rule, force=True)
SpacySpan.set_extension("cue", getter=_cue, force=True)
Doc.set_extension("sourcing_profile", default=None, force=True)
