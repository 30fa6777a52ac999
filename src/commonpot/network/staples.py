"""The community's pantry staples: foods never asked of the network (stewards edit the list)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.errors import Invalid
from commonpot.network.access import require_steward
from commonpot.network.menu_needs import DEFAULT_STAPLES

SETTING = "pantry_staples"
MAX_STAPLES = 100


def pantry_staples(community: Community) -> list[str]:
    """The community's list, or the default one (water, salt, oil, sugar...)."""
    found = (community.settings or {}).get(SETTING)
    return list(found) if isinstance(found, list) else list(DEFAULT_STAPLES)


def set_pantry_staples(
    session: Session, community: Community, viewer: Viewer, foods: list[str]
) -> list[str]:
    """Stewards set the list (one food per entry, at most 100, each up to 60 characters)."""
    require_steward(session, community, viewer)
    cleaned = sorted({" ".join(f.lower().split()) for f in foods if f.strip()})
    if len(cleaned) > MAX_STAPLES:
        raise Invalid("staples: at most %(most)s foods", field="staples", most=MAX_STAPLES)
    if any(len(f) > 60 for f in cleaned):
        raise Invalid("staples: each food at most 60 characters", field="staples")
    community.settings = {**(community.settings or {}), SETTING: cleaned}
    session.flush()
    return cleaned
