"""Every domain's tables, imported in one place so the metadata (and Alembic) sees them all."""

from __future__ import annotations

from commonpot.accounts import models as accounts_models
from commonpot.biotumblers import models as biotumblers_models
from commonpot.communities import models as communities_models
from commonpot.db import Base
from commonpot.ecology import models as ecology_models
from commonpot.events import models as events_models
from commonpot.experiences import models as experiences_models
from commonpot.federation import models as federation_models
from commonpot.governance import models as governance_models
from commonpot.jobs import models as jobs_models
from commonpot.network import models as network_models
from commonpot.notifications import models as notifications_models
from commonpot.recipes import models as recipes_models

MODEL_MODULES = (
    accounts_models,
    communities_models,
    recipes_models,
    network_models,
    governance_models,
    events_models,
    experiences_models,
    ecology_models,
    jobs_models,
    notifications_models,
    federation_models,
    biotumblers_models,
)


def load_all() -> type[Base]:
    """The declarative base, with every domain's tables in its metadata."""
    return Base
