"""Settings built once from the environment, with safe local defaults.

``ENV_VARS`` lists every environment variable the project reads (Python, shell scripts and the
Rasa configuration files); ``scripts/gen_config_docs.py`` renders it as docs/configuration.md and
tests/scripts/test_config_docs.py fails when a variable is read somewhere but missing here, or
when the document is stale.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class EnvVar:
    """One environment variable: its default (as a person reads it) and what it does."""

    name: str
    default: str
    doc: str
    section: str
    secret: bool = False


_GENERATED = "generated into var/secrets/ (mode 600), then reused"

ENV_VARS: tuple[EnvVar, ...] = (
    # --- servers
    EnvVar("BIND_HOST", "127.0.0.1", "Listening address of Rasa, the action server and the web page.", "Servers"),
    EnvVar("RASA_PORT", "5005", "Rasa server port.", "Servers"),
    EnvVar("ACTION_PORT", "5055", "Action server port.", "Servers"),
    EnvVar("ACTION_HOST", "BIND_HOST", "Listening address of the action server (overrides BIND_HOST).", "Servers"),
    EnvVar("WEB_PORT", "8080", "Demo page port.", "Servers"),
    EnvVar("WEB_HOST", "BIND_HOST", "Listening address of the demo page (overrides BIND_HOST).", "Servers"),
    EnvVar("RASA_PUBLIC_URL", "http://localhost:RASA_PORT", "The Rasa server's address as the browser sees it.",
           "Servers"),
    EnvVar("WEB_PUBLIC_URL", "http://localhost:WEB_PORT", "Origin of the page carrying the widget (allowed by CORS).",
           "Servers"),
    EnvVar("ACTION_SERVER_URL", "http://localhost:ACTION_PORT/webhook", "The action server's address as Rasa sees it.",
           "Servers"),
    EnvVar("RASA_PROCESSES", "1", "Rasa processes `make run` starts; above 1: behind a local nginx on RASA_PORT "
           "(needs LOCK_STORE=redis; docs/deployment.md).", "Servers"),
    EnvVar("ACTION_PROCESSES", "1", "Action servers `make run` starts; above 1: behind a local nginx on ACTION_PORT.",
           "Servers"),
    # --- security
    EnvVar("RASA_AUTH_TOKEN", _GENERATED,
           "Token of Rasa's HTTP API and of the REST channel (`?token=` or `Authorization: Bearer`).",
           "Security", secret=True),
    EnvVar("ACTION_SERVER_TOKEN", _GENERATED,
           "Secret the action server requires on every path (header X-Cap-Action-Token).", "Security", secret=True),
    EnvVar("CAP_SESSION_SECRET", _GENERATED,
           "HMAC key signing the widget's sessions (the same on every replica).", "Security", secret=True),
    EnvVar("CAP_CORS_ORIGINS", "(none)",
           "Extra origins allowed to call Rasa from a browser (partner sites), space- or comma-separated.", "Security"),
    EnvVar("CAP_MAX_MESSAGE_CHARS", "2000", "Longest message read; longer ones get a calm answer and are not kept.",
           "Security"),
    EnvVar("CAP_RETENTION_DAYS", "183", "How long conversations are kept (days) by `python -m bot purge`.",
           "Security"),
    # --- storage
    EnvVar("CAP_VAR_DIR", "var/", "Local data folder (databases, logs, generated secrets; mode 700).", "Storage"),
    EnvVar("DATABASE_URL", "sqlite:///var/catalogue.db", "Knowledge base (any SQLAlchemy URL).", "Storage"),
    EnvVar("TRACKER_STORE", "sqlite", "Conversation store: sqlite or postgresql.", "Storage"),
    EnvVar("TRACKER_DB_PATH", "var/tracker.db", "SQLite file of the conversations.", "Storage"),
    EnvVar("TRACKER_DB_HOST", "127.0.0.1", "Conversations on PostgreSQL: host.", "Storage"),
    EnvVar("TRACKER_DB_PORT", "5432", "Conversations on PostgreSQL: port.", "Storage"),
    EnvVar("TRACKER_DB_NAME", "cap_tracker", "Conversations on PostgreSQL: database.", "Storage"),
    EnvVar("TRACKER_DB_USER", "postgres", "Conversations on PostgreSQL: user.", "Storage"),
    EnvVar("TRACKER_DB_PASSWORD", "(none)", "Conversations on PostgreSQL: password.", "Storage", secret=True),
    EnvVar("TRACKER_DB_LOGIN_DB", "postgres", "Database Rasa connects to first to create TRACKER_DB_NAME.", "Storage"),
    EnvVar("LOCK_STORE", "memory", "Conversation locks: memory or redis (required with several replicas).", "Storage"),
    EnvVar("REDIS_HOST", "127.0.0.1", "Redis lock store: host.", "Storage"),
    EnvVar("REDIS_PORT", "6379", "Redis lock store: port.", "Storage"),
    EnvVar("REDIS_DB", "1", "Redis lock store: database number.", "Storage"),
    EnvVar("REDIS_KEY_PREFIX", "cap", "Redis lock store: key prefix (alphanumeric).", "Storage"),
    EnvVar("REDIS_PASSWORD", "(none)", "Redis lock store: password.", "Storage", secret=True),
    # --- open data
    EnvVar("CAP_HTTP_TIMEOUT_S", "5", "Timeout of every call to an open-data source (seconds).", "Open data"),
    EnvVar("CAP_LIVE_SEARCH_BUDGET_S", "2", "Time the live training search gets before the embedded catalogue answers.",
           "Open data"),
    EnvVar("GEO_API_URL", "https://geo.api.gouv.fr", "API Géo.", "Open data"),
    EnvVar("MCF_API_URL", "https://opendata.caissedesdepots.fr", "Mon Compte Formation (open data).", "Open data"),
    EnvVar("OF_LIST_URL", "the public list of training bodies (data.gouv.fr)", "Public list of training bodies.",
           "Open data"),
    EnvVar("DATA_INCLUSION_API_URL", "https://api.data.inclusion.beta.gouv.fr", "data·inclusion API.", "Open data"),
    EnvVar("DATA_INCLUSION_TOKEN", "(none)", "data·inclusion token (without it the source is skipped).", "Open data",
           secret=True),
    EnvVar("LBA_API_URL", "https://labonnealternance.apprentissage.beta.gouv.fr/api", "La bonne alternance.",
           "Open data"),
    EnvVar("LBA_CALLER", "cap-reconversion", "Caller id sent to La bonne alternance.", "Open data"),
    # --- messaging channels (docs/channels.md)
    EnvVar("TELEGRAM_ACCESS_TOKEN", "(none)", "Turns Telegram on: the bot's token.", "Messaging", secret=True),
    EnvVar("TELEGRAM_VERIFY", "(none)", "Telegram: the bot's name.", "Messaging"),
    EnvVar("TELEGRAM_WEBHOOK_URL", "(none)", "Telegram: public webhook address.", "Messaging"),
    EnvVar("TELEGRAM_SECRET_TOKEN", "(none)", "Telegram: webhook secret.", "Messaging", secret=True),
    EnvVar("TELEGRAM_API_BASE", "https://api.telegram.org", "Telegram API base (tests point it at a local fake).",
           "Messaging"),
    EnvVar("FACEBOOK_PAGE_ACCESS_TOKEN", "(none)", "Turns Messenger on: the page's token.", "Messaging", secret=True),
    EnvVar("FACEBOOK_VERIFY", "(none)", "Messenger: verify token.", "Messaging", secret=True),
    EnvVar("FACEBOOK_SECRET", "(none)", "Messenger: app secret (signature).", "Messaging", secret=True),
    EnvVar("FACEBOOK_GRAPH_URL", "https://graph.facebook.com/…", "Graph API base (tests point it at a local fake).",
           "Messaging"),
    EnvVar("TWILIO_ACCOUNT_SID", "(none)", "Turns Twilio (SMS, WhatsApp) on: the account.", "Messaging"),
    EnvVar("TWILIO_AUTH_TOKEN", "(none)", "Twilio: auth token (signature).", "Messaging", secret=True),
    EnvVar("TWILIO_NUMBER", "(none)", "Twilio: sending number.", "Messaging"),
    EnvVar("TWILIO_WHATSAPP_NUMBER", "(none)", "Twilio: WhatsApp number.", "Messaging"),
    EnvVar("TWILIO_VALIDATE_SIGNATURE", "see docs/channels.md", "Twilio: check X-Twilio-Signature.", "Messaging"),
    EnvVar("TWILIO_WEBHOOK_URL", "(none)", "Twilio: public webhook address (signed URL).", "Messaging"),
    EnvVar("TWILIO_API_BASE", "https://api.twilio.com", "Twilio API base (tests point it at a local fake).", "Messaging"),
    EnvVar("CAP_MESSAGING_ID_KEY", _GENERATED.replace("var/secrets/", "var/messaging-id.key"),
           "HMAC key of hashed SMS/WhatsApp conversation ids (the phone number is never stored).", "Messaging",
           secret=True),
    EnvVar("TWILIO_SMS_FOLD_ACCENTS", "true", "SMS: fold ê â ô î û ë ï ç so a message stays GSM-7 (fewer segments).",
           "Messaging"),
    EnvVar("TWILIO_SMS_TURN_SEGMENTS", "5", "SMS: segments sent per turn before « Répondez TOUT ».", "Messaging"),
    # --- counsellors' workspace
    EnvVar("COUNSEL_HOST", "BIND_HOST", "Listening address of the counsellors' workspace.", "Counsellors"),
    EnvVar("COUNSEL_PORT", "8081", "Counsellors' workspace port (http://localhost:8081/conseil/).", "Counsellors"),
    EnvVar("COUNSEL_PASSWORD", "(asked)", "Password for `python -m bot counsellors add` (else asked on the terminal).",
           "Counsellors", secret=True),
    EnvVar("COUNSEL_SECURE_COOKIES", "auto (X-Forwarded-Proto)", "Force the Secure flag on session cookies.",
           "Counsellors"),
    EnvVar("COUNSEL_RETENTION_DAYS", "90", "Days cases and share codes are kept before `counsellors purge`.",
           "Counsellors"),
    EnvVar("COUNSEL_PUBLIC_URL", "http://localhost:COUNSEL_PORT/conseil/",
           "The workspace's address as counsellors reach it (link in referral e-mails).", "Counsellors"),
    # --- referrals (issue 10): a structure calls the person back, with their consent
    EnvVar("REFERRAL_STRUCTURES_FILE", "var/referral-structures.yml",
           "YAML mapping structure id → e-mail (and workspace structure) of the structures that receive referrals; "
           "without an entry a structure gets none (the person is given its contacts).", "Referrals"),
    EnvVar("REFERRAL_RETENTION_DAYS", "30",
           "Days a closed, refused or cancelled referral is kept before `python -m bot purge` deletes it.",
           "Referrals"),
    EnvVar("CAP_REFERRAL_KEY", _GENERATED,
           "HMAC key of the conversation id stored with a referral (the raw id never is).", "Referrals", secret=True),
    EnvVar("SMTP_HOST", "(none)", "SMTP server of the referral e-mails (without it no referral can be sent).",
           "Referrals"),
    EnvVar("SMTP_PORT", "587 (465 with ssl, 25 with none)", "SMTP port.", "Referrals"),
    EnvVar("SMTP_TLS", "starttls", "SMTP encryption: starttls, ssl or none.", "Referrals"),
    EnvVar("SMTP_USER", "(none)", "SMTP login (with SMTP_PASSWORD).", "Referrals"),
    EnvVar("SMTP_PASSWORD", "(none)", "SMTP password.", "Referrals", secret=True),
    EnvVar("SMTP_FROM", "Cap Reconversion <ne-pas-repondre@localhost>", "Sender of the referral e-mails.",
           "Referrals"),
    EnvVar("SMTP_TIMEOUT_S", "10", "Timeout of every SMTP step (seconds).", "Referrals"),
    EnvVar("STATS_K", "10", "Partners' statistics: smallest number of people a published cell may count "
           "(k-anonymity).", "Counsellors"),
    # --- development and tests
    EnvVar("PYTHON", "python3.10 found on PATH or through pyenv", "Interpreter used by `make install`.", "Development"),
    EnvVar("CAP_AS_OF", "today", "Reference date of the rules (YYYY-MM-DD), for tests.", "Development"),
    EnvVar("CAP_SHARED_DIR", "/work/shared", "Shared reference (contract) read by the copy tests.", "Development"),
    EnvVar("TQDM_MININTERVAL", "(tqdm's default)", "Refresh interval of progress bars.", "Development"),
)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int, minimum: int = 1) -> int:
    """An integer setting: `default` when unset or not a number, never under `minimum`."""
    try:
        return max(minimum, int(_env(name, str(default))))
    except ValueError:
        return default


def var_dir() -> Path:
    """The local data folder (created mode 700)."""
    path = Path(_env("CAP_VAR_DIR", str(REPO_ROOT / "var")))
    path.mkdir(parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except OSError:  # not ours (e.g. a shared mount): leave it
        pass
    return path


def local_secret(env_name: str) -> str:
    """``env_name`` from the environment, else a random value generated once into
    ``var/secrets/<env_name>`` (mode 600) and reused by every later process."""
    value = os.environ.get(env_name)
    if value:
        return value
    folder = var_dir() / "secrets"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / env_name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))  # hex: never starts with "-" (a CLI option)
    return path.read_text(encoding="ascii").strip()


def cors_origins() -> list[str]:
    """The origins allowed to call Rasa from a browser: the widget's page, then partners'."""
    web_port = _env("WEB_PORT", "8080")
    own = _env("WEB_PUBLIC_URL", f"http://localhost:{web_port}").rstrip("/")
    origins = [own]
    if own == f"http://localhost:{web_port}":
        origins.append(f"http://127.0.0.1:{web_port}")
    extra = _env("CAP_CORS_ORIGINS", "").replace(",", " ").split()
    return origins + [o.rstrip("/") for o in extra if o.rstrip("/") not in origins]


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Secrets come from the environment only."""

    var_dir: Path
    database_url: str
    http_timeout_s: float = 5.0
    live_search_budget_s: float = 2.0
    # External sources: base URLs default to the real endpoints; tests point them at 127.0.0.1.
    geo_api_url: str = "https://geo.api.gouv.fr"
    mcf_api_url: str = "https://opendata.caissedesdepots.fr"
    of_list_url: str = "https://www.data.gouv.fr/fr/datasets/r/ac59a0f5-fa83-4b82-bf12-3c5806d4f19f"
    data_inclusion_url: str = "https://api.data.inclusion.gouv.fr"  # the publisher's trusted host
    data_inclusion_token: str | None = field(default=None, repr=False)
    lba_api_url: str = "https://labonnealternance.apprentissage.beta.gouv.fr/api"
    lba_caller: str = "cap-reconversion"
    max_message_chars: int = 2000
    retention_days: int = 183

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from environment variables (see docs/configuration.md)."""
        var_dir = Path(_env("CAP_VAR_DIR", str(REPO_ROOT / "var")))
        return cls(
            var_dir=var_dir,
            database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'catalogue.db'}"),
            http_timeout_s=float(_env("CAP_HTTP_TIMEOUT_S", "5")),
            live_search_budget_s=float(_env("CAP_LIVE_SEARCH_BUDGET_S", "2")),
            geo_api_url=_env("GEO_API_URL", cls.geo_api_url),
            mcf_api_url=_env("MCF_API_URL", cls.mcf_api_url),
            of_list_url=_env("OF_LIST_URL", cls.of_list_url),
            data_inclusion_url=_env("DATA_INCLUSION_API_URL", cls.data_inclusion_url),
            data_inclusion_token=os.environ.get("DATA_INCLUSION_TOKEN") or None,
            lba_api_url=_env("LBA_API_URL", cls.lba_api_url),
            lba_caller=_env("LBA_CALLER", cls.lba_caller),
            max_message_chars=int(_env("CAP_MAX_MESSAGE_CHARS", "2000")),
            retention_days=int(_env("CAP_RETENTION_DAYS", "183")),
        )


def tracker_store_url() -> str:
    """SQLAlchemy URL of the conversations (Rasa's SQL tracker store), from the same variables as
    the rendered endpoints.yml (TRACKER_STORE, TRACKER_DB_*)."""
    from urllib.parse import quote

    if _env("TRACKER_STORE", "sqlite") == "postgresql":
        password = os.environ.get("TRACKER_DB_PASSWORD") or ""
        auth = quote(_env("TRACKER_DB_USER", "postgres"), safe="") + (f":{quote(password, safe='')}" if password else "")
        return (f"postgresql+psycopg2://{auth}@{_env('TRACKER_DB_HOST', '127.0.0.1')}:{_env('TRACKER_DB_PORT', '5432')}"
                f"/{_env('TRACKER_DB_NAME', 'cap_tracker')}")
    default = Path(_env("CAP_VAR_DIR", str(REPO_ROOT / "var"))) / "tracker.db"
    return f"sqlite:///{_env('TRACKER_DB_PATH', str(default))}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings.from_env()
