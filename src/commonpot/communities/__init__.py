"""Communities: who may read what, membership and roles, invitations, places.

The public surface other domains call (`from commonpot import communities`, then
`communities.readable_community(...)`); the modules behind it are
`access` (who may read, who belongs), `profile` (starting and describing a community),
`roles` (members and their roles), `invitations` and `place_map`.
Web edges (`web`, `api`, `scope`) are not part of it: they import the web framework.

The exports load on first use, so `commonpot community --help` answers without the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.communities.access import (
        can_read,
        community_and_membership,
        community_by_id,
        find_member,
        member_count,
        members,
        membership,
        my_memberships,
        readable_community,
        require_member,
        require_role,
        visible_communities,
    )
    from commonpot.communities.invitations import (
        INVITE_DAYS,
        accept_invitation,
        create_invitation,
        open_invitation,
        pending_invitations,
        revoke_invitation,
        sign_up_with_invitation,
    )
    from commonpot.communities.models import (
        Community,
        Invitation,
        Membership,
        Place,
        PlaceKind,
        Role,
        Visibility,
    )
    from commonpot.communities.place_map import (
        PlaceChoice,
        create_place,
        delete_place,
        get_place,
        place_choices,
        place_markers,
        places,
        update_place,
    )
    from commonpot.communities.profile import (
        SLUG_RE,
        check_coordinates,
        check_slug,
        check_timezone,
        create_community,
        set_setting,
        timezone_of,
        update_community,
    )
    from commonpot.communities.roles import (
        add_member,
        change_role,
        remove_member,
    )
    from commonpot.communities.signals import (
        Invited,
        RoleChanged,
    )

__all__ = [
    "INVITE_DAYS",
    "SLUG_RE",
    "Community",
    "Invitation",
    "Invited",
    "Membership",
    "Place",
    "PlaceChoice",
    "PlaceKind",
    "Role",
    "RoleChanged",
    "Visibility",
    "accept_invitation",
    "add_member",
    "can_read",
    "change_role",
    "check_coordinates",
    "check_slug",
    "check_timezone",
    "community_and_membership",
    "community_by_id",
    "create_community",
    "create_invitation",
    "create_place",
    "delete_place",
    "find_member",
    "get_place",
    "member_count",
    "members",
    "membership",
    "my_memberships",
    "open_invitation",
    "pending_invitations",
    "place_choices",
    "place_markers",
    "places",
    "readable_community",
    "remove_member",
    "require_member",
    "require_role",
    "revoke_invitation",
    "set_setting",
    "sign_up_with_invitation",
    "timezone_of",
    "update_community",
    "update_place",
    "visible_communities",
]

_ACCESS = frozenset(
    {
        "can_read",
        "community_and_membership",
        "community_by_id",
        "find_member",
        "member_count",
        "members",
        "membership",
        "my_memberships",
        "readable_community",
        "require_member",
        "require_role",
        "visible_communities",
    }
)
_INVITATIONS = frozenset(
    {
        "INVITE_DAYS",
        "accept_invitation",
        "create_invitation",
        "open_invitation",
        "pending_invitations",
        "revoke_invitation",
        "sign_up_with_invitation",
    }
)
_MODELS = frozenset(
    {
        "Community",
        "Invitation",
        "Membership",
        "Place",
        "PlaceKind",
        "Role",
        "Visibility",
    }
)
_PLACE_MAP = frozenset(
    {
        "create_place",
        "delete_place",
        "get_place",
        "PlaceChoice",
        "place_choices",
        "place_markers",
        "places",
        "update_place",
    }
)
_PROFILE = frozenset(
    {
        "SLUG_RE",
        "check_coordinates",
        "check_slug",
        "check_timezone",
        "create_community",
        "set_setting",
        "timezone_of",
        "update_community",
    }
)
_ROLES = frozenset({"add_member", "change_role", "remove_member"})
_SIGNALS = frozenset({"Invited", "RoleChanged"})


def __getattr__(name: str) -> Any:
    value: Any
    if name in _ACCESS:
        from commonpot.communities import access

        value = getattr(access, name)
    elif name in _INVITATIONS:
        from commonpot.communities import invitations

        value = getattr(invitations, name)
    elif name in _MODELS:
        from commonpot.communities import models

        value = getattr(models, name)
    elif name in _PLACE_MAP:
        from commonpot.communities import place_map

        value = getattr(place_map, name)
    elif name in _PROFILE:
        from commonpot.communities import profile

        value = getattr(profile, name)
    elif name in _ROLES:
        from commonpot.communities import roles

        value = getattr(roles, name)
    elif name in _SIGNALS:
        from commonpot.communities import signals

        value = getattr(signals, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
