"""Attribution: cue phrases and reporting verbs, and the source each one hangs on.

Textacy's lesson for quotes applies to every cue: the reporting verb is the cue, its subject
(or the inverted subject of an incise) is the speaker. The small French model often mis-tags
verbs and subjects, so each parse-based decision has a surface fallback next to it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator, NamedTuple

from spacy.tokens import Span as SpacySpan, Token

from .morphology import feature
from .quotes import Quote
from .rules import CueRule, Rules, VerbEntry, fold, lower
from .sources import context_only, document_channels, is_pronoun, media_name, outlet_in, phrase, source_label

NEGATIONS = {"pas", "jamais", "guère", "nullement", "aucunement", "ne", "n'"}
SUBJECTS = ("nsubj", "nsubj:pass", "expl:subj")
COMPLEMENTS = ("obj", "ccomp", "xcomp", "obl:arg", "iobj")
OPENING_WORDS = {"mais", "et", "or", "enfin", "cependant", "toutefois", "ainsi", "pourtant", "donc"}
CHANNEL_CASES = {"à", "au", "aux", "sur", "dans", "auprès", "par"}
QUOTE_CLOSERS = ("»", "”", '"')
INCISE_OPENERS = (",", "—", "–", *QUOTE_CLOSERS)
PEOPLE_QUANTIFIERS = {"certains", "certaines", "plusieurs", "nombreux", "nombreuses", "beaucoup", "quelques"}
NOT_VERB_BEFORE = ("DET", "ADP")
SUBJECT_PRONOUNS = {"il", "ils", "elle", "elles", "on", "ce", "c'", "cela", "ça"}  # "qu'il qualifie": not the group
CLAUSE_WORDS = {"qui", "que", "qu'", "dont", "lequel", "laquelle", "lesquels", "lesquelles", "où", "mais"}
MAX_AFTER_CUE = 16
TIME_WORDS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "février",
              "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre",
              "matin", "soir", "midi", "après-midi", "nuit", "hier", "aujourd'hui", "dernier", "dernière", "prochain",
              "semaine", "week-end", "mois", "année", "lors"}
OWN_OUTLET = {"nos", "notre"}  # "selon nos informations": the outlet cites itself, no source
ANAPHORS = {"dernier", "dernière", "derniers", "dernières"}
INFINITIVE_ENDINGS = ("er", "ir", "re")
ER_ENDINGS = ("ent", "es", "e", "ait", "aient", "a", "ée", "ées", "és", "é", "èrent", "ons", "ez")


class Found(NamedTuple):
    """A span in token offsets of the paragraph doc; `cue` is the token range of its cue, if any."""

    start: int
    end: int
    label: str
    rule: str
    cue: tuple[int, int] | None = None


def find_attributions(sent: SpacySpan, text: str, quotes: list[Quote], rules: Rules) -> Iterator[Found]:
    """Yield the CUE spans of a sentence, whose text is `text`, and the SOURCE spans attached to
    them (`text` is a slice of the paragraph's: `sent.text` rebuilds it token by token)."""
    found: list[Found] = []
    taken: set[int] = set()
    low = lower(text)
    phrases = [(cue, m.start(), m.end()) for cue in rules.cues if cue.emit_cue for m in cue.pattern.finditer(low)]
    stops = {sent.start_char + start for _, start, _ in phrases}
    for cue, start, end in phrases:
        _add(found, taken, _cue_phrase(sent, start, end, cue, rules, stops))
    idioms = {t.i for m in rules.not_cues.finditer(low) for t in sent
              if sent.start_char + m.start() <= t.idx < sent.start_char + m.end()}
    for token in sent:
        if token.i not in taken and token.i not in idioms:
            entry = verb_entry(token, rules)
            if entry is not None:
                _add(found, taken, _verb_cue(token, entry, sent, quotes, rules))
    cues = [f for f in found if f.label == "CUE"]
    for cue in (c for c in rules.cues if not c.emit_cue):
        for match in cue.pattern.finditer(low):
            after = [f for f in cues if sent.doc[f.start].idx - sent.start_char < match.start()]
            if after or "after_cue" not in cue.requires:
                _add(found, taken, (f for f in _cue_phrase(sent, match.start(), match.end(), cue, rules, stops)
                                    if f.label != "CUE" and not set(range(f.start, f.end)) & taken))
    if cues:
        _add(found, taken, _media_channels(sent, text, low, taken, rules))
    else:
        _add(found, taken, _colon_speaker(sent, quotes, rules))
    yield from found


def _add(found: list[Found], taken: set[int], new: Iterator[Found]) -> None:
    seen = {(f.start, f.end, f.label) for f in found}
    items = [f for f in new if (f.start, f.end, f.label) not in seen]  # one source of two cues
    found.extend(items)
    for f in items:
        taken.update(range(f.start, f.end))


# --- cue phrases: "selon", "d'après", "de source", "citant", "pour" ---------------------------

def _cue_phrase(sent: SpacySpan, lo: int, hi: int, cue: CueRule, rules: Rules, stops: set[int]) -> Iterator[Found]:
    doc = sent.doc
    tokens = [t for t in sent if sent.start_char + lo <= t.idx < sent.start_char + hi]
    if not tokens:
        return
    start, end = tokens[0].i, tokens[-1].i + 1
    if "sentence_head" in cue.requires and not _opens_sentence(sent, start):
        return
    head = _phrase_head(sent, end) if cue.source == "after" else None
    if "source_head" in cue.requires and not (head is not None and _is_source_word(head, rules)):
        return
    if _manner(sent, start, end, head, rules) or (
            head is not None and head.text.islower() and fold(head.lemma_) in cue.not_heads):
        return
    rng = None
    if head is not None:
        rng = _phrase_after(sent, end, stops) or phrase(head, lo=end, hi=sent.end)
    elif cue.label and cue.source == "after":
        rng = _run_until_punct(sent, end)  # "de source policière": the rest is the source
    if cue.source == "after" and rng is None and not (end < sent.end and is_pronoun(doc[end])):
        return
    if rng is not None and fold(doc[rng[0]].text) in OWN_OUTLET:
        rng = None
    if "sentence_head" in cue.requires and (rng is None or rng[1] >= sent.end or doc[rng[1]].text != ","):
        return
    yield Found(start, end, "CUE", cue.id)
    if rng is not None:
        label, rule = (cue.label, cue.id) if cue.label else source_label(doc[rng[0]:rng[1]], head, rules)
        outlet = outlet_in(doc[rng[0]:rng[1]], head, rules) if label == "SOURCE_MEDIA" and head is not None and \
            fold(head.lemma_) in rules.source_words["media_carried"] else None
        if outlet is not None:
            rng, rule = outlet, rules.source_ids["media_carried"]
        yield Found(*rng, label, rule, (start, end))


def _manner(sent: SpacySpan, start: int, end: int, head: Token | None, rules: Rules) -> bool:
    """"calculée selon ses résultats", "varie selon la saison", "pour joindre": the cue word
    says how or why, not who; a cue right after a verb or adjective, or before an infinitive."""
    doc = sent.doc
    before = doc[start - 1] if start > sent.start else None
    if before is not None and before.pos_ in ("VERB", "ADJ") and not (head is not None and head.pos_ == "PROPN"):
        return True
    nxt = doc[end] if end < sent.end else None
    return nxt is not None and ("Inf" in feature(nxt, "VerbForm") or nxt.text.islower() and nxt.pos_ not in (
        "DET", "NOUN", "PRON", "ADJ", "NUM") and fold(nxt.text).endswith(("er", "ir", "re")))


def _phrase_head(sent: SpacySpan, i: int) -> Token | None:
    """The head noun of the phrase that starts at token `i` (None for a pronoun or no phrase)."""
    for token in sent.doc[i:min(sent.end, i + 6)]:
        if token.is_punct or token.pos_ in ("VERB", "AUX") or (is_pronoun(token) and fold(token.text) != "on"):
            return None
        if token.pos_ in ("NOUN", "PROPN", "X") or (token.pos_ == "PRON" and not is_pronoun(token)):
            return token
    return None


def _phrase_after(sent: SpacySpan, i: int, stops: set[int]) -> tuple[int, int] | None:
    """The words after a cue phrase up to the end of its clause: the parse of "selon un
    communiqué publié mardi par Matignon" is too often wrong to follow."""
    end = i
    for token in sent.doc[i:sent.end]:
        finite = token.pos_ in ("VERB", "AUX") and "Fin" in feature(token, "VerbForm")
        if token.is_punct or finite or fold(token.text) in CLAUSE_WORDS or end - i >= MAX_AFTER_CUE or (
                token.idx in stops and token.i > i):
            break
        end = token.i + 1
    return (i, end) if end > i and end - i < MAX_AFTER_CUE else None


def _run_until_punct(sent: SpacySpan, i: int) -> tuple[int, int] | None:
    end = i
    while end < sent.end and end - i < 8 and not sent.doc[end].is_punct and sent.doc[end].pos_ not in ("VERB", "AUX"):
        end += 1
    return (i, end) if end > i else None


def _opens_sentence(sent: SpacySpan, i: int) -> bool:
    return all(t.is_punct or t.is_space or fold(t.text) in OPENING_WORDS for t in sent.doc[sent.start:i])


def _is_source_word(token: Token, rules: Rules) -> bool:
    lemma = fold(token.lemma_)
    quantified = any(fold(t.text) in PEOPLE_QUANTIFIERS for t in token.lefts)
    return quantified or lemma in rules.people_heads or fold(token.text) in rules.people_heads or token.pos_ == "PROPN" or token.ent_type_ in ("PER", "ORG") or lemma in rules.vague_heads \
        or lemma in rules.anonymous_heads or lemma in rules.document_heads or lemma in rules.media_heads \
        or fold(token.text) in rules.vague_heads or media_name(token.text, rules) is not None


# --- reporting verbs ------------------------------------------------------------------------

def verb_entry(token: Token, rules: Rules) -> VerbEntry | None:
    """The reporting-verb entry of `token`, when it is a usable form of a listed verb."""
    if token.pos_ in ("PUNCT", "DET", "ADP", "CCONJ", "SCONJ", "PRON", "NUM", "SPACE") or (
            token.pos_ == "AUX" and token.lemma_ in ("être", "avoir")):
        return None
    form = fold(token.text)
    guesses = rules.verb_forms(form) if rules.verb_forms else ()
    if token.pos_ in ("VERB", "AUX"):
        if not _usable_verb(token):
            return None
        lemmas = (fold(token.lemma_), *guesses, *_er_guesses(form))
    elif _verb_slot(token) and (guesses or _object_follows(token)):
        # a verb the tagger took for a noun or an adjective: "Bloomberg rapporte", "le maire critique la"
        lemmas = (*guesses, *(_er_guesses(form) if _object_follows(token) else ()))
    else:
        return None
    for lemma in lemmas:
        for entry in rules.verbs.get(lemma, ()):
            if _rest_end(token, entry.rest) is not None and entry.reflexive == _reflexive(token):
                return entry
    return None


def _rest_end(token: Token, rest: tuple[str, ...]) -> int | None:
    """End of a multiword verb whose words after the verb are `rest` ("prendre position"), an adverb
    allowed before them ("prend publiquement position"); None when they do not follow."""
    i = token.i + 1
    if not rest:
        return i
    if i < len(token.doc) - 1 and token.doc[i].pos_ == "ADV" and fold(token.doc[i].text) != rest[0]:
        i += 1
    return i + len(rest) if tuple(fold(t.text) for t in token.doc[i:i + len(rest)]) == rest else None


@lru_cache(maxsize=1 << 16)
def _er_guesses(form: str) -> tuple[str, ...]:
    """Infinitives of a first-group verb that `form` could be ("murmure" -> "murmurer")."""
    stems = [form[: -len(end)] for end in ER_ENDINGS if form.endswith(end) and len(form) > len(end) + 2]
    # "espèrent" -> "espérer", "achète" -> "acheter": the stem's è is é or e in the infinitive
    stems += [stem[:i] + accent + stem[i + 1:] for stem in stems if "è" in stem
              for i in (stem.rindex("è"),) for accent in ("é", "e")]
    return tuple(stem + "er" for stem in stems)


def _usable_verb(token: Token) -> bool:
    """Finite, a compound past with a finite auxiliary, a present participle, or a past
    participle with an agent ("des chiffres confirmés par la préfecture")."""
    form, tense = feature(token, "VerbForm"), feature(token, "Tense")
    if "Fin" in form or ("Part" in form and "Pres" in tense) or _mistagged_infinitive(token) or \
            _mistagged_participle(token):
        return True
    return "Part" in form and (any(t.dep_ in ("aux", "aux:tense", "aux:pass") and "Fin" in feature(t, "VerbForm")
                                   for t in token.children) or _agent(token) is not None)


def _mistagged_infinitive(token: Token) -> bool:
    """The tagger called a finite form an infinitive ("..., promet le patron"): its text is not
    the infinitive and ends like no infinitive."""
    form = fold(token.text)
    return "Inf" in feature(token, "VerbForm") and form != fold(token.lemma_) and not form.endswith(INFINITIVE_ENDINGS)


def _mistagged_participle(token: Token) -> bool:
    """The tagger called a present form of a first-group verb a past participle ("Le Monde cite")."""
    return "Part" in feature(token, "VerbForm") and "Past" in feature(token, "Tense") and \
        fold(token.lemma_).endswith("er") and not fold(token.text).endswith(("é", "ée", "és", "ées"))


def _agent(token: Token) -> Token | None:
    """The agent of a passive verb: "confirmé par une source judiciaire" -> "source"."""
    # the parser may hang "par X" on an adverb: "prévenue deux fois auparavant par X"
    near = [token, *(c for c in token.children if c.pos_ == "ADV")]
    for child in (c for t in near for c in t.children):
        if child.i > token.i and (child.dep_ == "obl:agent" or child.dep_.startswith("obl") and any(
                fold(c.text) == "par" for c in child.children if c.dep_ == "case")):
            return child
    return None


def _verb_slot(token: Token) -> bool:
    """A mis-tagged word stands where a verb would: after a subject, a comma, a quotation or
    "comme le" ("comme le rapporte X")."""
    if token.i == 0 or token.text[:1].isupper():
        return False
    if _as_clause(token.doc, token.i):
        return True
    prev = token.nbor(-1)
    return prev.pos_ not in NOT_VERB_BEFORE and (
        prev.pos_ in ("NOUN", "PROPN", "PRON", "ADV", "AUX") or prev.text in INCISE_OPENERS)


def _object_follows(token: Token) -> bool:
    """A determiner, a name or a que-clause follows: the word stands where a verb's object does."""
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return nxt is not None and (nxt.pos_ in ("DET", "PROPN") or fold(nxt.text) in ("que", "qu'"))


def _as_clause(doc, start: int) -> bool:
    """The verb group starting at `start` follows "comme le" / "comme l'": "comme le rapporte
    X", "comme l'a souligné X" report X's words, with X after the verb."""
    return start >= 2 and fold(doc[start - 1].text) in ("le", "l'") and fold(doc[start - 2].text) == "comme"


def _reflexive(token: Token) -> bool:
    before = [fold(t.text) for t in token.doc[max(0, token.i - 3):token.i]]
    return "s'" in before or (bool(before) and before[-1] == "se") or any(
        t.dep_.startswith("expl") and fold(t.text) in ("se", "s'") for t in token.children)


def _next_word(token: Token) -> Token | None:
    for t in token.doc[token.i + 1:token.i + 5]:
        if not (t.is_space or t.pos_ == "ADV" or fold(t.text).startswith("-")):
            return t
    return None


def _after_comma(token: Token) -> bool:
    """The token follows a comma or a closing quotation mark: where an incise starts."""
    prev = next((t for t in reversed(token.doc[max(0, token.i - 3):token.i]) if not t.is_space), None)
    return prev is not None and prev.text in INCISE_OPENERS


def _group_start(token: Token) -> int:
    """First token of the verb group: auxiliaries and reflexive clitics before the verb."""
    start = token.i
    for child in token.children:
        if child.i < token.i and token.i - child.i <= 6 and (
                child.dep_ in ("aux", "aux:tense", "aux:pass") and child.pos_ == "AUX" or child.dep_.startswith("expl")
                and fold(child.text) not in SUBJECT_PRONOUNS):
            start = min(start, child.i)
    doc = token.doc
    while start > 0 and token.i - start < 6 and (
            doc[start - 1].pos_ == "AUX" and doc[start - 1].lemma_ in ("avoir", "être")
            or fold(doc[start - 1].text) in ("s'", "se") or doc[start - 1].text.startswith("-")):
        start -= 1
    while doc[start].text.startswith("-") and start < token.i:
        start += 1  # "-t-il" belongs to the group only after its auxiliary
    return start


def _verb_cue(token: Token, entry: VerbEntry, sent: SpacySpan, quotes: list[Quote],
              rules: Rules) -> Iterator[Found]:
    doc = sent.doc
    start, end = _group_start(token), _rest_end(token, entry.rest)
    if any(fold(t.text) in NEGATIONS for t in doc[max(sent.start, start - 2):min(sent.end, end + 1)]):
        return
    if _passive(token) or (
            "Part" in feature(token, "VerbForm") and "Past" in feature(token, "Tense") and token.dep_ == "acl"
            and not any(t.dep_.startswith("aux") for t in token.children) and not _mistagged_participle(token)):
        yield from _passive_cue(token, entry, start, end, sent, rules)
        return
    if _as_clause(doc, start):
        subject = _inverted_subject(_past_adjuncts(end, sent), sent)
        if subject is None:
            return
        yield Found(start, end, "CUE", entry.group)
        yield from _source(subject, start, end, sent, rules)
        return
    subject, inverted = _subject(token, start, end, sent)
    takes = {"que", "quote"} if "Pres" in feature(token, "Tense") and \
        "Part" in feature(token, "VerbForm") else entry.takes
    if not any(_holds(take, token, start, end, inverted, sent, quotes) for take in takes):
        return
    yield Found(start, end, "CUE", entry.group)
    if "subject" in entry.sources and subject is not None:
        yield from _source(subject, start, end, sent, rules)
    for child in token.children:
        is_object = "object" in entry.sources and (child.dep_ == "obj" or child.i > token.i and child.dep_.startswith(
            "obl") and fold(child.text) not in TIME_WORDS and not any(c.dep_ == "case" for c in child.children))
        # "cite un courriel", parsed as an oblique
        channel = (child.dep_.startswith("obl") or child.dep_ == "iobj") and any(
            fold(c.text) in CHANNEL_CASES for c in child.children if c.dep_ == "case")
        for found in _source(child, start, end, sent, rules) if is_object or channel else ():
            if is_object or found.label in ("SOURCE_MEDIA", "SOURCE_DOCUMENT"):
                yield found


def _passive(token: Token) -> bool:
    """A past participle with être that is not reflexive ("était informée", "a été confirmé"):
    reporting verbs take être only in the passive."""
    return any(t.dep_ == "aux:pass" for t in token.children) or (
        "Part" in feature(token, "VerbForm") and "Past" in feature(token, "Tense") and not _reflexive(token)
        and any(t.lemma_ == "être" and t.dep_ in ("aux", "aux:tense", "cop") for t in token.children))


def _passive_cue(token: Token, entry: VerbEntry, start: int, end: int, sent: SpacySpan,
                 rules: Rules) -> Iterator[Found]:
    """A passive reporting verb is a cue when its group takes `passive` and its agent says who
    spoke ("confirmé par le parquet"), or takes `assessment` and it assesses ("estimé à",
    "présenté comme", "accusé de"); "les résultats seraient proclamés" reports no one's words."""
    agent = _agent(token)
    if not ("assessment" in entry.takes and _assessment_follows(token, sent)
            or "passive" in entry.takes and agent is not None):
        return
    yield Found(start, end, "CUE", entry.group)
    if agent is not None:
        yield from _source(agent, start, end, sent, rules)
    for child in token.children:
        if child is not agent and (child.dep_.startswith("obl") or child.dep_ == "iobj") and any(
                fold(c.text) in CHANNEL_CASES for c in child.children if c.dep_ == "case"):
            yield from (f for f in _source(child, start, end, sent, rules) if f.label == "SOURCE_MEDIA")


def _assessment_follows(token: Token, sent: SpacySpan) -> bool:
    """"estimée à 90 millions", "présenté comme", "accusé d'avoir", "qualifié de"."""
    words = [fold(t.text) for t in sent.doc[token.i + 1:min(sent.end, token.i + 4)] if t.pos_ != "ADV"]
    return bool(words) and (words[0] in ("comme", "de", "d'") or words[0] in ("à", "a") and len(words) > 1 and (
        words[1][:1].isdigit() or words[1] in ("plus", "moins", "environ", "près", "quelque")))


def _subject(token: Token, start: int, end: int, sent: SpacySpan) -> tuple[Token | None, bool]:
    """(subject, inverted): the parser's subject, an inverted one after an incise verb, the
    antecedent of "qui", or the noun just before the verb when the parser found none."""
    doc = sent.doc
    subject = next((t for t in token.children if t.dep_ in SUBJECTS and t.pos_ not in ("VERB", "ADJ")
                    and not any(c.dep_ == "case" for c in t.children)), None)
    clitic = any(fold(t.text).startswith("-") for t in doc[start:min(sent.end, end + 1)])
    skip = _past_adjuncts(end, sent)
    after = doc[skip] if skip < sent.end else None
    if _after_comma(doc[start]) and after is not None and (subject is None or _clause_between(subject, start)) and (
            after.pos_ in ("DET", "PROPN") or after.pos_ == "NOUN" and after.text[:1].isupper()):
        inverted = _inverted_subject(skip, sent)
        if inverted is not None:
            return inverted, True
    if (subject is None or after is not None and after.dep_ in SUBJECTS) and not clitic and after is not None and \
            after.pos_ == "PROPN" and _closes_sentence(after, sent):
        return after, True  # "... pour la commune dit Martin.": an inverted name, the comma forgotten
    if subject is not None and fold(subject.text) == "qui":
        subject = token.head if token.dep_ == "acl:relcl" else _noun_before(doc, subject.i, sent)
    if subject is None and not clitic and token.dep_ in ("conj", "advcl") and token.head.i < token.i and (
            token.dep_ == "conj" or "Part" in feature(token, "VerbForm")):
        # "X a fait appel et crié à ...", "X a répondu, soulignant que ...": the subject of the first verb
        subject = next((t for t in token.head.children if t.dep_ in SUBJECTS), None)
        if subject is not None:
            return subject, subject.i > token.i
    if subject is None and not clitic:
        subject = _noun_before(doc, start, sent)
    return subject, clitic or (subject is not None and subject.i > token.i)


def _closes_sentence(head: Token, sent: SpacySpan) -> bool:
    """The name `head` starts is the last thing in the sentence."""
    rng = phrase(head, lo=head.i, hi=sent.end)
    return rng is not None and all(t.pos_ == "PROPN" for t in sent.doc[rng[0]:rng[1]]) and (
        rng[1] == sent.end or sent.doc[rng[1]].text in (".", "!", "?", "…"))


def _past_adjuncts(i: int, sent: SpacySpan) -> int:
    """The first token after the adverbs, dates and channel that may stand between an incise
    verb and its subject: "..., a affirmé, ce vendredi 3 mai, au Parisien le ministre"."""
    doc = sent.doc
    while i < sent.end:
        word = fold(doc[i].text)
        if doc[i].pos_ == "ADV" and word not in ("ne", "n'") or word == ",":
            i += 1
            continue
        j = i + 1 if word in ("ce", "cet", "cette", "le") else i
        while j < sent.end and doc[j].like_num and j - i < 3:
            j += 1  # "ce 20 mars", "le 3 mai"
        if j < sent.end and fold(doc[j].text) in TIME_WORDS:
            while j < sent.end and (fold(doc[j].text) in TIME_WORDS or doc[j].like_num):
                j += 1
            i = j
            continue
        name = i + 2 if word in ("à", "sur") and i + 1 < sent.end and fold(doc[i + 1].text) in ("l'", "la", "le") else i + 1
        if word in ("à", "au", "sur") and name + 1 < sent.end and doc[name].text[:1].isupper() and \
                doc[name + 1].pos_ in ("DET", "PROPN"):
            i = name + 1  # "au Parisien", "à l'AFP"
            continue
        return i
    return i


def _clause_between(subject: Token, start: int) -> bool:
    """A finite verb or a quotation stands between the parser's subject and the verb: the verb is
    an incise after a whole clause, not the verb of that subject ("X, Y, a confirmé")."""
    between = subject.doc[subject.i + 1:start]
    return subject.i > start or any(t.text in QUOTE_CLOSERS or (
        t.pos_ in ("VERB", "AUX") and "Fin" in feature(t, "VerbForm")) for t in between)


def _inverted_subject(end: int, sent: SpacySpan) -> Token | None:
    """The subject of an incise verb ("..., a rappelé le ministère."): a noun phrase that closes
    the clause, not an object that goes on ("..., a confirmé son intention de présenter ...")."""
    doc = sent.doc
    head = next((t for t in doc[end:min(sent.end, end + 5)] if t.pos_ in ("NOUN", "PROPN")), None)
    rng = phrase(head, lo=end, hi=sent.end) if head is not None else None
    if rng is None:
        return None
    nxt = doc[rng[1]] if rng[1] < sent.end else None
    if nxt is None or nxt.is_punct or (nxt.pos_ == "ADP" and not (
            rng[1] + 1 < sent.end and doc[rng[1] + 1].pos_ == "VERB")) or nxt.pos_ in ("ADV", "NOUN", "NUM"):
        return head
    return None


def _noun_before(doc, i: int, sent: SpacySpan) -> Token | None:
    """The head of the noun phrase that ends just before token `i` (skipping one comma)."""
    j = i - 1
    if j > sent.start and doc[j].text == ",":
        relative = next((t for t in reversed(doc[sent.start:j]) if fold(t.text) in ("qui", "dont") and t.i - 1 > sent.start
                         and doc[t.i - 1].text == ","), None)
        if relative is not None and not any(t.text == "," for t in doc[relative.i:j]):
            j = relative.i - 1  # "X, qui s'oppose au texte, a estimé": X is the subject
        j -= 1
        if not _nominal(doc[j], sent):  # "CNN, citant des responsables américains, rapporte"
            comma = next((t.i for t in reversed(doc[sent.start:j]) if t.text == ","), None)
            j = comma - 1 if comma is not None else j
    if j < sent.start or not _nominal(doc[j], sent):
        return None
    head = doc[j]
    while head.dep_ in ("nmod", "flat:name", "amod", "appos") and sent.start <= head.head.i < head.i and \
            head.head.pos_ in ("NOUN", "PROPN"):
        head = head.head  # not up to a pronoun: "contre laquelle Nordia s'insurge"
    if head.left_edge.i == sent.start and any(c.dep_ == "case" for c in head.children) and any(
            t.text == "," for t in doc[head.i:j]):
        return doc[j]  # "Dans un communiqué, Jean Dupont relève": the name, not the phrase it hangs on
    return head


def _nominal(token: Token, sent: SpacySpan) -> bool:
    """A noun, or a word the tagger mislabelled that still ends a noun phrase."""
    return token.pos_ in ("NOUN", "PROPN") or (token.pos_ == "ADJ" and token.i > sent.start and token.nbor(-1).pos_ in (
        "DET", "PRON")) or (token.pos_ == "PRON" and fold(token.text) in ("certains", "certaines", "plusieurs", "beaucoup"))


def _source(head: Token, start: int, end: int, sent: SpacySpan, rules: Rules) -> Iterator[Found]:
    if fold(head.text) in ("on", "-on"):
        if not start <= head.i <= end:
            yield Found(head.i, head.i + 1, "SOURCE_VAGUE", rules.source_ids["vague_heads"], (start, end))
        return
    if is_pronoun(head) or head.is_punct and head.text != "%" or start <= head.i < end or (
            fold(head.text) in ANAPHORS and any(fold(t.text) in ("ce", "cette", "ces") for t in head.lefts)):
        return
    lo, hi = (sent.start, start) if head.i < start else (end, sent.end)
    rng = phrase(head, lo=lo, hi=hi)
    while rng and rng[0] < head.i and sent.doc[rng[0]].pos_ in ("ADP", "ADV"):
        rng = (rng[0] + 1, rng[1])  # "d'après X", "seulement 40 % des Français": the cue or adverb is not the source
    doc = sent.doc
    if rng and rng[0] > max(lo, sent.start + 1) and doc[rng[0]].text[:1].isupper() and doc[rng[0] - 1].pos_ == "PROPN" \
            and doc[rng[0] - 1].text[:1].isupper() and doc[rng[0] - 2].is_punct:
        rng = (rng[0] - 1, rng[1])  # a first name the parser hung elsewhere: ", Jean Le Brun relève"
    while rng and rng[1] - 1 > head.i and fold(sent.doc[rng[1] - 1].text) in TIME_WORDS:
        rng = (rng[0], rng[1] - 1)  # "la ministre lundi": the day is not part of the source
    if not rng:
        return
    conjuncts = [c for c in head.rights if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN") and rng[1] > c.i and any(
        fold(t.text) in ("et", "ou") for t in c.children if t.dep_ == "cc")]
    if conjuncts:  # "le syndicat et la direction": one span each
        first = min(t.i for t in conjuncts[0].subtree)
        rng = (rng[0], first)
        while rng[1] > rng[0] and sent.doc[rng[1] - 1].is_punct:
            rng = (rng[0], rng[1] - 1)
    for h, r in [(head, rng), *((c, phrase(c, lo=c.i, hi=hi)) for c in conjuncts)]:
        if r and r[1] > r[0]:
            label, rule = source_label(sent.doc[r[0]:r[1]], h, rules)
            yield Found(*r, label, rule, (start, end))


def _holds(take: str, token: Token, start: int, end: int, inverted: bool, sent: SpacySpan,
           quotes: list[Quote]) -> bool:
    """Whether the verb stands in construction `take` (see rules/verbs.yml)."""
    doc = sent.doc
    if take == "any":
        return True
    if take == "object":
        nxt = _next_word(doc[end - 1])
        return any(t.dep_ in COMPLEMENTS for t in token.children) or (
            nxt is not None and nxt.i < sent.end and nxt.pos_ in ("DET", "NOUN", "PROPN", "NUM", "ADP"))
    if take == "que":
        return _que_follows(doc[end - 1], sent) or any(t.dep_ == "ccomp" and t.i > token.i for t in token.children)
    lo, hi = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    if take == "incise":
        return inverted and _after_comma(doc[start])
    if take == "quote":
        return any(-1 <= lo - q.close <= 4 or (0 <= q.open - hi <= 80 and q.open < sent.end_char)
                   or (q.start <= lo and hi <= q.end and inverted) for q in quotes)
    return False


def _que_follows(token: Token, sent: SpacySpan) -> bool:
    """A que-clause opens after the verb, before any other finite verb ("a promis lundi que")."""
    for t in sent.doc[token.i + 1:min(sent.end, token.i + 12)]:
        if fold(t.text) in ("que", "qu'") and t.pos_ in ("SCONJ", "PRON", "ADV"):
            return t.pos_ == "SCONJ" or t.i == token.i + 1
        if t.pos_ == "VERB" and "Fin" in feature(t, "VerbForm") and fold(t.nbor(-1).text) != "y" \
                or t.text in (";", ":", "«", "“"):
            return False  # "il y a deux semaines qu'en cas de..." is a date, not a clause
    return False


# --- sources without a cue of their own ------------------------------------------------------

def _media_channels(sent: SpacySpan, text: str, low: str, used: set[int], rules: Rules) -> Iterator[Found]:
    """Outlets and documents that carried the words: "interrogée par Le Parisien", "a dénoncé sur
    BFMTV", "Dans leur ordonnance, les juges ..." (see sources.document_channels); outlets also
    inside another source ("une lettre remise à Reuters": both spans are drawn); not a name
    inside a name ("la guerre de Libération"); `low` is the sentence text in lower case."""
    doc = sent.doc
    for match in rules.media_search.finditer(low):
        tokens = [t for t in sent if sent.start_char + match.start() <= t.idx < sent.start_char + match.end()]
        if not tokens:
            continue
        first = tokens[0]
        before = first.nbor(-1) if first.i > sent.start else None
        if before is not None and fold(before.text) in ("l'", "le", "la", "les") and before.i > sent.start:
            first, before = before, before.nbor(-1)
        word = fold(before.text) if before is not None else ""
        if word not in rules.media_channel["words"] or (word in ("de", "d'", "du", "des") and (
                any(t.i in used for t in tokens) or _inside_name(before, sent))):
            continue
        written = text[first.idx - sent.start_char:match.end()]
        if media_name(written, rules, context=word in rules.source_words["media_context"]) is None:
            continue
        end = tokens[-1].i + 1
        nxt = doc[end] if end < sent.end else None
        if nxt is not None and nxt.pos_ == "PROPN" and nxt.text[:1].isupper() and nxt.ent_type_ != "PER" and \
                first.i <= nxt.head.i < end and not (end + 1 < sent.end and doc[end + 1].text[:1].isupper()):
            end += 1  # "France 3 Bretagne", "CNN Chile" (not "à l'AFP Jean Dupont")
        yield Found(first.i, end, "SOURCE_MEDIA", rules.source_ids["media_context"] if context_only(written, rules)
                    else rules.media_channel["id"])
    for rng in document_channels(sent, used, rules):
        yield Found(*rng, "SOURCE_DOCUMENT", rules.source_ids["document_channel"])


def _inside_name(de: Token, sent: SpacySpan) -> bool:
    """"de" joins two capitalised words: the outlet's name is part of a longer name."""
    return de.i > sent.start + 1 and de.nbor(-1).text[:1].isupper() and de.nbor(-1).pos_ in ("PROPN", "NOUN")


def _colon_speaker(sent: SpacySpan, quotes: list[Quote], rules: Rules) -> Iterator[Found]:
    """« X : "..." »: the subject before a colon that opens a quotation is its source."""
    doc = sent.doc
    for q in quotes:
        if not sent.start_char <= q.open < sent.end_char:
            continue
        colon = next((t for t in reversed(doc[sent.start:sent.end]) if t.idx < q.open and not t.is_space), None)
        if colon is None or colon.text != ":":
            continue
        verb = colon.head if colon.head.i < colon.i else None
        subject = next((t for t in verb.children if t.dep_ in SUBJECTS), None) if verb is not None else None
        if subject is None or is_pronoun(subject):
            continue
        rng = phrase(subject, lo=sent.start, hi=colon.i)
        if rng:
            label, _ = source_label(doc[rng[0]:rng[1]], subject, rules)
            yield Found(*rng, label, rules.quotes["colon_id"])
