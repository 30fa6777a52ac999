"""Network use cases in one place for the domain's edges (web, API, CLI, demo, jobs).

The code lives by section: `access` (who may see and change what), `checks` (field
checks), `offers` (offers and needs), `groups` (priority groups), `foraging` (foraging
patches and harvests), `runs` (allocation runs), `handovers` (the last mile).
"""

from __future__ import annotations

from commonpot.network.access import (
    is_steward,
    owner_or_steward,
    require_reader,
    require_steward,
)
from commonpot.network.checks import MAX_QUANTITY
from commonpot.network.circumstances import CIRCUMSTANCES, assign_group
from commonpot.network.circumstances import state as state_circumstances
from commonpot.network.foraging import (
    get_patch,
    harvested_this_season,
    harvests,
    import_geojson,
    log_harvest,
    patches,
    patches_geojson,
    save_patch,
    season_start,
)
from commonpot.network.groups import create_group, get_group, groups
from commonpot.network.offers import (
    SHOWN,
    create_need,
    create_offer,
    get_need,
    get_offer,
    latest,
    open_categories,
    open_counts,
    open_shown,
    visible_needs,
    visible_offers,
    withdraw_need,
    withdraw_offer,
)

__all__ = [
    "CIRCUMSTANCES",
    "MAX_QUANTITY",
    "SHOWN",
    "assign_group",
    "create_group",
    "create_need",
    "create_offer",
    "get_group",
    "get_need",
    "get_offer",
    "get_patch",
    "groups",
    "harvested_this_season",
    "harvests",
    "import_geojson",
    "is_steward",
    "latest",
    "log_harvest",
    "open_categories",
    "open_counts",
    "open_shown",
    "owner_or_steward",
    "patches",
    "patches_geojson",
    "require_reader",
    "require_steward",
    "save_patch",
    "season_start",
    "state_circumstances",
    "visible_needs",
    "visible_offers",
    "withdraw_need",
    "withdraw_offer",
]
