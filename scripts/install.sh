#!/usr/bin/env bash
# Creates .venv/ with Python 3.10 and installs the locked dependencies. Idempotent.
case "${1:-}" in -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0;; esac
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON310=$(bash scripts/find-python.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)'; then
  echo "» Création de l'environnement .venv (Python $("$PYTHON310" -V 2>&1))"
  rm -rf .venv
  "$PYTHON310" -m venv .venv
fi
echo "» Installation des dépendances verrouillées (constraints.txt)"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip<25"
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt "setuptools==70.3.0" wheel
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
echo "» Environnement prêt : .venv/bin/python"
