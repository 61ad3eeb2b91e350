"""All the rules on one parsed paragraph: quotes, hedges, cues and sources, then the filters
that make the result follow the annotation guide (nothing but QUOTE and the modal hedges inside
a quotation, no overlap within a label)."""
from __future__ import annotations

from typing import NamedTuple

from spacy.tokens import Doc

from .attribution import Found, find_attributions
from .hedges import find_hedges
from .quotes import Quote, find_quotes, is_single_word, is_title
from .rules import Rules, lower


class Match(NamedTuple):
    """A span in character offsets of the paragraph; `sent` numbers the paragraph's sentence."""

    start: int
    end: int
    label: str
    rule: str
    sent: int
    cue_start: int = -1
    cue_end: int = -1


def match_paragraph(doc: Doc, rules: Rules) -> list[Match]:
    """Every span the rules find in one paragraph, in character offsets of `doc.text`."""
    text = doc.text
    quotes = [q for q in find_quotes(text, rules) if not is_title(text, q, rules)]
    sents = list(doc.sents)
    found: list[Match] = []
    for n, sent in enumerate(sents):
        for start, end, label, rule in find_hedges(sent, rules):
            found.append(_chars(doc, Found(start, end, label, rule), n))
        for item in find_attributions(sent, text[sent.start_char:sent.end_char], quotes, rules):
            found.append(_chars(doc, item, n))
    pseudo = [(m.start(), m.end()) for m in rules.pseudo_hedges.finditer(lower(text))]
    found = [m for m in found if not (m.label.startswith("HEDGE") and any(a <= m.start and m.end <= b for a, b in pseudo))]
    quotes = _split_quotes(quotes, found, text)
    # inside a quotation, only the epistemic modals stay (the guide: a hedge in a quote is still
    # one); a conditional there is the speaker's hypothesis, not the journalistic conditional
    found = [m for m in found if m.label in ("QUOTE", "HEDGE_MODAL") or not _inside_quote(m, quotes)]
    cues = [m for m in found if m.label == "CUE"]
    for q in quotes:
        n = _sentence_of(sents, q.start)
        cue = _quote_cue(q, cues, text)
        if is_single_word(text, q) and rules.quotes.get("single_word_needs_cue", True) and \
                not any(c.sent == n for c in cues):
            continue
        rule = rules.quotes["split_id"] if (q.open, q.close) == (-1, -1) else rules.quotes["id"]
        found.append(Match(q.start, q.end, "QUOTE", rule, n, *(cue or (-1, -1))))
    return _without_overlaps(found)


def _chars(doc: Doc, item: Found, n: int) -> Match:
    start, end = doc[item.start].idx, doc[item.end - 1].idx + len(doc[item.end - 1])
    cue = (doc[item.cue[0]].idx, doc[item.cue[1] - 1].idx + len(doc[item.cue[1] - 1])) if item.cue else (-1, -1)
    return Match(start, end, item.label, item.rule, n, *cue)


def _inside_quote(m: Match, quotes: list[Quote]) -> bool:
    return any(q.start <= m.start and m.end <= q.end for q in quotes)


def _split_quotes(quotes: list[Quote], found: list[Match], text: str) -> list[Quote]:
    """« A, a-t-il dit, B »: an incise inside a quotation splits it into two quotations."""
    out = []
    for q in quotes:
        incises = [m for m in found if m.label == "CUE" and q.start < m.start and m.end < q.end
                   and text[q.start:m.start].rstrip().endswith(",")]
        if not incises:
            out.append(q)
            continue
        cue = incises[0]
        tail = max([cue.end] + [m.end for m in found if (m.cue_start, m.cue_end) == (cue.start, cue.end)])
        if "," not in text[tail:q.end]:
            out.append(q)
            continue
        out.append(_trimmed(text, q.start, cue.start))
        out.append(_trimmed(text, tail, q.end))
    return [q for q in out if q.end > q.start]


def _trimmed(text: str, start: int, end: int) -> Quote:
    strip = " ,;\u00a0\u202f—–-"
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return Quote(-1, -1, start, end)


def _quote_cue(q: Quote, cues: list[Match], text: str) -> tuple[int, int] | None:
    near = [c for c in cues if -1 <= c.start - max(q.close, q.end) <= 4 or 0 <= q.open - c.end <= 80]
    return (near[0].start, near[0].end) if near else None


def _sentence_of(sents, char: int) -> int:
    return next((n for n, s in enumerate(sents) if s.start_char <= char < s.end_char), len(sents) - 1)


def _without_overlaps(found: list[Match]) -> list[Match]:
    """Within a label, keep the longest of overlapping spans (the first on ties)."""
    kept: list[Match] = []
    for m in sorted(found, key=lambda m: (m.label, -(m.end - m.start), m.start)):
        if not any(k.label == m.label and k.start < m.end and m.start < k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.end, m.label))
