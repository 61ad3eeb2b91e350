"""Source noun phrases: how far a source reaches, and which of the five SOURCE labels it gets."""
from __future__ import annotations

from spacy.tokens import Span as SpacySpan, Token

from .morphology import feature
from .rules import Rules, fold

# dependents that identify a source and belong to its span ("des diplomates de haut niveau au
# sein du ministère", "Anne Roux, conseillère du maire")
KEEP_RIGHT = {"amod", "nmod", "appos", "flat", "flat:name", "flat:foreign", "fixed", "conj", "cc",
              "nummod", "acl", "compound", "case", "det", "advmod", "obl:mod", "obl:arg"}
PERSONAL_PRONOUNS = {"il", "elle", "ils", "elles", "je", "j'", "nous", "vous", "tu", "lui", "eux", "ce",
                     "cela", "ça", "celui-ci", "celle-ci", "-il", "-elle", "-ils", "-elles", "moi", "toi", "leur",
                     "celui", "celle", "ceux", "celles", "qui", "que", "dont", "lequel", "laquelle"}
MAX_TOKENS = 25
DEFINITE = {"le", "la", "l'", "les", "du", "au", "aux", "son", "sa", "ses", "leur", "leurs", "ce", "cet", "cette"}


def phrase(head: Token, *, lo: int, hi: int) -> tuple[int, int] | None:
    """Token range [start, end) of the noun phrase headed by `head`, kept within [lo, hi)."""
    left = head.i
    for child in head.lefts:
        if child.dep_ in ("det", "amod", "nummod", "flat:name", "compound", "case", "advmod") and child.i >= lo:
            left = min(left, child.left_edge.i if child.left_edge.i >= lo else child.i)
    right = head.i + 1
    for child in head.rights:
        if child.dep_ == "punct":
            continue
        if child.dep_ not in KEEP_RIGHT or child.right_edge.i >= hi or (
                child.dep_ == "acl" and "Part" not in feature(child, "VerbForm")):
            break
        gap = [t for t in head.doc[right:child.i] if t.is_punct]
        if gap and not (child.dep_ == "appos" and all(t.text == "," for t in gap)):
            break
        right = child.right_edge.i + 1
    after = head.doc[right] if right < hi else None
    if after is not None and after.pos_ == "VERB" and "Part" in feature(after, "VerbForm") and \
            "Past" in feature(after, "Tense") and not any(t.dep_.startswith("aux") for t in after.children):
        right = _participle_end(after, hi)  # "un communiqué diffusé jeudi par l'Élysée"
    while left < right and (head.doc[left].is_punct or head.doc[left].is_space or head.doc[left].dep_ == "case"):
        left += 1
    while right > left and (head.doc[right - 1].is_punct or head.doc[right - 1].is_space):
        right -= 1
    if right - left > MAX_TOKENS:
        right = head.i + 1
    return (left, right) if right > left else None


def _participle_end(participle: Token, hi: int) -> int:
    end = participle.i + 1
    for child in participle.rights:
        if child.right_edge.i >= hi or child.is_punct or any(t.text == "," for t in child.doc[end:child.i]):
            break
        end = child.right_edge.i + 1
    return end


def is_pronoun(token: Token) -> bool:
    return fold(token.text) in PERSONAL_PRONOUNS or (token.pos_ == "PRON" and fold(token.text) != "on"
                                                     and fold(token.lemma_) not in ("certain", "plusieurs", "beaucoup"))


def media_name(text: str, rules: Rules) -> str | None:
    """The registry name of an outlet written as `text` (with or without its article)."""
    key = fold(text)
    if key in rules.media_contracted and not text.strip()[:1].islower():
        return rules.media_contracted[key]
    match = rules.media_pattern.match(key)
    if match is None or match.end() < len(key) and key[match.end()] not in " -":
        return None
    name = rules.media[fold(match.group("name"))][0]
    written = text.strip()[match.start("name"):]
    return name if not written[:1].islower() or name[:1].islower() else None


def source_label(span: SpacySpan, head: Token, rules: Rules) -> tuple[str, str]:
    """(label, rule id) of a source phrase, checked in the order written in rules/sources.yml."""
    ids = rules.source_ids
    lemma, words = _lemma(head), [fold(t.text) for t in span]
    determiner = next((fold(t.text) for t in span if t.i < head.i and t.pos_ in ("DET", "ADJ", "PRON", "NUM")), "")
    if media_name(span.text, rules) or media_name(head.text, rules) or (
            lemma in rules.media_heads and determiner in DEFINITE):
        return "SOURCE_MEDIA", ids["media_heads"]
    if lemma in rules.document_heads:
        return "SOURCE_DOCUMENT", ids["document_heads"]
    if lemma in rules.anonymous_heads:
        return "SOURCE_ANONYMOUS", ids["anonymous_heads"]
    if lemma in rules.vague_heads or fold(head.text) in rules.vague_heads:
        return "SOURCE_VAGUE", ids["vague_heads"]
    if determiner in rules.vague_determiners or " ".join(words[:2]) in rules.vague_determiners:
        return "SOURCE_VAGUE", ids["vague_determiners"]
    if head.pos_ == "PROPN" or head.ent_type_ or _capitalised(head):
        return "SOURCE_NAMED", "source.named"
    plural = "Plur" in feature(head, "Number")
    if determiner in DEFINITE and not plural or any(t.dep_ in ("appos", "flat:name") and t.pos_ == "PROPN" for t in span):
        return "SOURCE_NAMED", "source.named_role"
    return "SOURCE_ANONYMOUS", "source.unidentified"


def _capitalised(token: Token) -> bool:
    return token.text[:1].isupper() and token.i > token.sent.start and token.pos_ in ("NOUN", "PROPN", "X")


def _lemma(token: Token) -> str:
    lemma = fold(token.lemma_)
    text = fold(token.text)
    return text if text in ("on",) else lemma
