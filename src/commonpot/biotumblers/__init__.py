"""Biotumblers domain: compost telemetry, sanitisation (EPA PFRP) and alerts.

What other domains may use is exported here; everything else is the domain's own. The
engine exports load at once (they are pure); `compost_delivered` (what ecology's dome pages
show) loads on first use, so `commonpot biotumbler assess` starts without the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commonpot.biotumblers.assessment import Alert, Assessment, assess
from commonpot.biotumblers.readings import Reading, parse_message, parse_reading

if TYPE_CHECKING:
    from commonpot.biotumblers.links import compost_delivered
    from commonpot.biotumblers.reads import highlights

__all__ = [
    "Alert",
    "Assessment",
    "Reading",
    "assess",
    "compost_delivered",
    "highlights",
    "parse_message",
    "parse_reading",
]


def __getattr__(name: str) -> Any:
    if name == "compost_delivered":
        from commonpot.biotumblers import links

        value = links.compost_delivered
        globals()[name] = value
        return value
    if name == "highlights":
        from commonpot.biotumblers import reads

        globals()[name] = reads.highlights
        return reads.highlights
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
