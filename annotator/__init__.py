"""The annotator: attribution and hedging markers in French news, with sourcing profiles.

`annotator.annotate_text` and `annotator.annotate_frame` (see api.py) are imported on first use, so
that spaCy, which imports the package's `sourcing_rules` factory, does not load pandas with it."""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["annotate_text", "annotate_frame"]


def __getattr__(name: str):
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'annotator' has no attribute {name!r}")
