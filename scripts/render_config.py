#!/usr/bin/env python3
"""Writes var/endpoints.yml and var/credentials.yml for `make run` from the environment.

With the defaults (and ACTION_SERVER_TOKEN set, as `make run` always does) the files are exactly
the repository root's endpoints.yml and credentials.yml (tests/scripts/test_render_config.py);
the environment adds PostgreSQL, Redis and the messaging channels.
Secrets are never written: the files reference them as ${NAME} — unquoted, the only form Rasa 3.6
substitutes — which Rasa replaces at start-up (and refuses to start if the variable is unset).
Defaults need no server at all (SQLite tracker store, in-memory lock store, web channels only).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


HEADER = ("# Cap Reconversion — the ${…} values come from the environment: see docs/configuration.md\n"
          "# (`eval \"$(.venv/bin/python -m bot env)\"` sets the local defaults and generated secrets).")


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default) or default


def endpoints() -> str:
    lines = [
        HEADER,
        "action_endpoint:",
        "  url: ${ACTION_SERVER_URL}",
    ]
    if os.environ.get("ACTION_SERVER_TOKEN"):
        lines += ["  headers:", "    X-Cap-Action-Token: ${ACTION_SERVER_TOKEN}"]
    store = env("TRACKER_STORE", "sqlite")
    if store == "postgresql":
        lines += [
            "tracker_store:", "  type: rasa_components.tracker_store.CapSQLTrackerStore", "  dialect: postgresql",
            f"  url: \"{env('TRACKER_DB_HOST', '127.0.0.1')}\"", f"  port: {env('TRACKER_DB_PORT', '5432')}",
            f"  db: \"{env('TRACKER_DB_NAME', 'cap_tracker')}\"", f"  username: \"{env('TRACKER_DB_USER', 'postgres')}\"",
            f"  login_db: \"{env('TRACKER_DB_LOGIN_DB', 'postgres')}\"",
        ]
        if os.environ.get("TRACKER_DB_PASSWORD"):
            lines.append("  password: ${TRACKER_DB_PASSWORD}")
    elif store == "sqlite":
        lines += ["tracker_store:", "  type: rasa_components.tracker_store.CapSQLTrackerStore", "  dialect: sqlite", "  db: ${TRACKER_DB_PATH}"]
    else:
        sys.exit(f"TRACKER_STORE inconnu : {store} (sqlite ou postgresql)")
    if env("LOCK_STORE", "memory") == "redis":
        # Rasa's RedisLockStore, with atomic ticket operations (see rasa_components/lock_store.py)
        lines += ["lock_store:", "  type: rasa_components.lock_store.AtomicRedisLockStore",
                  f"  url: \"{env('REDIS_HOST', '127.0.0.1')}\"",
                  f"  port: {env('REDIS_PORT', '6379')}", f"  db: {env('REDIS_DB', '1')}",
                  f"  key_prefix: \"{env('REDIS_KEY_PREFIX', 'cap')}\""]
        if os.environ.get("REDIS_PASSWORD"):
            lines.append("  password: ${REDIS_PASSWORD}")
    return "\n".join(lines) + "\n"


def credentials() -> str:
    lines = [
        HEADER,
        "channels.web.CapRestInput: {}",
        "channels.web.CapSocketIOInput:",
        "  user_message_evt: user_uttered",
        "  bot_message_evt: bot_uttered",
        "  session_persistence: true",
        "channels.privacy.PrivacyInput: {}",
    ]
    if os.environ.get("TELEGRAM_ACCESS_TOKEN"):
        lines += ["channels.messaging.CapTelegramInput:", "  access_token: ${TELEGRAM_ACCESS_TOKEN}",
                  "  verify: ${TELEGRAM_VERIFY}", "  webhook_url: ${TELEGRAM_WEBHOOK_URL}"]
    if os.environ.get("FACEBOOK_PAGE_ACCESS_TOKEN"):
        lines += ["channels.messaging.CapFacebookInput:", "  verify: ${FACEBOOK_VERIFY}",
                  "  secret: ${FACEBOOK_SECRET}", "  page-access-token: ${FACEBOOK_PAGE_ACCESS_TOKEN}"]
    if os.environ.get("TWILIO_ACCOUNT_SID"):
        lines += ["channels.messaging.CapTwilioInput:", "  account_sid: ${TWILIO_ACCOUNT_SID}",
                  "  auth_token: ${TWILIO_AUTH_TOKEN}", "  twilio_number: ${TWILIO_NUMBER}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    os.umask(0o077)  # var/ 700, files 600
    out = Path(env("CAP_VAR_DIR", str(REPO / "var")))
    out.mkdir(parents=True, exist_ok=True)
    (out / "endpoints.yml").write_text(endpoints(), encoding="utf-8")
    (out / "credentials.yml").write_text(credentials(), encoding="utf-8")
    print(f"{out / 'endpoints.yml'}\n{out / 'credentials.yml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
