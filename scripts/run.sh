#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST + socket.io + HTTP API) and the web page.
# Ctrl-C stops everything this script started. `--shell` chats in the terminal instead of the web page.
# Secure by default: every server listens on BIND_HOST (127.0.0.1), the HTTP API and the REST
# channel require RASA_AUTH_TOKEN, the action server ACTION_SERVER_TOKEN (both generated into
# var/secrets/, mode 600, when unset), CORS allows only the widget's page and CAP_CORS_ORIGINS.
# Production profile on one machine: RASA_PROCESSES=N and/or ACTION_PROCESSES=M start N Rasa processes
# and M action servers behind a local nginx on RASA_PORT / ACTION_PORT (scripts/serve.py); several
# Rasa processes need LOCK_STORE=redis (and TRACKER_STORE=postgresql): see docs/deployment.md.
case "${1:-}" in -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0;; esac
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077  # var/, its databases and logs: readable by this user only

RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
COUNSEL_PORT=${COUNSEL_PORT:-8081}
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://localhost:${RASA_PORT}}
export ACTION_PORT RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
PY=.venv/bin/python
RASA=.venv/bin/rasa
BIND_HOST=${BIND_HOST:-127.0.0.1}
LOGS=${CAP_VAR_DIR:-var}/logs
mkdir -p "$LOGS"
chmod 700 "${CAP_VAR_DIR:-var}"
PROBE_HOST=$BIND_HOST; if [ "$BIND_HOST" = "0.0.0.0" ]; then PROBE_HOST=127.0.0.1; fi
exports=$($PY -m bot env)  # RASA_AUTH_TOKEN, ACTION_SERVER_TOKEN, CAP_SESSION_SECRET, ACTION_SERVER_URL, TRACKER_DB_PATH
eval "$exports"
read -r -a CORS <<<"$($PY -c 'from bot.config import cors_origins; print(" ".join(cors_origins()))')"

RASA_PROCESSES=${RASA_PROCESSES:-1}
ACTION_PROCESSES=${ACTION_PROCESSES:-1}
if [ "$RASA_PROCESSES" -gt 1 ] && [ "${LOCK_STORE:-memory}" != "redis" ]; then
  echo "Plusieurs processus Rasa ont besoin d'un verrou partagé : LOCK_STORE=redis (et TRACKER_STORE=postgresql)." >&2
  exit 2
fi

MODEL=$($PY scripts/train_if_needed.py)
$PY scripts/render_config.py >/dev/null
ENDPOINTS=${CAP_VAR_DIR:-var}/endpoints.yml
CREDENTIALS=${CAP_VAR_DIR:-var}/credentials.yml

pids=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo; echo "» Arrêt des serveurs…"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

wait_for() {  # url, name, pid
  for _ in $(seq 1 240); do
    if curl -fs -o /dev/null "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "Le $2 s'est arrêté : voir $LOGS/" >&2; exit 1; fi
    sleep 0.5
  done
  echo "Le $2 ne répond pas (voir $LOGS/)." >&2; exit 1
}

if [ "$RASA_PROCESSES" -gt 1 ] || [ "$ACTION_PROCESSES" -gt 1 ]; then
  if [ "${1:-}" = "--shell" ]; then echo "--shell : un seul processus (RASA_PROCESSES=1 ACTION_PROCESSES=1)." >&2; exit 2; fi
  echo "» $RASA_PROCESSES processus Rasa et $ACTION_PROCESSES serveur(s) d'actions derrière nginx (ports $RASA_PORT et $ACTION_PORT)"
  $PY scripts/serve.py run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials "$CREDENTIALS" \
    --rasa-processes "$RASA_PROCESSES" --action-processes "$ACTION_PROCESSES" --host "$BIND_HOST" \
    --port "$RASA_PORT" --action-port "$ACTION_PORT" --logs "$LOGS/serve" --cors "${CORS[@]}" >"$LOGS/serve.log" 2>&1 &
  pids+=($!); rasa_pid=$!
else
  echo "» Serveur d'actions sur le port $ACTION_PORT"
  SANIC_HOST=${ACTION_HOST:-$BIND_HOST} $RASA run actions --actions actions --port "$ACTION_PORT" >"$LOGS/actions.log" 2>&1 &
  pids+=($!); action_pid=$!
  wait_for "http://$PROBE_HOST:$ACTION_PORT/health" "serveur d'actions" "$action_pid"

  if [ "${1:-}" = "--shell" ]; then
    echo "» Discussion dans le terminal (Ctrl-D ou /stop pour quitter)"
    $RASA shell -m "$MODEL" --endpoints "$ENDPOINTS" --quiet
    exit 0
  fi

  echo "» Serveur Rasa sur le port $RASA_PORT (modèle $(basename "$MODEL"))"
  $RASA run -m "$MODEL" --enable-api --auth-token="$RASA_AUTH_TOKEN" --cors "${CORS[@]}" \
    --interface "$BIND_HOST" --port "$RASA_PORT" --endpoints "$ENDPOINTS" \
    --credentials "$CREDENTIALS" >"$LOGS/rasa.log" 2>&1 &
  pids+=($!); rasa_pid=$!
fi

echo "» Page web sur le port $WEB_PORT"
$PY -m bot web --host "${WEB_HOST:-$BIND_HOST}" --port "$WEB_PORT" --rasa-url "$RASA_PUBLIC_URL" >"$LOGS/web.log" 2>&1 &
pids+=($!); web_pid=$!

# Counsellors' workspace; a demo admin only on the local default database (password shown once).
[ -n "${DATABASE_URL:-}" ] || $PY -m bot counsellors demo-admin
$PY -m bot counsellors serve --host "${COUNSEL_HOST:-$BIND_HOST}" --port "$COUNSEL_PORT" >"$LOGS/counsel.log" 2>&1 &
pids+=($!); counsel_pid=$!

wait_for "http://$PROBE_HOST:$RASA_PORT/version" "serveur Rasa" "$rasa_pid"
wait_for "http://$PROBE_HOST:$COUNSEL_PORT/conseil/connexion" "espace conseillers" "$counsel_pid"
wait_for "http://$PROBE_HOST:$WEB_PORT/" "serveur web" "$web_pid"

cat <<TXT

  Cap Reconversion est prêt.
    Discuter :           http://localhost:$WEB_PORT/
    Conseillers :        http://localhost:$COUNSEL_PORT/conseil/
    API REST :           http://localhost:$RASA_PORT/webhooks/rest/webhook  (jeton exigé)
    Serveur d'actions :  http://localhost:$ACTION_PORT  (secret exigé)
  Jeton de l'API et du canal REST : RASA_AUTH_TOKEN, sinon ${CAP_VAR_DIR:-var}/secrets/RASA_AUTH_TOKEN
  Journaux : $LOGS/   —   Ctrl-C pour tout arrêter.

TXT
wait -n "${pids[@]}" || true
echo "Un des serveurs s'est arrêté (voir $LOGS/)." >&2
