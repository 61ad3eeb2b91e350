"""Morphological features of a token, read once per analysis: spaCy's `token.morph.get` parses
the analysis string at every call, about ten times the cost of reading `token.pos_`."""
from __future__ import annotations

from spacy.tokens import Token

# analysis key -> {feature: values}; the model produces a few hundred distinct analyses
_FEATURES: dict[int, dict[str, tuple[str, ...]]] = {}


def feature(token: Token, name: str) -> tuple[str, ...]:
    """The values of feature `name` of `token` ("VerbForm" -> ("Fin",)); () when it has none."""
    morph = token.morph
    features = _FEATURES.get(morph.key)
    if features is None:
        features = _FEATURES[morph.key] = {k: tuple(v.split(",")) for k, v in morph.to_dict().items()}
    return features.get(name, ())
