"""Actions a proposal can take on the community itself: settings and membership."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts import User, Viewer
from commonpot.actions import ActionType, Params, Said, Words, said
from commonpot.communities import roles, service
from commonpot.communities.models import Community
from commonpot.errors import Conflict, Invalid, NotFound

SETTING_TYPES = (str, int, float, bool)


def _validate_setting(session: Session, community: Community, params: Params) -> Params:
    key = params.get("key")
    value: Any = params.get("value")
    if not isinstance(key, str) or not key:
        raise Invalid("Name the setting to change.", field="action.params.key")
    if not isinstance(value, SETTING_TYPES) and value is not None:
        raise Invalid(
            "A setting's value is text, a number or true/false.", field="action.params.value"
        )
    return {"key": key, "value": value}


def _execute_setting(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    service.set_setting(session, community, params["key"], params["value"])
    return said("Setting %(key)s is now %(value)s.", key=params["key"], value=repr(params["value"]))


def _validate_admit(session: Session, community: Community, params: Params) -> Params:
    user = session.get(User, int(params.get("user_id", 0) or 0))
    if user is None:
        raise NotFound("No such person to admit.", field="action.params.user_id")
    role = params.get("role", "member")
    if role not in {"member", "steward", "custodian"}:
        raise Invalid("Role is member, steward or custodian.", field="action.params.role")
    return {"user_id": user.id, "role": role}


def _joined(person: str, role: str) -> Said:
    """What admitting someone did: one sentence per role, so each reads well translated."""
    if role == "steward":
        return said("%(person)s joined as steward.", person=person)
    if role == "custodian":
        return said("%(person)s joined as custodian.", person=person)
    return said("%(person)s joined as member.", person=person)


def _execute_admit(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    user = session.get(User, params["user_id"])
    if user is None:
        raise NotFound("The person to admit no longer exists.")
    service.add_member(session, community, user, params["role"])
    return _joined(user.display_name, params["role"])


def _validate_remove(session: Session, community: Community, params: Params) -> Params:
    user_id = int(params.get("user_id", 0) or 0)
    found = service.find_member(session, community, user_id)
    if found is None:
        raise NotFound("That person is not a member.", field="action.params.user_id")
    return {"user_id": user_id}


def _execute_remove(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    found = service.find_member(session, community, params["user_id"])
    if found is None:
        raise Conflict("That person is no longer a member.")
    name = found.user.display_name
    # the community decided: no one's role is checked (the last steward is still kept)
    roles.expel(session, community, params["user_id"])
    return said("%(person)s is no longer a member.", person=name)


def _shown_value(value: Any, words: Words) -> str:
    if isinstance(value, bool):
        return words.gettext("yes") if value else words.gettext("no")
    if isinstance(value, int | float):
        return words.number(value, 6)
    if value is None:
        return words.gettext("nothing (the default)")
    return f"“{value}”"


def _describe_setting(params: Params, words: Words) -> str:
    return words.gettext("Set %(setting)s to %(value)s") % {
        "setting": params["key"],
        "value": _shown_value(params["value"], words),
    }


def _describe_admit(params: Params, words: Words) -> str:
    return words.gettext("Make %(person)s a %(role)s") % {
        "person": words.person(int(params["user_id"])),
        "role": words.gettext(str(params["role"])),
    }


def _describe_remove(params: Params, words: Words) -> str:
    return words.gettext("Remove %(person)s from the community") % {
        "person": words.person(int(params["user_id"]))
    }


ACTIONS = [
    ActionType(
        kind="change_setting",
        label="Change a community setting",
        describe=_describe_setting,
        validate=_validate_setting,
        execute=_execute_setting,
    ),
    ActionType(
        kind="admit_member",
        label="Admit a member",
        describe=_describe_admit,
        validate=_validate_admit,
        execute=_execute_admit,
    ),
    ActionType(
        kind="remove_member",
        label="Remove a member",
        describe=_describe_remove,
        validate=_validate_remove,
        execute=_execute_remove,
    ),
]
