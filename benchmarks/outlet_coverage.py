"""How much of real news the outlet registry resolves: FreSaDa articles (../shared/corpora/fresada.jsonl),
regular and satire apart.

    python benchmarks/outlet_coverage.py [--per-label 500] [--workers 1] [--json]

Takes `--per-label` articles of each label, evenly spread over the file, annotates them (FreSaDa has
no URL column: the article's own outlet can only come from its byline or `Source :` line) and counts,
per label: articles whose own outlet the registry resolves, and how many of those are rated 1 (parody);
SOURCE_MEDIA spans, those with a registry entry (`media_id`), and those with a published rating.
The sample and outputs live in a temporary folder (`--keep DIR` keeps the outputs), never in the repository.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "fresada.jsonl"


def sample(corpus: Path, per_label: int) -> list[dict]:
    """`per_label` records of each label, evenly spread over the file."""
    records = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    picked = []
    for label in ("regular", "satire"):
        part = [r for r in records if r["label"] == label]
        step = max(1, len(part) // per_label)
        picked += part[::step][:per_label]
    return picked


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def coverage(records: list[dict], out: Path) -> dict:
    from annotator.outlets import load_registry
    from annotator.rules import DEFAULT_RULES_DIR

    registry = load_registry(DEFAULT_RULES_DIR)
    labels = {r["id"]: r["label"] for r in records}
    figures = {}
    profiles, markers = rows(out / "profiles.csv"), rows(out / "markers.csv")
    for label in ("regular", "satire"):
        mine = [p for p in profiles if labels[p["doc_id"]] == label]
        media = [m for m in markers if m["label"] == "SOURCE_MEDIA" and labels[m["doc_id"]] == label]
        known = [m for m in media if m["media_id"]]
        figures[label] = {
            "articles": len(mine),
            "own_outlet_named": sum(1 for p in mine if p["outlet"]),
            "own_outlet_resolved": sum(1 for p in mine if p["outlet_kind"]),
            "own_outlet_rated_1": sum(1 for p in mine if p["outlet_rating"] == "1"),
            "media_spans": len(media),
            "media_resolved": len(known),
            "media_rated": sum(1 for m in known if getattr(registry.outlets.get(m["media_id"]), "rating", None)),
            "share_media_resolved": round(len(known) / len(media), 3) if media else None,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-label", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="write the annotate outputs here (kept)")
    args = parser.parse_args()
    records = sample(args.corpus, args.per_label)
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "sample.jsonl", args.keep or Path(tmp) / "out"
        source.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n"
                                  for r in records), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "annotator", "annotate", str(source), "--out", str(out),
                               "--workers", str(args.workers)], cwd=ROOT, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            sys.exit(done.stderr)
        figures = coverage(records, out)
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    for label, f in figures.items():
        print(f"{label}: {f['articles']} articles, own outlet named {f['own_outlet_named']}, resolved "
              f"{f['own_outlet_resolved']} (rated 1: {f['own_outlet_rated_1']}); {f['media_spans']} cited media, "
              f"{f['media_resolved']} resolved ({f['share_media_resolved']}), {f['media_rated']} rated")


if __name__ == "__main__":
    main()
