"""The analysts' triage queue: the project's first task-list tab, which `push` creates or updates.

It shows each article's headline, outlet and rating, date and the figures to triage by (transparency
score, share of anonymous or vague sources, share of hedged sentences, number of spans), as numbers
so they sort as numbers, hides the columns nobody reads (the full text, sentence offsets, hashes,
raw results), and lists the riskiest articles first: the lowest transparency score on top.
"""
from __future__ import annotations

from .client import NO_RETRY, Connection, field
from .push_lock import LOCK_KEY

QUEUE_TITLE = "À relire (risque d'abord)"
RISK_ORDER = "tasks:data.transparency_score"  # ascending: the least transparent article first
NUMERIC = ("transparency_score", "share_anonymous_or_vague_sources", "share_sentences_hedged", "n_spans",
           "n_words", "outlet_rating")
HIDDEN_DATA = ("text", "sentences", "text_hash", "author", "n_words", "outlet_domain", "outlet_rating_source",
               "outlet_kind", "n_media_sources_rated_low", "rated_media_cited")
HIDDEN_TASK = ("completed_at", "annotators", "annotations_results", "predictions_results", "annotations_ids",
               "predictions_ids",
               "predictions_model_versions", "file_upload", "storage_filename", "updated_by", "created_at",
               "updated_at", "draft_exists", "avg_lead_time", "inner_id", "cancelled_annotations",
               "total_predictions", "annotations_results_json", "predictions_results_json")


def view_data() -> dict:
    """The tab's settings as the Data Manager stores them."""
    hidden = [f"tasks:data.{name}" for name in HIDDEN_DATA] + [f"tasks:{name}" for name in HIDDEN_TASK]
    return {"title": QUEUE_TITLE, "ordering": [RISK_ORDER], "type": "list", "target": "tasks",
            "hiddenColumns": {"explore": hidden, "labeling": hidden},
            "columnsDisplayType": {f"tasks:data.{name}": "Number" for name in NUMERIC},
            "columnsWidth": {"tasks:data.title": 330, "tasks:data.doc_id": 140, "tasks:data.date": 100},
            "filters": {"conjunction": "and", "items": []}}


def ensure_queue_view(conn: Connection, project_id: int) -> int:
    """Create the triage tab, or bring the one an earlier push made up to date, and put it first among
    the project's tabs (push-lock tabs, which come and go, are left out); return its id."""
    data = view_data()
    views = [v for v in conn.ls.views.list(project=project_id) if LOCK_KEY not in (field(v, "data") or {})]
    mine = [v for v in views if (field(v, "data") or {}).get("title") == QUEUE_TITLE]
    if mine:
        view_id, stored = int(field(mine[0], "id")), field(mine[0], "data") or {}
        if any(stored.get(key) != value for key, value in data.items()):
            conn.ls.views.update(str(view_id), project=project_id, data=data, request_options=NO_RETRY)
    else:
        view_id = int(field(conn.ls.views.create(project=project_id, data=data, request_options=NO_RETRY), "id"))
    ordered = [int(field(v, "id")) for v in sorted(views, key=lambda v: (field(v, "order") or 0, field(v, "id")))]
    if ordered and ordered[0] != view_id:
        conn.ls.views.update_order(project=project_id, ids=[view_id, *(i for i in ordered if i != view_id)])
    return view_id
