"""Source noun phrases: how far a source reaches, and which of the five SOURCE labels it gets."""
from __future__ import annotations

import re
from typing import Iterator

from spacy.tokens import Span as SpacySpan, Token

from .morphology import feature
from .rules import Rules, fold, lower

# dependents that identify a source and belong to its span ("des diplomates de haut niveau au
# sein du ministère", "Anne Roux, conseillère du maire")
KEEP_RIGHT = {"amod", "nmod", "appos", "flat", "flat:name", "flat:foreign", "fixed", "conj", "cc",
              "nummod", "acl", "compound", "case", "det", "advmod", "obl:mod", "obl:arg"}
PERSONAL_PRONOUNS = {"il", "elle", "ils", "elles", "je", "j'", "nous", "vous", "tu", "lui", "eux", "ce",
                     "cela", "ça", "celui-ci", "celle-ci", "-il", "-elle", "-ils", "-elles", "moi", "toi", "leur",
                     "celui", "celle", "ceux", "celles", "qui", "que", "dont", "lequel", "laquelle"}
MAX_TOKENS = 25
SHARE_WORDS = {"moitié", "tiers", "quart", "majorité", "minorité", "deux", "trois", "quatre"}
ARTICLE = r"(?:l'|le |la |les )"
SMALL_WORDS = {"de", "du", "des", "d'", "la", "le", "les", "l'", "et", "en", "sur", "à", "au", "aux", "of", "the",
               "della", "dello", "del", "di", "y", "und", "der", "die", "das", "el"}
POSSESSIVES = {"son", "sa", "ses", "leur", "leurs", "notre", "nos", "votre", "vos"}
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
        if _possessive_place(child) or _not_of_the_name(head, child):
            break  # "le tribunal dans sa décision": the decision is the tribunal's, not part of its name
        gap = [t for t in head.doc[right:child.i] if t.is_punct]
        if gap and not (child.dep_ == "appos" and all(t.text == "," for t in gap)):
            break
        right = _participle_end(child, hi) if child.dep_ == "acl" else child.right_edge.i + 1
    while right < hi and right - head.i <= 4 and head.pos_ == "NOUN" and head.doc[right].pos_ == "PROPN" and \
            head.doc[right].text[:1].isupper():
        right += 1  # "l'agence britannique Reuters", "le quotidien El Mercurio": the name the parse cut off
    after = head.doc[right] if right < hi else None
    if after is not None and after.pos_ == "VERB" and "Part" in feature(after, "VerbForm") and \
            "Past" in feature(after, "Tense") and not any(t.dep_.startswith("aux") for t in after.children):
        right = _participle_end(after, hi)  # "un communiqué publié mardi par Matignon"
    while left < right and (head.doc[left].is_punct or head.doc[left].is_space or head.doc[left].dep_ == "case"):
        left += 1
    while right > left and (head.doc[right - 1].is_punct or head.doc[right - 1].is_space):
        right -= 1
    if right - left > MAX_TOKENS:
        right = head.i + 1
    return (left, right) if right > left else None


def _not_of_the_name(head: Token, child: Token) -> bool:
    """A proper name is identified by itself: a person after an outlet ("à l'AFP Jean Dupont", the
    inverted subject), a noun phrase juxtaposed without a comma ("sur RTL le ministre") or a
    complement on a topic ("BFMTV sur les propos") is not part of it."""
    if head.pos_ != "PROPN" and not head.text[:1].isupper() or child.dep_ in ("flat:name", "flat", "flat:foreign") and child.ent_type_ == head.ent_type_:
        return False
    cases = {fold(c.text) for c in child.children if c.dep_ == "case"}
    nationality = head.ent_type_ == "LOC" and any(c.dep_ == "det" for c in head.children)  # "le Suisse Jean Dupont"
    return (child.ent_type_ == "PER" and head.ent_type_ != "PER" and not nationality) or (
        child.pos_ in ("NOUN", "PROPN") and not cases and any(c.dep_ == "det" for c in child.children)) or bool(
        cases & {"sur", "pour", "contre", "avec", "par", "à", "au", "aux"})


def _possessive_place(child: Token) -> bool:
    """A complement "dans sa/son/leur ..." ("dans son rapport", "dans leur ordonnance")."""
    words = [fold(t.text) for t in child.doc[child.left_edge.i:child.i]]
    return len(words) >= 2 and words[0] == "dans" and words[1] in POSSESSIVES


def _participle_end(participle: Token, hi: int) -> int:
    end = participle.i + 1
    for child in participle.rights:
        if child.right_edge.i >= hi or child.is_punct or any(t.text == "," for t in child.doc[end:child.i]) or \
                child.dep_ in ("ccomp", "advcl", "parataxis", "conj", "xcomp"):
            break  # "une vidéo publiée sur son compte": not the clause that follows
        end = child.right_edge.i + 1
    return end


def is_pronoun(token: Token) -> bool:
    """A personal, demonstrative or relative pronoun; "leur", "ce" as determiners are none."""
    if token.pos_ == "DET":
        return False
    return fold(token.text) in PERSONAL_PRONOUNS or (token.pos_ == "PRON" and fold(token.text) != "on"
                                                     and fold(token.lemma_) not in ("certain", "plusieurs", "beaucoup")
                                                     and not any(c.isupper() for c in token.text[1:]))  # "LaFNE", "UDI"


def media_name(text: str, rules: Rules, *, context: bool = True) -> str | None:
    """The registry name of an outlet written as `text` (with or without its article). A name
    that is also an ordinary word ("Le Point", "Challenges") counts only when `context` says the
    words around it are a media context, and only written with its capitals."""
    written = text.strip()
    key = fold(written)
    if " ".join(key.split()) in rules.media_contracted:
        key = " ".join(key.split())
    if key in rules.media_contracted and not written[:1].islower():
        alias = next((a for a in ("le " + key, "les " + key) if a in rules.media), key)
        if alias in rules.media_context and not (context and capitalised(written)):
            return None
        return rules.media_contracted[key]
    match = rules.media_pattern.match(key)
    if match is None or match.end() < len(key) and key[match.end()] not in " -":
        return None
    alias = " ".join(fold(match.group("name")).split())  # any spacing: "Le\u00a0Monde"
    name = rules.media[alias][0]
    written = written[match.start("name"):]
    if alias in rules.media_context and not (context and match.start("name") == 0 and match.end() == len(key)
                                              and capitalised(written)):
        return None
    article = re.match(r"(?i)(?:l['’]\s*|les?\s+|la\s+)(?=\w)", written) if re.match(ARTICLE, alias) else None
    first = written[article.end():] if article else written  # "l'AFP", "la BBC": the name's own capital
    return name if not first[:1].islower() or name[:1].islower() else None


def context_only(text: str, rules: Rules) -> bool:
    """The outlet written as `text` has a name that is also an ordinary word ("Le Point")."""
    key = fold(text)
    return bool({key, "le " + key, "les " + key, re.sub(r"^(?:l'|le |la |les )", "", key)} & rules.media_context)


def capitalised(written: str) -> bool:
    """Every word of an outlet's name is capitalised, its small words aside ("Le Point", "L'Express")."""
    words = [w for w in written.replace("’", "'").replace("'", "' ").split() if w[:1].isalpha()]
    return bool(words) and words[0][:1].isupper() and all(
        w[:1].isupper() for w in words[1:] if fold(w) not in SMALL_WORDS)


def media_in(span: SpacySpan, head: Token, rules: Rules) -> bool:
    """An outlet is named inside the phrase, after its head: "l'agence britannique Reuters",
    "l'envoyée spéciale de BFMTV", "sur le plateau de France 2"."""
    key = lower(span.text)
    offset = head.idx + len(head) - span.start_char
    for match in rules.media_search.finditer(key, offset):
        if media_name(span.text[match.start():match.end()], rules):
            return True
    return False


def outlet_in(span: SpacySpan, head: Token, rules: Rules) -> tuple[int, int] | None:
    """Token range of the outlet named after the head ("des informations obtenues par l'AFP"), if any."""
    key = lower(span.text)
    for match in rules.media_search.finditer(key, head.idx + len(head) - span.start_char):
        if media_name(span.text[match.start():match.end()], rules):
            chars = span.char_span(match.start(), match.end(), alignment_mode="expand")
            return (chars.start, chars.end) if chars is not None else None
    return None


def source_label(span: SpacySpan, head: Token, rules: Rules) -> tuple[str, str]:
    """(label, rule id) of a source phrase, checked in the order written in rules/sources.yml."""
    ids = rules.source_ids
    lemma, words = _lemma(head), [fold(t.text) for t in span]
    determiner = next((fold(t.text) for t in span if t.i < head.i and t.pos_ in ("DET", "ADJ", "PRON", "NUM")), "")
    media = _media_label(span, head, lemma, determiner, rules)
    if media:
        return "SOURCE_MEDIA", media
    if lemma in rules.document_heads:
        return "SOURCE_DOCUMENT", ids["document_heads"]
    if lemma in rules.anonymous_heads:
        return "SOURCE_ANONYMOUS", ids["anonymous_heads"]
    if lemma in rules.vague_heads or fold(head.text) in rules.vague_heads:
        return "SOURCE_VAGUE", ids["vague_heads"]
    if determiner in rules.vague_determiners or " ".join(words[:2]) in rules.vague_determiners or _share(words):
        return "SOURCE_VAGUE", ids["vague_determiners"]
    if head.pos_ == "PROPN" or head.ent_type_ or _capitalised(head):
        return "SOURCE_NAMED", "source.named"
    plural = "Plur" in feature(head, "Number")
    if determiner in DEFINITE and not plural or any(t.dep_ in ("appos", "flat:name") and t.pos_ == "PROPN" for t in span):
        return "SOURCE_NAMED", "source.named_role"
    return "SOURCE_ANONYMOUS", "source.unidentified"


def _share(words: list[str]) -> bool:
    """A share of a group, as polls give it: "40 % des Français", "60% des sondés", "deux tiers des"."""
    return len(words) > 2 and (words[0].rstrip("%").replace(",", "").isdigit() or words[0] in SHARE_WORDS) and (
        "des" in words[1:4] or "d'entre" in words[1:4])


def _media_label(span: SpacySpan, head: Token, lemma: str, determiner: str, rules: Rules) -> str | None:
    """The rule id that makes a source phrase a medium, if one does: an outlet's name; a media
    phrase ("l'agence de presse"); a head of `media_qualified` with an outlet after it ("un
    journaliste de Libération"); a media head with a definite article ("le quotidien") whose
    complement, if any, is not something else ("le site de l'usine" is a place)."""
    ids, words = rules.source_ids, rules.source_words
    if media_name(span.text, rules) or media_name(head.text, rules, context=False):
        return ids["media_context"] if context_only(span.text, rules) else ids["media_heads"]
    folded = " " + " ".join(fold(t.text).replace("'", "' ") for t in span).replace("' ", "'") + " "
    if any(f" {p} " in folded for p in words["media_phrases"]):
        return ids["media_phrases"]
    if lemma in words["media_qualified"] and media_in(span, head, rules):
        return ids["media_qualified"]
    if lemma in rules.media_heads and determiner in DEFINITE - POSSESSIVES and not _other_complement(head, span, rules):
        return ids["media_heads"]
    return None


def _other_complement(head: Token, span: SpacySpan, rules: Rules) -> bool:
    """The media head has a complement that is no medium: "le site de l'usine", "le journal de
    bord", "le quotidien au travail" (not "le site du quotidien", "la chaîne d'information")."""
    for child in head.rights:
        if child.i < span.end and child.dep_ in ("nmod", "obl:mod", "flat:name", "compound") and any(
                c.dep_ == "case" for c in child.children):
            sub = span.doc[child.left_edge.i:min(child.right_edge.i + 1, span.end)]
            return not (media_in(sub, child, rules) or media_name(sub.text, rules) or fold(child.lemma_) in
                        rules.media_heads | rules.source_words["media_qualified"] | {"information", "presse", "actualité"})
    return False


def document_channels(sent: SpacySpan, used: set[int], rules: Rules) -> Iterator[tuple[int, int]]:
    """Token ranges of documents that "dans" introduces ("Dans leur ordonnance, les juges ...",
    "a-t-il écrit dans une lettre"): the caller makes sure the sentence holds a cue."""
    doc, words = sent.doc, rules.source_words["document_channel"]
    for token in sent:
        if fold(token.text) != "dans" or token.i in used or token.i + 1 >= sent.end:
            continue
        det = doc[token.i + 1]
        head = next((t for t in doc[det.i + 1:min(sent.end, det.i + 4)] if t.pos_ in ("NOUN", "PROPN", "VERB")), None)
        if det.pos_ != "DET" or head is None or any(t.pos_ not in ("ADJ", "NUM") for t in doc[det.i + 1:head.i]):
            continue
        if fold(head.lemma_) not in words and fold(head.text) not in words:
            continue
        comma = next((t.i for t in doc[head.i:sent.end] if t.text == ","), sent.end)
        rng = phrase(head, lo=det.i, hi=comma)  # not on into "..., Jean Dupont relève"
        if rng and not any(i in used for i in range(*rng)):
            yield rng


def _capitalised(token: Token) -> bool:
    return token.text[:1].isupper() and token.i > token.sent.start and token.pos_ in ("NOUN", "PROPN", "X")


def _lemma(token: Token) -> str:
    lemma = fold(token.lemma_)
    text = fold(token.text)
    return text if text in ("on",) else lemma
