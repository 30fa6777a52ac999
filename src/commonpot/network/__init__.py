"""Network domain: foraging patches, offers, needs and fair allocation runs.

What other domains may use is exported here; everything else is the domain's own. The
exports load on first use, so the allocation engine and `commonpot allocate solve` start
without the ORM or the database layer.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.network.models import ForagingPatch, Need, Offer
    from commonpot.network.service import create_need, patches, visible_offers

__all__ = ["ForagingPatch", "Need", "Offer", "create_need", "patches", "visible_offers"]

_HOME = {
    "ForagingPatch": "commonpot.network.models",
    "Need": "commonpot.network.models",
    "Offer": "commonpot.network.models",
    "create_need": "commonpot.network.service",
    "patches": "commonpot.network.service",
    "visible_offers": "commonpot.network.service",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
