"""Network domain: foraging patches, offers, needs and fair allocation runs.

What other domains may use is exported here; everything else is the domain's own. The
exports load on first use, so the allocation engine and `commonpot allocate solve` start
without the ORM or the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.network.models import ForagingPatch, Need, Offer
    from commonpot.network.service import create_need, create_offer, patches, visible_offers

__all__ = [
    "ForagingPatch",
    "Need",
    "Offer",
    "create_need",
    "create_offer",
    "patches",
    "visible_offers",
]

_MODELS = frozenset({"ForagingPatch", "Need", "Offer"})
_SERVICE = frozenset({"create_need", "create_offer", "patches", "visible_offers"})


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from commonpot.network import models

        value = getattr(models, name)
    elif name in _SERVICE:
        from commonpot.network import service

        value = getattr(service, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
