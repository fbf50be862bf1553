"""get_services(): the domain objects the actions use, built lazily once — the seam tests replace."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What the actions need from bot/."""

    today: Callable[[], date]
    session_factory: Any  # sqlalchemy sessionmaker for the knowledge base
    trainings: Callable[..., Any]  # bot.trainings.service.answer_trainings-compatible
    support_services: Callable[..., list[Any]] = lambda session, place, profile=None: []
    now: Callable[[], datetime] = lambda: _paris_now()  # local time (structures' opening hours)


_lock = threading.Lock()
_services: Services | None = None


def _paris_now() -> datetime:
    """Now in France (naive local time), the clock of the structures' opening hours."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Paris")).replace(tzinfo=None)


def _today() -> date:
    """Today, or CAP_AS_OF (YYYY-MM-DD) to replay a conversation under fixed rules."""
    fixed = os.environ.get("CAP_AS_OF")
    return date.fromisoformat(fixed) if fixed else date.today()


def _build() -> Services:
    from bot.catalogue.build import build_database, is_built
    from bot.catalogue.db import make_engine, make_sessionmaker
    from bot.config import get_settings
    from bot.trainings.service import answer_trainings

    settings = get_settings()
    engine = make_engine(settings.database_url)
    if not is_built(engine):
        log.info("knowledge base not built yet: building it")
        build_database(engine=engine)
    return Services(today=_today, session_factory=make_sessionmaker(engine), trainings=answer_trainings,
                    support_services=_data_inclusion(settings))


def _data_inclusion(settings: Any) -> Callable[[Any, dict[str, Any]], list[Any]]:
    """data·inclusion services near a place: the stored directory ranked for the profile, then live ones
    (2 s budget) only when a token is configured."""
    from types import SimpleNamespace

    from bot.clients.data_inclusion import DataInclusionClient
    from bot.trainings.support import support_near

    client = None
    if settings.data_inclusion_token:
        client = DataInclusionClient(settings.data_inclusion_url, settings.data_inclusion_token,
                                     timeout_s=settings.live_search_budget_s)

    def search(session: Any, place: dict[str, Any], profile: dict[str, Any] | None = None) -> list[Any]:
        items, _source = support_near(session, SimpleNamespace(**place), client=client, profile=profile,
                                      budget_s=settings.live_search_budget_s, radius_km=30)
        return [i for i in items if i.origin == "data-inclusion"]

    return search


def workspace_sessions() -> Any:
    """The sessionmaker of the knowledge base, with the workspace tables migrated (share codes, referrals)."""
    from bot.counsel.store import ensure_migrated

    factory = get_services().session_factory
    ensure_migrated(factory.kw["bind"])
    return factory


def get_services() -> Services:
    """The process-wide services (built on first use, thread-safe)."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = _build()
    return _services


def set_services(services: Services | None) -> None:
    """Replace the services (tests)."""
    global _services
    _services = services
