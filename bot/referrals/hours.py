"""Whether a structure is open at a given time, from the OpenStreetMap opening hours of the directory.

Only the common subset is read ("Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off", "24/7");
anything else answers None (unknown), and the conversation then says it does not know.
"""

from __future__ import annotations

import re
from datetime import datetime

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_RULE_RE = re.compile(r"^(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:\s*[-,]\s*(?:Mo|Tu|We|Th|Fr|Sa|Su))*)\s+"
                      r"(?P<times>off|closed|\d{1,2}:\d{2}-\d{1,2}:\d{2}(?:\s*,\s*\d{1,2}:\d{2}-\d{1,2}:\d{2})*)$")


def _days(spec: str) -> set[int]:
    out: set[int] = set()
    for part in re.split(r"\s*,\s*", spec):
        if "-" in part:
            a, b = (DAYS.index(x.strip()) for x in part.split("-"))
            out.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            out.add(DAYS.index(part.strip()))
    return out


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def weekly_slots(value: str | None) -> dict[int, list[tuple[int, int]]] | None:
    """Opening slots per weekday (0 = Monday), in minutes since midnight; None when unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text == "24/7":
        return {d: [(0, 24 * 60)] for d in range(7)}
    slots: dict[int, list[tuple[int, int]]] = {}
    for rule in (r.strip() for r in text.split(";")):
        if not rule or rule.startswith("PH"):
            continue  # public holidays: not modelled (the answer stays a good guess on those days)
        found = _RULE_RE.match(rule)
        if not found:
            return None
        days = _days(found.group("days"))
        times = found.group("times")
        for d in days:
            if times in ("off", "closed"):
                slots[d] = []
                continue
            slots[d] = [(_minutes(a), _minutes(b)) for a, b in
                        (t.strip().split("-") for t in times.split(","))]
    return slots or None


def is_open(value: str | None, now: datetime) -> bool | None:
    """True when open at `now` (local time of the structure), False when closed, None when unknown."""
    slots = weekly_slots(value)
    if slots is None:
        return None
    minute = now.hour * 60 + now.minute
    return any(start <= minute < end for start, end in slots.get(now.weekday(), []))
