"""Experiences domain: a recipe's story in 3-D (WebXR), voiced by the people who carry it.

What other domains may use is exported here; everything else is the domain's own.

The exports load on first use, as every domain's do (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.experiences.gatherings import guest_pass
    from commonpot.experiences.models import Gathering
    from commonpot.experiences.service import Experience, audible_recordings, experience

__all__ = ["Experience", "Gathering", "audible_recordings", "experience", "guest_pass"]

_GATHERINGS = frozenset({"guest_pass"})
_MODELS = frozenset({"Gathering"})
_SERVICE = frozenset({"Experience", "audible_recordings", "experience"})


def __getattr__(name: str) -> Any:
    value: Any
    if name in _GATHERINGS:
        from commonpot.experiences import gatherings

        value = getattr(gatherings, name)
    elif name in _MODELS:
        from commonpot.experiences import models

        value = getattr(models, name)
    elif name in _SERVICE:
        from commonpot.experiences import service

        value = getattr(service, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
