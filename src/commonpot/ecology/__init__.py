"""Ecology domain: biodiversity, impact assessment, crop sharing and food access.

What other domains may use is exported here; everything else is the domain's own.
`highlights` (what the community home shows) loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commonpot.ecology.food_access import Nearest, Population, Sources, nearest_sources

if TYPE_CHECKING:
    from commonpot.ecology.service import highlights

__all__ = ["Nearest", "Population", "Sources", "highlights", "nearest_sources"]


def __getattr__(name: str) -> Any:
    if name == "highlights":
        from commonpot.ecology import service

        globals()[name] = service.highlights
        return service.highlights
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
