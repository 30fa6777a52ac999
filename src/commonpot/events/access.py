"""Who sees and who runs events: the one visibility rule and the organiser/steward checks.

Every read path (pages, API, feeds, live streams) filters through `visible_events`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community, Role, membership, require_member
from commonpot.errors import Forbidden
from commonpot.events.models import Event, EventVisibility
from commonpot.tenancy import select_scoped

FLASH_SETTING = "events.members_call_flash"
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def real_id(value: int | None) -> bool:
    """True when the number can be a row id (larger ones cannot exist, on any database)."""
    return value is not None and 1 <= value <= MAX_ID


def is_member(session: Session, community: Community, viewer: Viewer) -> bool:
    """True for members of the community and instance admins."""
    return viewer.is_admin or membership(session, community, viewer) is not None


def visible_events(session: Session, community: Community, viewer: Viewer) -> Select[Event]:
    """THE visibility rule: members see all the community's events, others the public ones.

    The caller must already have checked that the viewer may read the community.
    """
    return event_rule(community.id, is_member(session, community, viewer))


def event_rule(community_id: Any, member: bool) -> Select[Event]:
    """`visible_events`' statement for a member (every event of the community) or anyone
    else (its public ones); `community_id` may be a bound parameter (a statement built once
    per process, `service.list_events`)."""
    query = select_scoped(Event, community_id)
    if not member:
        query = query.where(Event.visibility == EventVisibility.PUBLIC.value)
    return query


def can_manage(session: Session, community: Community, viewer: Viewer, event: Event) -> bool:
    """Stewards run every event; organisers run their own."""
    if viewer.is_admin:
        return True
    mine = membership(session, community, viewer)
    if mine is None:
        return False
    return mine.role == Role.STEWARD.value or event.created_by_id == mine.user_id


def require_manager(session: Session, community: Community, viewer: Viewer, event: Event) -> None:
    """Forbidden unless the viewer is the event's organiser or a steward."""
    if not viewer.is_admin:
        require_member(session, community, viewer)
    if not can_manage(session, community, viewer, event):
        raise Forbidden("Only the organiser or a steward can do this for the event.")


def may_call_flash(session: Session, community: Community, viewer: Viewer) -> bool:
    """Stewards call flash events; members too when the community allows it."""
    if viewer.is_admin:
        return True
    mine = membership(session, community, viewer)
    if mine is None:
        return False
    allowed = bool((community.settings or {}).get(FLASH_SETTING, False))
    return mine.role == Role.STEWARD.value or allowed
