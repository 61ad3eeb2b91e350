"""The surface pre-filter of `--fast`: which sentences of a paragraph may hold a span, judged from
their words alone (no tagger, no parser), with every trigger taken from the rule files: cue
phrases, every inflected form of the reporting verbs and of the modal verbs, modal words and
phrases, conditional endings and quotation marks. Only those sentences are parsed. (Media names
need no trigger of their own: the rules only take one for a source next to a cue.)"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span as SpacySpan

from .attribution import OPENING_WORDS, _er_guesses
from .hedges import COND_ENDING_R
from .quotes import find_quotes
from .rules import Rules, fold, lower, strip_accents


class Triage:
    """`needs_parse(sentences, text)`: for each sentence of a paragraph, whether the rules could
    find anything in it."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.anywhere = [c.pattern for c in rules.cues if "sentence_head" not in c.requires] + [rules.modal_phrases]
        self.heading = [c.pattern for c in rules.cues if "sentence_head" in c.requires]
        self.lemmas = frozenset(rules.modal_lemmas) | frozenset(
            fold(x) for x in (*rules.conditional.get("modal_lemmas", ()), *rules.possibility.get("lemmas", ())))
        self.marks = frozenset(c for pair in rules.quotes["pairs"] for c in pair)
        self.word_triggers = lru_cache(maxsize=1 << 17)(self._word_triggers)

    def needs_parse(self, sentences: list[SpacySpan], text: str) -> list[bool]:
        """One flag per sentence of a paragraph whose text is `text`: it has a trigger, or it lies
        within a quotation (a quotation and the cue it hangs on are parsed together)."""
        flags = [self._has_trigger(sent, text[sent.start_char:sent.end_char]) for sent in sentences]
        for quote in find_quotes(text, self.rules):
            for n, sent in enumerate(sentences):
                if sent.start_char < quote.end and quote.start < sent.end_char:
                    flags[n] = True
        return flags

    def _has_trigger(self, sent: SpacySpan, text: str) -> bool:
        if any(c in self.marks for c in text):
            return True
        doc = sent.doc
        for token in sent:
            rests = self.word_triggers(token.text)
            if rests and any(rest == tuple(fold(t.text) for t in doc[token.i + 1:token.i + 1 + len(rest)])
                             for rest in rests):
                return True
        low = lower(text)
        return any(p.search(low) for p in self.anywhere) or any(
            _opens(low[:m.start()]) for p in self.heading for m in p.finditer(low))

    def _word_triggers(self, word: str) -> tuple[tuple[str, ...], ...]:
        """The words that must follow `word` for it to be a trigger (`((),)`: none; `()`: it is
        none): a modal word, a conditional ending, or a form of a modal or reporting verb (not
        its infinitive, which the rules never take for a cue)."""
        form = fold(word)
        if form in self.rules.modal_words or strip_accents(form).endswith(COND_ENDING_R):
            return ((),)
        guesses = self.rules.verb_forms(form) if self.rules.verb_forms else ()
        lemmas = {lemma for lemma in (*guesses, *_er_guesses(form)) if lemma != form}
        if lemmas & self.lemmas:
            return ((),)
        return tuple({entry.rest for lemma in lemmas for entry in self.rules.verbs.get(lemma, ())})


def _opens(before: str) -> bool:
    """Whether only punctuation and opening words ("mais", "et", ...) precede a cue in its sentence."""
    return all(word in OPENING_WORDS for word in re.findall(r"\w+", before))
