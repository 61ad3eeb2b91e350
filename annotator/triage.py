"""The surface pre-filter of `--fast`: which sentences of a paragraph may hold a span, judged from
their words alone (no tagger, no parser), with every trigger taken from the rule files: cue
phrases, every inflected form of the reporting verbs and of the modal verbs, modal words and
phrases, conditional endings. Only those sentences, and the quotations that share one, are parsed;
the other quotations are QUOTE spans by their text alone. (Media names
need no trigger of their own: the rules only take one for a source next to a cue.)"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span as SpacySpan

from .attribution import OPENING_WORDS, _er_guesses
from .hedges import COND_ENDING_R
from .quotes import Quote, find_quotes, is_single_word, is_title
from .rules import Rules, fold, lower, strip_accents


POSSIBILITY = (("<a possibility infinitive later in the sentence>",),)


class Triage:
    """`needs_parse(sentences, text)`: for each sentence of a paragraph, whether the rules could
    find anything in it."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.anywhere = [c.pattern for c in rules.cues if "sentence_head" not in c.requires] + [rules.modal_phrases]
        self.heading = [c.pattern for c in rules.cues if "sentence_head" in c.requires]
        # pouvoir and devoir hedge in the conditional (its endings are triggers of their own), and
        # pouvoir outside it only before one of the possibility infinitives
        self.lemmas = frozenset(rules.modal_lemmas)
        self.possibility = frozenset(fold(x) for x in rules.possibility.get("lemmas", ()))
        self.infinitives = frozenset(fold(x).split()[-1].split("'")[-1] for x in rules.possibility.get("infinitives", ()))
        self.word_triggers = lru_cache(maxsize=1 << 17)(self._word_triggers)

    def needs_parse(self, sentences: list[SpacySpan], text: str) -> tuple[list[bool], list[Quote]]:
        """One flag per sentence of a paragraph whose text is `text` (it has a trigger, or shares a
        quotation with one that has), and the quotations of the unflagged sentences that the rules
        keep as QUOTE spans: with no cue, no hedge and no incise, they need no parse."""
        flags = [self._has_trigger(sent, text[sent.start_char:sent.end_char]) for sent in sentences]
        quotes = [(q, [n for n, s in enumerate(sentences) if s.start_char <= q.close and q.open < s.end_char])
                  for q in find_quotes(text, self.rules)]  # the sentences that hold its marks and words
        changed = True
        while changed:  # a quotation and the cue it may hang on, before or after it, are parsed together
            changed = False
            for _, within in quotes:
                near = range(max(0, within[0] - 1), min(len(flags), within[-1] + 2)) if within else ()
                if any(flags[n] for n in near) and not all(flags[n] for n in within):
                    changed = True
                    for n in within:
                        flags[n] = True
        alone = [q for q, within in quotes if within and not any(flags[n] for n in within)
                 and not is_title(text, q, self.rules)
                 and not (is_single_word(text, q) and self.rules.quotes.get("single_word_needs_cue", True))]
        return flags, alone

    def _has_trigger(self, sent: SpacySpan, text: str) -> bool:
        doc = sent.doc
        for token in sent:
            rests = self.word_triggers(token.text)
            if rests == POSSIBILITY:
                if any(fold(t.text) in self.infinitives for t in doc[token.i + 1:sent.end]):
                    return True
            elif rests and any(rest == tuple(fold(t.text) for t in doc[token.i + 1:token.i + 1 + len(rest)])
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
        if lemmas & self.possibility:
            return POSSIBILITY
        return tuple({entry.rest for lemma in lemmas for entry in self.rules.verbs.get(lemma, ())})


def _opens(before: str) -> bool:
    """Whether only punctuation and opening words ("mais", "et", ...) precede a cue in its sentence."""
    return all(word in OPENING_WORDS for word in re.findall(r"\w+", before))
