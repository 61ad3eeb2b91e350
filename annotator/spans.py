"""The one span record that flows from the rules to CSV, Label Studio and the reports."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

SOURCE_LABELS = ("SOURCE_NAMED", "SOURCE_ANONYMOUS", "SOURCE_DOCUMENT", "SOURCE_MEDIA", "SOURCE_VAGUE")
HEDGE_LABELS = ("HEDGE_CONDITIONAL", "HEDGE_MODAL")
LABELS = (*SOURCE_LABELS, "CUE", *HEDGE_LABELS, "QUOTE")


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character range of an article; offsets are `str` indices into the text as read.

    `sent` numbers the sentence in the article and `sentence` is its text; a SOURCE or QUOTE span
    that hangs on a cue carries that cue's range in `cue_start`/`cue_end` (-1 when there is none).
    """

    doc_id: str
    start: int
    end: int
    label: str
    text: str
    rule: str
    sent: int = -1
    sentence: str = ""
    cue_start: int = -1
    cue_end: int = -1
    media_id: str = ""  # a SOURCE_MEDIA span: its outlet in the registry (annotator.outlets), "" when unknown

    @property
    def key(self) -> tuple[str, int, int, str]:
        return (self.doc_id, self.start, self.end, self.label)

    def as_row(self) -> dict:
        return asdict(self)

    @classmethod
    def from_row(cls, row: dict) -> "Span":
        """Build a span from a CSV or JSON row (extra columns are ignored)."""
        kwargs = {}
        for f in fields(cls):
            if f.name in row and row[f.name] is not None and row[f.name] != "":
                value = row[f.name]
                kwargs[f.name] = int(value) if f.type == "int" else str(value)
        return cls(**kwargs)


SPAN_COLUMNS = [f.name for f in fields(Span)]
