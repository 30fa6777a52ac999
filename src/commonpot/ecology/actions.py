"""Ecology's governance action: adopt a crop-sharing plan the community voted for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.actions import ActionType, Params, Said, Words
from commonpot.communities import Community
from commonpot.ecology.models import CropPlan, PlanStatus
from commonpot.ecology.plans import adopt_plan
from commonpot.errors import Conflict, Invalid, NotFound
from commonpot.tenancy import find_scoped
from commonpot.words import said_n


def _validate(session: Session, community: Community, params: Params) -> Params:
    raw = params.get("plan_id")
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise Invalid("Name the crop plan by its number.", field="action.params.plan_id")
    plan = find_scoped(session, CropPlan, raw, community.id)
    if plan is None:
        raise NotFound("No such crop plan here.", field="action.params.plan_id")
    if plan.status != PlanStatus.DRAFT.value:
        if plan.status == PlanStatus.ADOPTED.value:
            raise Conflict("Crop plan %(plan)s is already adopted.", plan=str(raw))
        raise Conflict("Crop plan %(plan)s is already discarded.", plan=str(raw))
    return {"plan_id": raw}


def _execute(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    plan = adopt_plan(session, community, params["plan_id"])
    return said_n(
        "Crop plan %(plan)s adopted: %(num)s planting recorded, seed taken.",
        "Crop plan %(plan)s adopted: %(num)s plantings recorded, seed taken.",
        len(plan.moves),
        plan=str(plan.id),
    )


def _describe(params: Params, words: Words) -> str:
    return words.gettext("Adopt crop plan %(plan)s (plants shared seed as planned).") % {
        "plan": params.get("plan_id")
    }


ACTIONS = [
    ActionType(
        kind="adopt_crop_plan",
        label="Adopt a crop-sharing plan",
        describe=_describe,
        validate=_validate,
        execute=_execute,
    )
]
