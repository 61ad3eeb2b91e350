"""Label Studio import tasks built from span records, and span records read back from results."""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ..headlines import readable_meta
from ..profile import sentence_index
from ..spans import LABELS, Span

if TYPE_CHECKING:
    from ..pipeline import Result

FROM_NAME = "label"
TO_NAME = "text"
# the profile columns a task carries in its data: columns of the project's task list, sortable
TASK_META = ("title", "author", "date", "outlet", "n_words", "outlet_domain", "outlet_rating", "outlet_rating_source",
             "outlet_kind", "n_media_sources_rated_low", "rated_media_cited", "transparency_score",
             "share_anonymous_or_vague_sources", "share_sentences_hedged")


def text_hash(text: str) -> str:
    """The identity of a text in Label Studio: doc_id + this hash make a task's key."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def region_id(span: Span) -> str:
    """Unique within a task: two labels may cover the same characters (CUE and HEDGE_CONDITIONAL)."""
    return f"{span.label.lower()}_{span.start}_{span.end}"


def prediction(spans: list[Span], version: str, score: float = 1.0) -> dict:
    """One Label Studio prediction holding `spans` as labels regions, rule ids in each region's meta;
    `score` is what Label Studio sorts predictions by (the article's transparency score over 100)."""
    result = [{
        "id": region_id(s), "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
        "origin": "prediction",
        "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]},
        "meta": {"text": [s.rule]},
    } for s in spans]
    cues = [c for c in spans if c.label == "CUE"]
    for s in spans:
        cue = _cue_of(s, cues) if s.label != "CUE" and s.cue_start >= 0 else None
        if cue:  # source -> cue, cue -> quote
            first, second = (cue, s) if s.label == "QUOTE" else (s, cue)
            result.append({"type": "relation", "from_id": region_id(first), "to_id": region_id(second),
                           "direction": "right"})
    return {"model_version": version, "score": score, "result": result}


def _cue_of(span: Span, cues: list[Span]) -> Span | None:
    """The CUE span at the span's cue range, else the CUE span that contains that range."""
    exact = [c for c in cues if (c.start, c.end) == (span.cue_start, span.cue_end)]
    inside = [c for c in cues if c.start <= span.cue_start and span.cue_end <= c.end]
    return (exact or inside or [None])[0]


def build_task(doc_id: str, text: str, spans: list[Span], version: str, meta: dict | None = None) -> dict:
    """A Label Studio import task for one article, with the rules' spans as its prediction. The task
    list shows its headline (not the page's menus or rubric), its date in ISO form and its number of spans."""
    data = {"text": text, "doc_id": doc_id, "text_hash": text_hash(text)}
    for key, value in (meta or {}).items():
        data.setdefault(key, value)
    data = readable_meta(data, text)
    data["n_spans"] = len(spans)
    score = data.get("transparency_score")
    score = round(score / 100, 3) if isinstance(score, (int, float)) and not isinstance(score, bool) else 1.0
    return {"data": data, "predictions": [prediction(spans, version, score)]}


def task_of(result: Result, version: str) -> dict:
    """The task of tasks.json for one annotated article: its profile's task-list columns and its
    sentences in the data, its spans as the prediction."""
    meta = {k: result.profile.get(k, "") for k in TASK_META}
    meta["sentences"] = [list(s) for s in result.sentences]
    return build_task(result.article.doc_id, result.article.text, result.spans, version, meta)


def region_problem(region: dict, text: str) -> str | None:
    """Why a labels region cannot be a span of `text` (offsets missing, not integers, reversed or
    outside the text; no label or an unknown one), or None."""
    value = region.get("value") if isinstance(region.get("value"), dict) else {}
    start, end = value.get("start"), value.get("end")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        return f"offsets {start!r}..{end!r} are not whole numbers"
    if not 0 <= start < end <= len(text):
        return f"offsets {start}..{end} outside a text of {len(text)} characters"
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels:
        return "no label"
    unknown = [str(label) for label in labels if label not in LABELS]
    return f"unknown label(s) {', '.join(unknown)}" if unknown else None


def labels_regions(result: list[dict]) -> list[dict]:
    """The labels regions of a prediction's or an annotation's result."""
    return [r for r in result if isinstance(r, dict) and r.get("type") == "labels" and r.get("from_name") == FROM_NAME]


def spans_from_result(result: list[dict], data: dict, rule: str | None = None) -> list[Span]:
    """Span records from a prediction's or an annotation's result, on the task's own text.

    Offsets are trusted and the span text is re-read as text[start:end] (the region's own text can
    differ, e.g. across a line break). `rule` names the rule of every span; without it the rule id
    kept in each region's meta is used. A relation between a region and a CUE gives its cue range.
    """
    text, doc_id = data["text"], str(data["doc_id"])
    sentences = [(int(a), int(b)) for a, b in data.get("sentences") or []]
    regions = {r.get("id") or f"#{i}": r for i, r in enumerate(labels_regions(result))}
    cues = _cue_links(result, regions)
    spans = []
    for rid, r in regions.items():
        start, end = int(r["value"]["start"]), int(r["value"]["end"])
        sent = sentence_index(start, sentences)
        sentence = text[slice(*sentences[sent])] if sent >= 0 else ""
        why = rule or ((r.get("meta") or {}).get("text") or [""])[0]
        spans += [Span(doc_id, start, end, label, text[start:end], why, sent, sentence, *cues.get(rid, (-1, -1)))
                  for label in r["value"].get("labels") or []]
    return sorted(spans, key=lambda s: (s.start, s.end, s.label))


def _cue_links(result: list[dict], regions: dict[str, dict]) -> dict[str, tuple[int, int]]:
    """Region id -> range of the CUE it is related to (in either direction)."""
    links: dict[str, tuple[int, int]] = {}
    for r in result:
        if r.get("type") != "relation" or r.get("from_id") not in regions or r.get("to_id") not in regions:
            continue
        for one, other in ((r["from_id"], r["to_id"]), (r["to_id"], r["from_id"])):
            labels, cue = regions[one]["value"].get("labels") or [], regions[other]["value"]
            if "CUE" in (cue.get("labels") or []) and "CUE" not in labels:
                links.setdefault(one, (int(cue["start"]), int(cue["end"])))
    return links
