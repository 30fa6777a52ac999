"""Ecology domain: biodiversity, impact assessment, crop sharing and food access.

What other domains may use is exported here; everything else is the domain's own.
The exports load on first use (the food-access engine brings NumPy and SciPy), so `commonpot
ecology --help` answers without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.ecology.food_access import Nearest, Population, Sources, nearest_sources
    from commonpot.ecology.service import highlights

__all__ = ["Nearest", "Population", "Sources", "highlights", "nearest_sources"]


_FOOD_ACCESS = frozenset({"Nearest", "Population", "Sources", "nearest_sources"})


def __getattr__(name: str) -> Any:
    value: Any
    if name in _FOOD_ACCESS:
        from commonpot.ecology import food_access

        value = getattr(food_access, name)
    elif name == "highlights":
        from commonpot.ecology import service

        value = service.highlights
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
