#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.8–3.10 only).
# Order: $PYTHON, python3.10 on PATH, pyenv's 3.10, common install prefixes.
case "${1:-}" in -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0;; esac
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
for cand in "${PYTHON:-}" "$(command -v python3.10 2>/dev/null)"; do
  [ -n "$cand" ] && ok "$cand" && { echo "$cand"; exit 0; }
done
if command -v pyenv >/dev/null 2>&1; then
  prefix=$(pyenv prefix 3.10 2>/dev/null || true)
  if [ -z "$prefix" ]; then
    v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V | tail -n1)
    [ -n "$v" ] && prefix="$(pyenv root)/versions/$v"
  fi
  [ -n "$prefix" ] && ok "$prefix/bin/python3.10" && { echo "$prefix/bin/python3.10"; exit 0; }
fi
for cand in "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -x "$cand" ] && ok "$cand" && { echo "$cand"; exit 0; }
done
echo "Python 3.10 introuvable (Rasa 3.6 exige Python 3.8 à 3.10). Installez-le (ex. 'pyenv install 3.10') ou indiquez-le avec PYTHON=/chemin/python3.10." >&2
echo "Python 3.10 not found (Rasa 3.6 needs 3.8-3.10). Install it or set PYTHON=/path/to/python3.10." >&2
exit 1
