"""Biotumblers domain: compost telemetry, sanitisation (EPA PFRP) and alerts.

What other domains may use is exported here; everything else is the domain's own. The
readings' parsers load at once (plain Python); the assessment engine (NumPy) and
`compost_delivered` (what ecology's dome pages show) load on first use, so `commonpot
biotumbler --help` answers without NumPy and `commonpot biotumbler assess` starts without the
ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commonpot.biotumblers.readings import Reading, parse_message, parse_reading

if TYPE_CHECKING:
    from commonpot.biotumblers.assessment import Alert, Assessment, assess
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


_ASSESSMENT = frozenset({"Alert", "Assessment", "assess"})


def __getattr__(name: str) -> Any:
    if name in _ASSESSMENT:
        from commonpot.biotumblers import assessment

        value = getattr(assessment, name)
        globals()[name] = value
        return value
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
