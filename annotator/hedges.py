"""Hedges: the journalistic conditional and epistemic modals, one sentence at a time."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from spacy.tokens import Span as SpacySpan, Token

from .morphology import feature
from .rules import Rules, fold, lower, phrase_pattern, strip_accents

COND_ENDINGS = ("aient", "ais", "ait", "ions", "iez")
FORM_ENDINGS = ("erait", "eraient", "irait", "iraient")
IMPERFECT = ("ait", "aient", "ais", "ions", "iez")
COND_ENDING_R = ("rait", "raient", "rais", "rions", "riez")
NOT_IMPERFECT = ("fait", "faits", "trait", "traits")  # present tense or participle: "s'il fait beau"
AUX_DEPS = ("aux", "aux:tense", "aux:pass", "cop", "aux:caus")
PAST_TENSES = ("Past", "Imp")
SUBJECT_DEPS = ("nsubj", "nsubj:pass", "expl:subj")
# subjects that make a conditional the speaker's own, not hearsay ("je serais", "vous pourriez")
SPEAKER_SUBJECTS = ("je", "j'", "tu", "nous", "vous")
# subjects of pouvoir that may be agents able to act ("ils peuvent avoir accès")
AGENT_PRONOUNS = SPEAKER_SUBJECTS + ("on", "il", "elle", "ils", "elles")


def is_conditional(token: Token, rules: Rules) -> bool:
    """spaCy's Mood=Cnd, or a finite form that is the verb's conditional stem plus an ending."""
    if not _bare(token.text).endswith(COND_ENDING_R):
        return False  # every conditional ends in -r + ending ("-ais" alone is the imperfect)
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
    yield from _modal_phrases(sent, rules)
    covered = -1
    for token in sent:
        if token.i < covered:
            continue
        lemma = fold(token.lemma_)
        if is_conditional(token, rules):
            if lemma in cond["modal_lemmas"] or _bare(token.text)[:4] in ("pour", "devr"):
                if not (_bare(token.text)[:4] == "devr" and _speaker(token)):  # "tu devrais": advice
                    yield token.i, token.i + 1, "HEDGE_MODAL", cond["modal_id"]
                continue
            if _not_hearsay(token, sent, rules):
                continue
            start, end = verb_group(token)
            covered = end
            if fold(token.doc[end - 1].lemma_) in cond["modal_lemmas"] and lemma == "avoir":
                yield start, end, "HEDGE_MODAL", cond["modal_id"]  # "aurait pu", "aurait dû", not "serait dû à"
                continue
            yield start, end, "HEDGE_CONDITIONAL", cond["id"]
            if lemma in rules.modal_lemmas:
                yield start, end, "HEDGE_MODAL", rules.modal_lemmas[lemma]
        elif lemma in rules.possibility.get("lemmas", ()) and token.pos_ in ("VERB", "AUX"):
            start = _possibility(token, rules)
            if start is not None:
                yield start, token.i + 1, "HEDGE_MODAL", rules.possibility["id"]
        elif lemma in rules.modal_lemmas and token.pos_ in ("VERB", "AUX") and "Fin" in feature(token, "VerbForm"):
            yield token.i, token.i + 1, "HEDGE_MODAL", rules.modal_lemmas[lemma]
        elif fold(token.text) in rules.modal_words:
            yield token.i, token.i + 1, "HEDGE_MODAL", rules.modal_words[fold(token.text)]


def _modal_phrases(sent: SpacySpan, rules: Rules) -> Iterator[tuple[int, int, str, str]]:
    """The modal words of several tokens ("sans doute", "a priori", "il se peut")."""
    for m in rules.modal_phrases.finditer(lower(sent.text)):
        span = sent.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            rule = rules.modal_words.get(fold(" ".join(m.group().split())), "hedge.modal.word")
            yield span.start, span.end, "HEDGE_MODAL", rule


def _not_hearsay(token: Token, sent: SpacySpan, rules: Rules) -> bool:
    """A conditional that is no journalistic conditional: a verb that is never hearsay ("il
    faudrait"), a polite form, the speaker's own ("je serais", "ce serait une erreur", "il serait
    bon de"), a hypothesis ("si", "en cas de") or a future in the past."""
    return (fold(token.lemma_) in rules.conditional["skip_lemmas"] or _polite(token, rules)
            or _speaker(token) or _evaluative(token, rules) or _si_hypothesis(sent)
            or _after_hypothesis(token, sent, rules) or _future_in_past(token))


def _subjects(token: Token) -> list[Token]:
    head = token.head if token.dep_ in AUX_DEPS else token
    return [c for c in head.children if c.dep_ in SUBJECT_DEPS]


def _speaker(token: Token) -> bool:
    """First or second person: the speaker's own hypothesis, wish or advice."""
    if any(p in ("1", "2") for p in feature(token, "Person")):
        return True
    return any(fold(s.text) in SPEAKER_SUBJECTS for s in _subjects(token))


def _evaluative(token: Token, rules: Rules) -> bool:
    """"ce serait une erreur", "cela serait utile", "il serait bon de": a judgement, not hearsay."""
    if fold(token.lemma_) != "être":
        return False
    subjects = _subjects(token)
    if any(fold(s.text) in rules.conditional.get("evaluative_subjects", ()) for s in subjects):
        return True
    return token.dep_ == "cop" and token.head.pos_ == "ADJ" and any(s.dep_ == "expl:subj" for s in subjects)


def _after_hypothesis(token: Token, sent: SpacySpan, rules: Rules) -> bool:
    """A hypothesis phrase ("en cas de", "dans l'hypothèse", "sinon") before the conditional."""
    pattern = _pattern(tuple(rules.conditional.get("hypothesis_phrases", ())))
    m = pattern.search(lower(sent.text), 0, token.idx - sent.start_char) if pattern else None
    return m is not None


def _infinitive(verb: Token) -> str:
    """The infinitive as listed: "se produire", "s'agir", "y avoir" with the pronoun before it."""
    lemma = fold(verb.lemma_)
    before = {fold(c.text) for c in verb.children if c.i < verb.i}
    if before & {"se", "s'"}:
        return ("s'" if strip_accents(lemma)[:1] in "aeiouyh" else "se ") + lemma
    return "y " + lemma if "y" in before else lemma


def _infinitives(rules: Rules) -> frozenset[str]:
    return _folded(tuple(rules.possibility.get("infinitives", ())))


@lru_cache(maxsize=8)
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


@lru_cache(maxsize=8)
def _pattern(phrases: tuple[str, ...]):
    return phrase_pattern(list(phrases)) if phrases else None


def _possibility(token: Token, rules: Rules) -> int | None:
    """First token of an epistemic pouvoir outside the conditional ("peut atteindre", "a pu
    peser", "ayant pu blesser", "a pu être informé"), or None for an ability or a permission."""
    verb = next((c for c in token.children if c.dep_ == "xcomp" and c.i > token.i and c.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        return None
    past = fold(token.text) == "pu"
    passive = past and any(c.dep_ == "aux:pass" for c in verb.children)  # "a pu être informé"
    if _infinitive(verb) not in _infinitives(rules) and not passive:
        return None
    for s in () if passive else token.children:  # an agent is able to act; a patient is not
        if s.dep_ in ("nsubj", "nsubj:pass") and (fold(s.text) in AGENT_PRONOUNS or s.pos_ == "PROPN"
                                                 or fold(s.lemma_) in rules.people_heads
                                                 or fold(s.lemma_) in rules.anonymous_heads):
            return None
    if not past:
        return token.i if "Fin" in feature(token, "VerbForm") else None
    aux = [c.i for c in token.children if c.dep_ == "aux:tense" and c.i < token.i]
    return min(aux) if aux else None


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
            if "Imp" in feature(t, "Tense") and "Cnd" not in feature(t, "Mood") or _imperfect(t):
                return True
    return False


def _imperfect(token: Token) -> bool:
    """An imperfect read on the surface (the tagger takes some for adverbs, adjectives or nouns):
    "-ait", "-aient" without the conditional's r, and not "fait" or "trait"; no noun ends in "-aient"."""
    form = _bare(token.text)
    return ((token.pos_ in ("VERB", "AUX", "ADV", "ADJ") or form.endswith("aient")) and form.endswith(IMPERFECT)
            and not form.endswith(COND_ENDING_R + NOT_IMPERFECT) and len(form) > 4)


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
