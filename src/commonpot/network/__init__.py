"""Network domain: foraging patches, offers, needs and fair allocation runs.

What other domains may use is exported here; everything else is the domain's own. The
exports load on first use, so the allocation engine and `commonpot allocate solve` start
without the ORM or the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.network.menu_needs import NeedDraft, needs_from_lines
    from commonpot.network.models import ForagingPatch, Need, Offer
    from commonpot.network.runs import create_run
    from commonpot.network.service import (
        create_need,
        create_offer,
        latest,
        patches,
        visible_offers,
    )
    from commonpot.network.staples import pantry_staples

__all__ = [
    "ForagingPatch",
    "Need",
    "NeedDraft",
    "Offer",
    "create_need",
    "create_offer",
    "create_run",
    "latest",
    "needs_from_lines",
    "pantry_staples",
    "patches",
    "visible_offers",
]

_MODELS = frozenset({"ForagingPatch", "Need", "Offer"})
_SERVICE = frozenset({"create_need", "create_offer", "latest", "patches", "visible_offers"})
_MENU = frozenset({"NeedDraft", "needs_from_lines"})


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from commonpot.network import models

        value = getattr(models, name)
    elif name in _SERVICE:
        from commonpot.network import service

        value = getattr(service, name)
    elif name in _MENU:
        from commonpot.network import menu_needs

        value = getattr(menu_needs, name)
    elif name == "create_run":
        from commonpot.network.runs import create_run

        value = create_run
    elif name == "pantry_staples":
        from commonpot.network.staples import pantry_staples

        value = pantry_staples
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
