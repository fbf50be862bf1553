#!/usr/bin/env bash
# Regenerates constraints.txt from a fresh resolution of pyproject.toml.
case "${1:-}" in -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0;; esac
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
"$(bash scripts/find-python.sh)" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --upgrade "pip<25" "setuptools==70.3.0" wheel
"$tmp/venv/bin/pip" install -q -e ".[dev]"
{ echo "# Lock file: every install resolves exactly these versions (pip install -c constraints.txt)."
  echo "# Regenerate with \`make lock\` after changing pyproject.toml."
  "$tmp/venv/bin/pip" freeze --all | grep -vE '^(-e|pip==|cap-reconversion)'; } > constraints.txt
rm -rf "$tmp"
echo "constraints.txt régénéré."
