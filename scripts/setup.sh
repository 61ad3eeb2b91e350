#!/usr/bin/env bash
# Set up this machine for the annotator: the project's virtualenv (.venv) with the French spaCy
# model, and with --tests also what the test suite drives for real (the Label Studio server in
# its own .venv-ls). Idempotent: a second run only checks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${ANNOTATOR_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
WITH_TESTS=0
for arg in "$@"; do
  case "$arg" in
    --tests) WITH_TESTS=1 ;;
    *) echo "usage: scripts/setup.sh [--tests]" >&2; exit 2 ;;
  esac
done

if ! command -v uv >/dev/null 2>&1; then
  "$PYTHON" -m pip install --quiet uv
fi
[ -x .venv/bin/python ] || uv venv --quiet --python "$PYTHON" .venv
EXTRAS=""
[ "$WITH_TESTS" = 1 ] && EXTRAS="[test]"
uv pip install --quiet --python .venv/bin/python -e ".$EXTRAS"
# the report notebooks run on this environment's own kernel
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null

if [ "$WITH_TESTS" = 1 ]; then
  bash scripts/install_label_studio.sh
fi
echo "setup done: .venv/bin/annotator is ready"
