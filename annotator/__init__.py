"""The annotator: attribution and hedging markers in French news, with sourcing profiles."""
from __future__ import annotations

__version__ = "0.1.0"
