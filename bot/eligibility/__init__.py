"""Eligibility: rules as data (one YAML per dispositif) and the engine that explains itself."""

from __future__ import annotations

from typing import Any


def evaluate(profile: dict[str, Any], as_of: Any = None, **kwargs: Any) -> dict[str, Any]:
    """See `bot.eligibility.engine.evaluate` (imported lazily: nothing happens at import time)."""
    from bot.eligibility.engine import evaluate as _evaluate

    return _evaluate(profile, as_of, **kwargs)
