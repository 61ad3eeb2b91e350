"""`--fast` cuts each paragraph into stretches of consecutive sentences, found by the model's small
sentence segmenter: the stretches the pre-filter (`triage.Triage`) flags are parsed and matched as
texts of their own, the others keep their sentences and are never parsed."""
from __future__ import annotations

from typing import Callable, NamedTuple

from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from .triage import Triage


class Stretch(NamedTuple):
    """Consecutive sentences of a paragraph, in character offsets of the article."""

    start: int
    end: int
    parse: bool
    sentences: list[tuple[int, int]]
    quotes: list[tuple[int, int]]  # unparsed stretches: the QUOTE spans found by text alone


def sentence_splitter(nlp: Language) -> Callable[[Doc], Doc]:
    """The pipeline's own `senter` (disabled in the French models, but loaded; it has its own tiny
    tok2vec), or a punctuation sentencizer for a model without one."""
    return nlp.get_pipe("senter") if "senter" in nlp.component_names else Sentencizer()


def stretches(doc: Doc, offset: int, triage: Triage) -> list[Stretch]:
    """The stretches of a tokenized, segmented paragraph that begins at `offset` in its article."""
    sents = list(doc.sents)
    flags, quotes = triage.needs_parse(sents, doc.text)
    out: list[Stretch] = []
    for sent, parse in zip(sents, flags):
        bounds = (offset + sent.start_char, offset + sent.end_char)
        if out and out[-1].parse == parse:
            out[-1].sentences.append(bounds)
            out[-1] = out[-1]._replace(end=bounds[1])
        else:
            out.append(Stretch(*bounds, parse, [bounds], []))
    for q in quotes:  # each in the unparsed stretch where it begins
        stretch = [s for s in out if s.start <= offset + q.start][-1]
        stretch.quotes.append((offset + q.start, offset + q.end))
    return out
