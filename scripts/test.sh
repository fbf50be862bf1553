#!/usr/bin/env bash
# The whole test suite (what `make test` and CI run). Sets up what it needs first.
# Arguments go to the pytest step (e.g. scripts/test.sh -k widget).
case "${1:-}" in -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0;; esac
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=0
PY=.venv/bin/python
RASA=.venv/bin/rasa
mkdir -p results test-artifacts

step() { printf '\n\033[1m» %s\033[0m\n' "$*"; }

step "Lint (ruff, tout le code Python)"
.venv/bin/ruff check

# Debian packages some tests need (no download at test time): headless Chromium for the widget
# tests, nginx for the production front (tests/e2e/test_nginx_front.py). Without them those tests skip.
apt_need() {  # apt_need <command> <package> <what skips without it>
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
  step "Installation de $2 (apt)"
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -q "$2" >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null)) \
      || echo "$2 n'a pas pu être installé : $3 seront ignorés." >&2
  else
    echo "$2 absent et pas de droits root : $3 seront ignorés." >&2
  fi
}
apt_need chromium chromium "les tests du navigateur"
apt_need nginx nginx-light "les tests du frontal nginx"

step "Modèle Rasa (entraîné seulement si les données ont changé)"
MODEL=$($PY scripts/train_if_needed.py)
export CAP_TEST_MODEL="$MODEL"
echo "$MODEL"

step "Validation des données Rasa"
$RASA data validate --fail-on-warnings --config config.yml --domain domain.yml --data data 2>&1 | tail -n 5

step "Tests de conversation (rasa test core)"
rm -rf results/stories && mkdir -p results/stories && cp tests/test_*.yml results/stories/
$RASA test core -m "$MODEL" --stories results/stories --fail-on-prediction-errors --out results/core 2>&1 | tail -n 3

step "Jeu de test NLU tenu à l'écart (seuils : intentions F1 macro ≥ 0,95 ; entités F1 ≥ 0,90)"
$RASA test nlu -m "$MODEL" --nlu tests/nlu/heldout.yml --out results/nlu >/dev/null 2>&1
$PY scripts/nlu_gate.py results/nlu

step "Faits des premiers messages tenus à l'écart (micro F1 ≥ 0,95 ; précision ≥ 0,97 ; rappel par champ ≥ 0,85)"
$PY scripts/extraction_gate.py tests/nlu/heldout_facts.yml

step "Tests unitaires, d'intégration, de bout en bout et du navigateur"
# The widget and messaging tests run against the real assistant (trained model + action server).
export WEB_TEST_RASA=assistant WEB_TEST_SCRIPT=tests/web/real_assistant_script.json CHANNELS_TEST_MODEL=real
$PY -m pytest -q -p no:cacheprovider "$@"

step "Le widget se reconnecte après un vrai redémarrage du serveur Rasa"
# needs a Rasa server the test owns and may kill: the small project of tests/web
WEB_TEST_RASA= WEB_TEST_SCRIPT= $PY -m pytest -q -p no:cacheprovider tests/web -k survives_a_rasa_restart
