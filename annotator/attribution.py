"""Attribution: cue phrases and reporting verbs, and the source each one hangs on.

Textacy's lesson for quotes applies to every cue: the reporting verb is the cue, its subject
(or the inverted subject of an incise) is the speaker.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from spacy.tokens import Span as SpacySpan, Token

from .quotes import Quote
from .rules import CueRule, Rules, VerbEntry, fold
from .sources import is_pronoun, media_name, phrase, source_label

NEGATIONS = {"pas", "jamais", "guère", "nullement", "aucunement", "ne", "n'"}
SUBJECTS = ("nsubj", "nsubj:pass", "expl:subj")
COMPLEMENTS = ("obj", "ccomp", "xcomp", "obl:arg", "iobj")
VERB_SUFFIXES = ("ent", "es", "e", "ait", "aient", "a", "ée", "ées", "és", "é", "èrent", "ons", "ez")
OPENING_ADVERBS = {"mais", "et", "or", "enfin", "cependant", "toutefois", "ainsi", "pourtant"}
MEDIA_CASES = {"à", "au", "aux", "sur", "dans", "auprès", "par", "de", "du"}


class Found(NamedTuple):
    """A span in token offsets of the paragraph doc; `cue` is the token range of its cue, if any."""

    start: int
    end: int
    label: str
    rule: str
    cue: tuple[int, int] | None = None


def find_attributions(sent: SpacySpan, quotes: list[Quote], rules: Rules) -> Iterator[Found]:
    """Yield the CUE spans of a sentence and the SOURCE spans attached to them."""
    taken: set[int] = set()
    for cue in rules.cues:
        for match in cue.pattern.finditer(sent.text):
            found = list(_cue_phrase(sent, match.start(), match.end(), cue, rules))
            if found:
                taken.update(range(found[0].start, found[0].end))
                yield from found
    for token in sent:
        if token.i in taken:
            continue
        entry = verb_entry(token, rules)
        if entry is None:
            continue
        found = list(_verb_cue(token, entry, sent, quotes, rules))
        if found:
            taken.update(range(found[0].start, found[0].end))
            yield from found


def _cue_phrase(sent: SpacySpan, lo: int, hi: int, cue: CueRule, rules: Rules) -> Iterator[Found]:
    doc = sent.doc
    tokens = [t for t in sent if t.idx >= sent.start_char + lo and t.idx < sent.start_char + hi]
    if not tokens:
        return
    start, end = tokens[0].i, tokens[-1].i + 1
    head = _phrase_head(sent, end) if cue.source == "after" else None
    if "sentence_head" in cue.requires and not _opens_clause(sent, start):
        return
    if "source_head" in cue.requires and not (head is not None and _is_source_word(head, rules)):
        return
    if cue.source == "after" and head is None and cue.label is None:
        if end < sent.end and is_pronoun(doc[end]):
            yield Found(start, end, "CUE", cue.id)
        return
    yield Found(start, end, "CUE", cue.id)
    if cue.source != "after":
        return
    if head is None or (cue.label and head.pos_ not in ("NOUN", "PROPN")):
        rng = _run_until_punct(sent, end)
        if rng:
            yield Found(*rng, cue.label or "SOURCE_ANONYMOUS", cue.id, (start, end))
        return
    rng = phrase(head, lo=end, hi=sent.end)
    if rng and "sentence_head" in cue.requires and not _comma_after(sent, rng[1]):
        return
    if rng:
        label, rule = (cue.label, cue.id) if cue.label else source_label(doc[rng[0]:rng[1]], head, rules)
        yield Found(*rng, label, rule, (start, end))


def _phrase_head(sent: SpacySpan, i: int) -> Token | None:
    """The head noun (or source pronoun) of the phrase that starts at token `i`."""
    for token in sent.doc[i:min(sent.end, i + 6)]:
        if token.is_punct and token.text not in ("'", "’"):
            return None
        if is_pronoun(token) and fold(token.text) != "on":
            return None
        if token.pos_ in ("NOUN", "PROPN", "PRON", "X") or (token.pos_ == "NUM" and token.dep_.startswith("nsubj")):
            return token
    return None


def _run_until_punct(sent: SpacySpan, i: int) -> tuple[int, int] | None:
    end = i
    while end < sent.end and end - i < 8 and not sent.doc[end].is_punct and sent.doc[end].pos_ not in ("VERB", "AUX"):
        end += 1
    return (i, end) if end > i else None


def _opens_clause(sent: SpacySpan, i: int) -> bool:
    before = [t for t in sent.doc[sent.start:i] if not t.is_space]
    return not before or before[-1].text in (",", ";", ":", "—", "-", "–") or all(
        fold(t.text) in OPENING_ADVERBS for t in before)


def _comma_after(sent: SpacySpan, i: int) -> bool:
    return i < sent.end and sent.doc[i].text == ","


def _is_source_word(token: Token, rules: Rules) -> bool:
    lemma = fold(token.lemma_)
    return token.pos_ == "PROPN" or token.ent_type_ in ("PER", "ORG") or lemma in rules.vague_heads or \
        lemma in rules.anonymous_heads or lemma in rules.document_heads or lemma in rules.media_heads or \
        fold(token.text) in rules.vague_heads or media_name(token.text, rules) is not None


def verb_entry(token: Token, rules: Rules) -> VerbEntry | None:
    """The reporting-verb entry of `token`, when it is a finite form of a listed verb."""
    if token.pos_ not in ("VERB", "NOUN", "ADJ", "PROPN") or token.is_punct:
        return None
    nxt = _next_word(token)
    if token.pos_ != "VERB" and not (token.i > 0 and token.nbor(-1).pos_ != "DET" and nxt is not None and (
            fold(nxt.text) in ("que", "qu'") or _after_comma(token) and nxt.pos_ in ("DET", "PROPN", "NOUN"))):
        return None
    if token.pos_ == "VERB" and not _finite(token):
        return None
    for lemma in _lemmas(token):
        for entry in rules.verbs.get(lemma, ()):
            rest = [fold(t.text) for t in token.doc[token.i + 1:token.i + 1 + len(entry.rest)]]
            if tuple(rest) == entry.rest and entry.reflexive == _reflexive(token):
                return entry
    return None


def _lemmas(token: Token) -> list[str]:
    lemma, form = fold(token.lemma_), fold(token.text)
    guesses = [lemma]
    for suffix in VERB_SUFFIXES:
        if form.endswith(suffix) and len(form) > len(suffix) + 2:
            guesses.append(form[: -len(suffix)] + "er")
    return guesses


def _finite(token: Token) -> bool:
    form = token.morph.get("VerbForm")
    if "Fin" in form:
        return True
    return "Part" in form and "Past" in token.morph.get("Tense") and any(
        t.dep_ in ("aux", "aux:tense", "aux:pass") for t in token.children)


def _reflexive(token: Token) -> bool:
    before = [fold(t.text) for t in token.doc[max(0, token.i - 3):token.i]]
    return any(w in ("se", "s'", "me", "m'", "nous", "vous", "te", "t'") for w in before[-3:]) and any(
        t.dep_.startswith("expl") or fold(t.text) in ("se", "s'") for t in token.children) or (
        bool(before) and before[-1] in ("se", "s'") or before[-2:-1] == ["s'"])


def _after_comma(token: Token) -> bool:
    """The token follows a comma or a closing quotation mark: where an incise starts."""
    prev = next((t for t in reversed(token.doc[max(0, token.i - 3):token.i]) if not t.is_space), None)
    return prev is not None and prev.text in (",", "»", "”", '"', "—", "–")


def _next_word(token: Token) -> Token | None:
    for t in token.doc[token.i + 1:token.i + 5]:
        if not (t.is_space or t.pos_ == "ADV" or fold(t.text).startswith("-")):
            return t
    return None


def _group_start(token: Token) -> int:
    """First token of the verb group: auxiliaries and reflexive clitics before the verb."""
    start = token.i
    for child in token.children:
        if child.i < token.i and token.i - child.i <= 6 and (
                child.dep_ in ("aux", "aux:tense", "aux:pass") or child.dep_.startswith("expl")):
            start = min(start, child.i)
    while start > 0 and fold(token.doc[start - 1].text) in ("s'", "se") and start > token.i - 7:
        start -= 1
    return start


def _verb_cue(token: Token, entry: VerbEntry, sent: SpacySpan, quotes: list[Quote],
              rules: Rules) -> Iterator[Found]:
    doc = sent.doc
    start, end = _group_start(token), token.i + 1 + len(entry.rest)
    if any(fold(t.text) in NEGATIONS for t in doc[max(sent.start, start - 2):min(sent.end, end + 1)]):
        return
    subject = _subject(token, start, sent)
    after = doc[end] if end < sent.end else None
    inverted = (subject is not None and subject.i > token.i) or any(
        fold(t.text).startswith("-") for t in doc[start:min(sent.end, end + 1)]) or (
        subject is None and _after_comma(doc[start]) and after is not None and after.pos_ in ("DET", "PROPN", "NOUN"))
    if not any(_holds(take, token, start, end, inverted, sent, quotes) for take in entry.takes):
        return
    yield Found(start, end, "CUE", entry.group)
    if subject is not None and fold(subject.text) in ("qui",) and token.dep_ == "acl:relcl":
        subject = token.head
    if subject is None and inverted:
        subject = next((t for t in doc[end:min(sent.end, end + 4)] if t.pos_ in ("NOUN", "PROPN")), None)
    if subject is not None:
        yield from _source(subject, start, end, sent, rules)
    for child in token.children:
        if child.dep_.startswith("obl") or child.dep_ == "iobj":
            if any(fold(c.text) in MEDIA_CASES for c in child.children if c.dep_ == "case"):
                for found in _source(child, start, end, sent, rules):
                    if found.label in ("SOURCE_MEDIA", "SOURCE_DOCUMENT"):
                        yield found


def _subject(token: Token, start: int, sent: SpacySpan) -> Token | None:
    """The verb's subject; a subject the parser hid behind a parenthetical ("X, lors de ..., a dit")."""
    subject = next((t for t in token.children if t.dep_ in SUBJECTS), None)
    if subject is not None and not any(c.dep_ == "case" for c in subject.children):
        return subject
    doc = sent.doc
    if start - 1 > sent.start and doc[start - 1].text == ",":
        comma = next((t for t in reversed(doc[sent.start:start - 1]) if t.text == ","), None)
        if comma is not None and comma.i > sent.start and doc[comma.i - 1].pos_ in ("PROPN", "NOUN"):
            return doc[comma.i - 1]
    return None


def _source(head: Token, start: int, end: int, sent: SpacySpan, rules: Rules) -> Iterator[Found]:
    if fold(head.text) in ("on", "-on"):
        if not (start <= head.i <= end):
            yield Found(head.i, head.i + 1, "SOURCE_VAGUE", rules.source_ids["vague_heads"], (start, end))
        return
    if is_pronoun(head) or head.is_punct:
        return
    lo, hi = (sent.start, start) if head.i < start else (end, sent.end)
    rng = phrase(head, lo=lo, hi=hi)
    if rng:
        label, rule = source_label(sent.doc[rng[0]:rng[1]], head, rules)
        yield Found(*rng, label, rule, (start, end))


def _holds(take: str, token: Token, start: int, end: int, inverted: bool, sent: SpacySpan,
           quotes: list[Quote]) -> bool:
    """Whether the verb stands in construction `take` (see rules/verbs.yml)."""
    doc = sent.doc
    if take == "any":
        return True
    if take == "object":
        return any(t.dep_ in COMPLEMENTS for t in token.children)
    if take == "que":
        nxt = _next_word(doc[end - 1])
        return (nxt is not None and fold(nxt.text) in ("que", "qu'")) or any(
            t.dep_ == "ccomp" and t.i > token.i for t in token.children)
    lo, hi = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    if take == "incise":
        prev = doc[start - 1] if start > sent.start else None
        return inverted and prev is not None and (prev.text in (",", "»", "”", '"', "—") or _closes_quote(prev, quotes))
    if take == "quote":
        return any(-1 <= lo - q.close <= 4 or (0 <= q.open - hi <= 80 and q.open < sent.end_char)
                   or (q.start <= lo and hi <= q.end and inverted) for q in quotes)
    return False


def _closes_quote(token: Token, quotes: list[Quote]) -> bool:
    return any(q.close == token.idx for q in quotes)
