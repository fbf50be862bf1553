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
# WeasyPrint (counsellors' PDF synthesis) needs Debian's Pango and a font.
if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "» Installation de Pango (apt) pour la synthèse PDF"
    (apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 \
      || (apt-get update -q >/dev/null && apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null)) \
      || echo "Pango n'a pas pu être installé : la synthèse PDF ne fonctionnera pas." >&2
  else
    echo "Pango absent (apt-get install libpango-1.0-0 libpangoft2-1.0-0) : la synthèse PDF ne fonctionnera pas." >&2
  fi
fi
echo "» Environnement prêt : .venv/bin/python"
