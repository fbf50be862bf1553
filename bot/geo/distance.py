"""Great-circle distances (haversine), the one implementation of the project."""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["EARTH_RADIUS_KM", "distance_from", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088


def distance_from(lat: float, lon: float) -> Callable[[float, float], float]:
    """Distance in km from the WGS84 point (lat, lon), as a function of the other point.

    The origin's trigonometry is computed once, so a loop over many candidates costs little more
    than the formula written inline.
    """
    p1 = math.radians(lat)
    cos1 = math.cos(p1)
    diameter = 2 * EARTH_RADIUS_KM

    def to(lat2: float, lon2: float, *, rad=math.radians, sin=math.sin, cos=math.cos, asin=math.asin,
           sqrt=math.sqrt) -> float:
        p2 = rad(lat2)
        a = sin((p2 - p1) / 2) ** 2 + cos1 * cos(p2) * sin(rad(lon2 - lon) / 2) ** 2
        return diameter * asin(min(1.0, sqrt(a)))

    return to


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in kilometres between two WGS84 points (haversine formula)."""
    return distance_from(lat1, lon1)(lat2, lon2)
