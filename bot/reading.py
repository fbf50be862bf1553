"""The reading mode of the conversation being answered: normal or easy-to-read (FALC).

FALC ("Facile à lire et à comprendre") wording is written by hand next to the normal wording
(bot/conversation/messages_falc.yml, bot/eligibility/falc.yml, the conditional responses of
domain.yml). The actions set the mode from the `easy_read` slot for the time of one run
(`actions.common.reading_mode`); everything that renders text asks `easy()`.
A context variable, not a parameter: the rule engine and the message catalogue are reached through
many pure functions, and each action server request runs in its own task (its own context).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["easy", "easy_read"]

_EASY: ContextVar[bool] = ContextVar("easy_read", default=False)


def easy() -> bool:
    """Whether the text being rendered is for the easy-to-read mode."""
    return _EASY.get()


@contextmanager
def easy_read(on: bool = True) -> Iterator[None]:
    """Render in the easy-to-read mode (or not) inside the block; the previous mode comes back after."""
    token = _EASY.set(bool(on))
    try:
        yield
    finally:
        _EASY.reset(token)
