"""manifest.json of an `annotate` folder: the size and SHA-256 of the four outputs one run wrote,
recorded before they are renamed into place. Readers (push, report, score) check it so that they
never mix files of two runs; the next `annotate` into the folder finishes renames a crash cut short."""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from .errors import UserError

MANIFEST = "manifest.json"


def file_digest(path: Path) -> dict:
    """A file's size and SHA-256, as manifest.json records them."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def write_manifest(out: Path, manifest: dict) -> None:
    """Write manifest.json durably (temporary name, fsync, rename): the renames that follow rely on it."""
    tmp = out / f".{MANIFEST}.part"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(manifest, indent=1) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, out / MANIFEST)


def read_manifest(out: Path) -> dict | None:
    """The manifest of `out`, None when there is none (or it cannot be read)."""
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def finish_switch(out: Path) -> bool:
    """Rename into place the temporary files of a run that wrote its manifest (a crash may have
    stopped it between renames); True when some were left to rename."""
    manifest = read_manifest(out)
    pending = [name for name in (manifest or {}).get("files", {}) if (out / f".{name}.part").is_file()]
    pending = [name for name in pending if file_digest(out / f".{name}.part") == manifest["files"][name]]
    for name in pending:
        os.replace(out / f".{name}.part", out / name)
    return bool(pending)


def check_outputs(folder: Path, names: Iterable[str]) -> None:
    """Refuse to read `names` of an annotate folder whose files are not those its manifest lists
    (an interrupted switch, or a file replaced by hand since). Folders without a manifest pass."""
    manifest = read_manifest(folder)
    if manifest is None:
        return
    for name in names:
        listed = manifest.get("files", {}).get(name)
        path = folder / name
        if listed and path.is_file() and (path.stat().st_size != listed["bytes"] or file_digest(path) != listed):
            raise UserError(f"{path} is not the one the run that wrote {folder / MANIFEST} made (a run was "
                            f"stopped while putting its files in place, or the file was changed since): run "
                            f"`annotator annotate ... --out {folder} --resume` to finish that run, or annotate "
                            "again")
