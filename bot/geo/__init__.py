"""Communes of France: the index, resolution of what people type, place mentions, distances.

Nothing is read at import time: the data file is loaded on the first call to `communes()`
(directly or through `resolve` / `find_communes_in_text`) and kept for the process.
"""

from __future__ import annotations

from bot.geo.distance import haversine_km
from bot.geo.index import Commune, CommuneIndex, communes
from bot.geo.resolve import Resolution, resolve
from bot.geo.text import Match, find_communes_in_text

__all__ = [
    "Commune",
    "CommuneIndex",
    "Match",
    "Resolution",
    "communes",
    "find_communes_in_text",
    "haversine_km",
    "resolve",
]
