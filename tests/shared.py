"""The ../shared folder beside the repository (annotation guide, gold sets, reference scorer): tests
that read it are skipped, naming the folder, in a clone that has none. ANNOTATOR_SHARED points
elsewhere (a missing path simulates such a clone)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ANNOTATOR_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under the shared folder; skips the test when the folder itself is missing."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is missing: these tests need the shared folder beside the repository")
    return SHARED.joinpath(*parts)
