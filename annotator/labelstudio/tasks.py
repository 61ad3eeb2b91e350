"""Label Studio import tasks built from span records, and span records read back from results."""
from __future__ import annotations

import hashlib

from ..spans import Span

FROM_NAME = "label"
TO_NAME = "text"


def text_hash(text: str) -> str:
    """The identity of a text in Label Studio: doc_id + this hash make a task's key."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def region_id(span: Span) -> str:
    return f"{span.label[:3].lower()}{span.start}_{span.end}"


def prediction(spans: list[Span], version: str) -> dict:
    """One Label Studio prediction holding `spans` as labels regions, rule ids in each region's meta."""
    result = [{
        "id": region_id(s), "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
        "origin": "prediction",
        "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]},
        "meta": {"text": [s.rule]},
    } for s in spans]
    ids = {(s.start, s.end): region_id(s) for s in spans if s.label == "CUE"}
    for s in spans:
        cue = ids.get((s.cue_start, s.cue_end))
        if cue and s.label != "CUE":
            result.append({"type": "relation", "from_id": region_id(s), "to_id": cue, "direction": "right"})
    return {"model_version": version, "score": 1.0, "result": result}


def build_task(doc_id: str, text: str, spans: list[Span], version: str, meta: dict | None = None) -> dict:
    """A Label Studio import task for one article, with the rules' spans as its prediction."""
    data = {"text": text, "doc_id": doc_id, "text_hash": text_hash(text)}
    for key, value in (meta or {}).items():
        data.setdefault(key, value)
    return {"data": data, "predictions": [prediction(spans, version)]}
