"""Actions a governance proposal can take on events: who may call flash events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.actions import ActionType, Params, Said, Words, said
from commonpot.communities import Community, set_setting
from commonpot.errors import Invalid
from commonpot.events.access import FLASH_SETTING


def _validate(session: Session, community: Community, params: Params) -> Params:
    allowed = params.get("allowed")
    if not isinstance(allowed, bool):
        raise Invalid("Say true or false.", field="action.params.allowed")
    return {"allowed": allowed}


def _execute(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    set_setting(session, community, FLASH_SETTING, params["allowed"])
    if params["allowed"]:
        return said("Every member may now call flash events.")
    return said("Only stewards call flash events now.")


def _describe(params: Params, words: Words) -> str:
    if params["allowed"]:
        return words.gettext("Every member may call flash events")
    return words.gettext("Only stewards may call flash events")


ACTIONS = [
    ActionType(
        kind="events_members_call_flash",
        label="Let every member call flash events (or only stewards)",
        describe=_describe,
        validate=_validate,
        execute=_execute,
    ),
]
