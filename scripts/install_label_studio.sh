#!/usr/bin/env bash
# Install the Label Studio server in its own virtualenv (.venv-ls): its pins clash with the project's.
# Idempotent: does nothing when the pinned version is already there. Uses uv when present, else pip.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The pinned version is written once, in annotator/labelstudio/server.py.
LABEL_STUDIO_VERSION="$(sed -n 's/^LABEL_STUDIO_VERSION = "\(.*\)"$/\1/p' "$ROOT/annotator/labelstudio/server.py")"
[ -n "$LABEL_STUDIO_VERSION" ] || { echo "no LABEL_STUDIO_VERSION in annotator/labelstudio/server.py" >&2; exit 1; }
VENV="$ROOT/.venv-ls"
PYTHON="${ANNOTATOR_LS_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

installed() {
  "$VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("label-studio") != sys.argv[1])' \
    "$LABEL_STUDIO_VERSION" 2>/dev/null
}

if [ -x "$VENV/bin/label-studio" ] && installed; then
  echo "label-studio $LABEL_STUDIO_VERSION already installed in $VENV"
  exit 0
fi

if command -v uv >/dev/null 2>&1; then
  [ -x "$VENV/bin/python" ] || uv venv --quiet --python "$PYTHON" "$VENV"
  uv pip install --quiet --python "$VENV/bin/python" "label-studio==$LABEL_STUDIO_VERSION"
else
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "label-studio==$LABEL_STUDIO_VERSION"
fi
installed
echo "label-studio $LABEL_STUDIO_VERSION installed in $VENV"
