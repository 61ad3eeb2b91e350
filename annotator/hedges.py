"""Hedges: the journalistic conditional and epistemic modals, one sentence at a time."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from spacy.tokens import Span as SpacySpan, Token

from .morphology import feature
from .rules import Rules, fold, strip_accents

COND_ENDINGS = ("aient", "ais", "ait", "ions", "iez")
FORM_ENDINGS = ("erait", "eraient", "irait", "iraient")
IMPERFECT = ("ait", "aient", "ais", "ions", "iez")
COND_ENDING_R = ("rait", "raient", "rais", "rions", "riez")
AUX_DEPS = ("aux", "aux:tense", "aux:pass", "cop", "aux:caus")
PAST_TENSES = ("Past", "Imp")


def is_conditional(token: Token, rules: Rules) -> bool:
    """spaCy's Mood=Cnd, or a finite form that is the verb's conditional stem plus an ending."""
    if not _bare(token.text).endswith(COND_ENDINGS):
        return False  # no conditional ends otherwise: most tokens skip the morphology lookup
    if "Cnd" in feature(token, "Mood"):
        return True
    form = fold(token.text)
    if token.pos_ in ("NOUN", "ADJ", "ADV") and form.endswith(FORM_ENDINGS) and not form.endswith("trait"):
        return True  # a conditional the tagger missed: "-erait" is no noun or adjective ending
    if token.pos_ not in ("VERB", "AUX"):
        return False
    form = _bare(token.text)
    lemma = fold(token.lemma_)
    stem = rules.conditional["stems"].get(lemma) or (lemma[:-1] if lemma.endswith("re") else lemma)
    stem = strip_accents(stem)
    return any(form == stem + end for end in COND_ENDINGS)


@lru_cache(maxsize=1 << 16)
def _bare(text: str) -> str:
    """Folded, without accents."""
    return strip_accents(fold(text))


def verb_group(token: Token) -> tuple[int, int]:
    """Token range of the verb group a conditional form belongs to (auxiliary ... participle)."""
    head = token.head if token.dep_ in AUX_DEPS and token.head.i > token.i else token
    if head is not token and head.pos_ not in ("VERB", "AUX") and not _en_train(head):
        return token.i, token.i + 1
    end = head.i + 1
    if _en_train(head):
        end = max(t.i for t in head.rights if t.pos_ == "VERB") + 1
    return token.i, end


def _en_train(token: Token) -> bool:
    return fold(token.text) == "train" and any(t.pos_ == "VERB" for t in token.rights)


def find_hedges(sent: SpacySpan, rules: Rules) -> Iterator[tuple[int, int, str, str]]:
    """Yield (start token, end token, label, rule id) for each hedge of the sentence."""
    cond = rules.conditional
    covered = -1
    for token in sent:
        if token.i < covered:
            continue
        lemma = fold(token.lemma_)
        if is_conditional(token, rules):
            if lemma in cond["modal_lemmas"] or _bare(token.text)[:4] in ("pour", "devr"):
                yield token.i, token.i + 1, "HEDGE_MODAL", cond["modal_id"]
                continue
            if lemma in cond["skip_lemmas"] or _polite(token, rules) or _si_hypothesis(sent) or _future_in_past(token):
                continue
            start, end = verb_group(token)
            covered = end
            if fold(token.doc[end - 1].lemma_) in cond["modal_lemmas"]:
                yield start, end, "HEDGE_MODAL", cond["modal_id"]  # "aurait pu", "aurait dû"
                continue
            yield start, end, "HEDGE_CONDITIONAL", cond["id"]
            if lemma in rules.modal_lemmas:
                yield start, end, "HEDGE_MODAL", rules.modal_lemmas[lemma]
        elif lemma in rules.modal_lemmas and token.pos_ in ("VERB", "AUX") and "Fin" in feature(token, "VerbForm"):
            yield token.i, token.i + 1, "HEDGE_MODAL", rules.modal_lemmas[lemma]
        elif fold(token.text) in rules.modal_words:
            yield token.i, token.i + 1, "HEDGE_MODAL", rules.modal_words[fold(token.text)]


def _polite(token: Token, rules: Rules) -> bool:
    return fold(token.lemma_) in rules.conditional["polite_lemmas"] and "1" in feature(token, "Person")


def _si_hypothesis(sent: SpacySpan) -> bool:
    """A `si` clause in the imperfect or pluperfect ("si X trouvait ..., Y conserverait"): the
    conditionals of the sentence are a hypothesis. Read on the surface: the tagger often misses
    the imperfect."""
    doc = sent.doc
    for token in sent:
        if fold(token.text) not in ("si", "s'") or (token.i + 1 < sent.end and token.nbor(1).pos_ == "ADJ"):
            continue
        for t in doc[token.i + 1:min(sent.end, token.i + 12)]:
            if t.text in (",", ";", ":"):
                break
            if "Imp" in feature(t, "Tense") and "Cnd" not in feature(t, "Mood") or (
                    t.pos_ in ("VERB", "AUX") and fold(t.text).endswith(IMPERFECT) and not fold(t.text).endswith(COND_ENDING_R)):
                return True
    return False


def _future_in_past(token: Token) -> bool:
    """A conditional in a que-clause after a verb in a past tense ("ont annoncé qu'il serait",
    "a fait savoir qu'il examinerait"): a future in the past, not hearsay."""
    doc, sent = token.doc, token.sent
    que = None
    for t in reversed(doc[sent.start:token.i]):
        if fold(t.text) in ("que", "qu'"):
            que = t
            break
        if t.pos_ == "VERB" and "Fin" in feature(t, "VerbForm") or t.text in (";", "«", "»"):
            return False
    if que is None:
        return False
    for t in reversed(doc[max(sent.start, que.i - 6):que.i]):
        if t.pos_ == "VERB" and "Fin" in feature(t, "VerbForm"):
            return any(x in PAST_TENSES for x in feature(t, "Tense")) and "Cnd" not in feature(t, "Mood")
        if t.pos_ == "AUX" and "Fin" in feature(t, "VerbForm"):
            return "Pres" in feature(t, "Tense") or any(x in PAST_TENSES for x in feature(t, "Tense"))
    return False
