"""Verb lemmas of word forms, from the French model's own lemmatizer tables: they name the verb
even when the small tagger calls "rapporte" or "disent" a noun or an adverb."""
from __future__ import annotations

from functools import lru_cache

from spacy.language import Language


class VerbForms:
    """`forms("disent") -> ("dire",)`: every verb lemma the model's tables give a form."""

    def __init__(self, nlp: Language):
        lookups = nlp.get_pipe("lemmatizer").lookups
        self.exceptions = lookups.get_table("lemma_exc")["verb"]
        self.lookup = lookups.get_table("lemma_lookup")
        self.forms = lru_cache(maxsize=50_000)(self._forms)

    def _forms(self, form: str) -> tuple[str, ...]:
        found = list(self.exceptions.get(form, ()))
        lemma = self.lookup.get(form)
        if isinstance(lemma, str) and lemma != form:
            found.append(lemma)
        elif isinstance(lemma, list):
            found.extend(lemma)
        return tuple(dict.fromkeys(found))
