"""Links are optional for the analyst: a SOURCE or a QUOTE that the analyst added or re-cut without
drawing a relation is hung on the nearest CUE of its sentence, the rule the predictions follow."""
from __future__ import annotations

from dataclasses import replace

from ..spans import SOURCE_LABELS, Span

LINKED_LABELS = (*SOURCE_LABELS, "QUOTE")


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, max(a.start, b.start) - min(a.end, b.end))


def nearest_cue(span: Span, spans: list[Span]) -> Span | None:
    """The CUE of `span`'s sentence closest to it, the earlier one on a tie; None outside a sentence."""
    cues = [c for c in spans if c.label == "CUE" and c.sent == span.sent and span.sent >= 0]
    return min(cues, key=lambda c: (_gap(span, c), c.start), default=None)


def with_cue(span: Span, spans: list[Span]) -> Span:
    """`span` hung on the nearest CUE of its sentence when it is a SOURCE or a QUOTE with no link."""
    if span.label not in LINKED_LABELS or span.cue_start >= 0:
        return span
    cue = nearest_cue(span, spans)
    return replace(span, cue_start=cue.start, cue_end=cue.end) if cue else span
