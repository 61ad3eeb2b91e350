"""Links are optional: pull hangs an added or re-cut SOURCE or QUOTE the analyst left unlinked on the
nearest CUE of its sentence, and leaves the rest as the analyst made it."""
from __future__ import annotations

from annotator.labelstudio.links import with_cue
from annotator.labelstudio.pull import compare, linked

from .conftest import parse_marked

ARTICLE = parse_marked("l1", "[Selon|CUE] la préfecture, le pont est fermé. [Un témoin|SOURCE_ANONYMOUS] "
                             "[a raconté|CUE] à Radio Estuaire que l'eau [a dit|CUE] montait.\n")


def test_an_unlinked_source_hangs_on_the_nearest_cue_of_its_sentence():
    added = ARTICLE.span("Radio Estuaire", "SOURCE_MEDIA")
    linked_to = with_cue(added, [*ARTICLE.spans, added])
    assert ARTICLE.text[linked_to.cue_start:linked_to.cue_end] == "a raconté"  # not "Selon": another sentence


def test_only_added_or_recut_spans_are_linked_and_a_drawn_link_is_kept():
    witness = next(s for s in ARTICLE.spans if s.label == "SOURCE_ANONYMOUS")  # unlinked by the rules, kept
    recut = ARTICLE.span("témoin", "SOURCE_ANONYMOUS")
    drawn = ARTICLE.span("Radio Estuaire", "SOURCE_MEDIA", cue=ARTICLE.span("a dit", "CUE"))
    kept = linked(compare(ARTICLE.spans, [*ARTICLE.spans, drawn]))
    assert {c.change: c.human.cue_start for c in kept if c.human and c.human.label != "CUE"} == {
        "kept": -1, "added": ARTICLE.text.index("a dit")}
    others = [s for s in ARTICLE.spans if s != witness]
    [change] = [c for c in linked(compare(ARTICLE.spans, [*others, recut])) if c.change == "boundary_changed"]
    assert ARTICLE.text[change.human.cue_start:change.human.cue_end] == "a raconté"
