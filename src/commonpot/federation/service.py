"""Federation use cases: following other communities by handle, and who follows whom."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import BindParameter, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session, load_only

from commonpot import events, tenancy
from commonpot.accounts import Viewer
from commonpot.communities import Community, Role, require_role
from commonpot.db import utcnow
from commonpot.errors import N_, Conflict, Forbidden, Invalid
from commonpot.federation import calendar
from commonpot.federation.actors import fetch_actor
from commonpot.federation.blocks import is_blocked
from commonpot.federation.client import FetchError
from commonpot.federation.handles import Handle, parse_handle
from commonpot.federation.instance import Fed
from commonpot.federation.models import (
    Activity,
    DomainBlock,
    Follower,
    Following,
    RemoteItem,
)
from commonpot.federation.vocab import (
    ACTIVITY_JSON,
    activity,
)


def _webfinger(fed: Fed, handle: Handle) -> str:
    schemes = ["https", "http"] if fed.client.allow_http else ["https"]
    last: Exception | None = None
    for scheme in schemes:
        url = f"{scheme}://{handle.host}/.well-known/webfinger?resource={handle.acct}"
        try:
            doc = fed.client.get_json(url, accept="application/jrd+json, application/json")
        except FetchError as exc:
            last = exc
            continue
        for link in doc.get("links", []):
            if (
                isinstance(link, dict)
                and link.get("rel") == "self"
                and isinstance(link.get("href"), str)
                and "json" in str(link.get("type", ACTIVITY_JSON))
            ):
                return str(link["href"])
        raise Invalid("%(handle)s has no ActivityPub actor.", field="handle", handle=str(handle))
    raise Invalid(
        "Could not find %(handle)s: %(reason)s",
        field="handle",
        handle=str(handle),
        reason=str(last),
    )


def follow(
    session: Session, fed: Fed, community: Community, viewer: Viewer, handle_text: str
) -> Following:
    """A steward makes the community follow another one by its handle; sends a Follow."""
    if not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    if not community.is_public:
        raise Invalid("Only public communities can follow other communities.", field="handle")
    handle = parse_handle(handle_text)
    if is_blocked(session, handle.host.split(":", 1)[0], community.id):
        raise Forbidden("%(domain)s is blocked.", domain=str(handle.host))
    actor_url = _webfinger(fed, handle)
    try:
        actor = fetch_actor(session, fed, actor_url)
    except FetchError as exc:
        raise Invalid(
            "Could not read %(handle)s: %(reason)s",
            field="handle",
            handle=str(handle),
            reason=str(exc),
        ) from exc
    if actor.actor_id == fed.urls.actor(community.slug):
        raise Invalid("A community cannot follow itself.", field="handle")
    if is_blocked(session, actor.domain, community.id):
        raise Forbidden("%(domain)s is blocked.", domain=str(actor.domain))
    existing = session.scalar(
        select(Following).where(
            Following.community_id == community.id, Following.actor_id == actor.actor_id
        )
    )
    if existing is not None:
        raise Conflict(
            "%(community)s already follows %(handle)s.",
            community=str(community.name),
            handle=str(handle),
        )
    our_actor = fed.urls.actor(community.slug)
    row = Following(
        community_id=community.id,
        actor_id=actor.actor_id,
        handle=str(handle),
        name=actor.name or str(handle),
        inbox=actor.inbox,
        domain=actor.domain,
        follow_id=f"{our_actor}#follows/{uuid.uuid4().hex}",
        state="pending",
    )
    session.add(row)
    doc = activity("Follow", row.follow_id, our_actor, actor.actor_id)
    queue(session, community.id, doc, actor.inbox)
    session.flush()
    return row


def unfollow(
    session: Session, fed: Fed, community: Community, viewer: Viewer, following_id: int
) -> None:
    """Stop following: send Undo{Follow} and drop what was kept from that community."""
    if not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    row = tenancy.get_scoped(
        session, Following, following_id, community.id, missing=N_("Not following that community.")
    )
    our_actor = fed.urls.actor(community.slug)
    follow_doc = activity("Follow", row.follow_id, our_actor, row.actor_id)
    undo = activity("Undo", f"{row.follow_id}/undo", our_actor, follow_doc)
    queue(session, community.id, undo, row.inbox)
    session.execute(
        delete(RemoteItem).where(
            RemoteItem.community_id == community.id, RemoteItem.origin_actor == row.actor_id
        )
    )
    session.delete(row)
    session.flush()


def following(session: Session, community: Community) -> list[Following]:
    """The communities this one follows."""
    query = tenancy.select_scoped(Following, community.id)
    return list(session.scalars(query.order_by(Following.created_at, Following.id)))


def followers(session: Session, community: Community) -> list[Follower]:
    """Who follows this community (accepted followers)."""
    query = tenancy.select_scoped(Follower, community.id).where(Follower.state == "accepted")
    return list(session.scalars(query.order_by(Follower.id)))


def follower_count(session: Session, community: Community) -> int:
    """How many accept this community's activities (`followers`, counted by the database)."""
    query = tenancy.select_scoped(Follower, community.id).where(Follower.state == "accepted")
    return int(session.scalar(query.with_only_columns(func.count())) or 0)


def remote_items(
    session: Session, community: Community, kind: str | None = None
) -> list[RemoteItem]:
    """What followed communities shared, newest first ("from other communities")."""
    query = tenancy.select_scoped(RemoteItem, community.id)
    if kind is not None:
        query = query.where(RemoteItem.kind == kind)
    return list(session.scalars(query.order_by(RemoteItem.updated_at.desc(), RemoteItem.id)))


def queue(session: Session, community_id: int | None, doc: dict[str, Any], inbox: str) -> Activity:
    """Queue a ready activity for one inbox (sent by `delivery.deliver_due`)."""
    row = Activity(
        community_id=community_id, verb=str(doc["type"]), document=doc, target_inbox=inbox
    )
    session.add(row)
    return row


def now() -> datetime:
    """The current time (UTC)."""
    return utcnow()


def remote_events(session: Session, community: Community) -> list[RemoteItem]:
    """Remote events still to come (or under way), soonest first, for calendars and lists;
    none of a domain blocked for the instance or this community, even when some row of
    theirs was not yet removed."""
    values = {"community_id": community.id, "since": utcnow() - timedelta(days=1)}
    return list(session.scalars(_REMOTE_EVENTS, values))


_IN_COMMUNITY: BindParameter[int] = bindparam("community_id")
_BLOCKED = (
    select(DomainBlock.id)
    .where(
        DomainBlock.domain == func.lower(RemoteItem.domain),
        or_(DomainBlock.community_id.is_(None), DomainBlock.community_id == _IN_COMMUNITY),
    )
    .correlate(RemoteItem)
)
# built once per process (the events page asks it on every read); bound: community, since
_REMOTE_EVENTS = (
    tenancy.select_scoped(RemoteItem, cast(int, _IN_COMMUNITY))
    .where(
        RemoteItem.kind.in_(("event", "gathering")),
        RemoteItem.starts_at.is_not(None),
        func.coalesce(RemoteItem.ends_at, RemoteItem.starts_at)
        >= bindparam("since", type_=RemoteItem.starts_at.type),
        ~_BLOCKED.exists(),
    )
    .order_by(RemoteItem.starts_at, RemoteItem.id)
    # what calendars and lists show: not a recipe's labels, ingredients and steps (empty
    # for an event, yet each a JSON value to decode); reading any other column raises
    .options(
        load_only(
            *(RemoteItem.id, RemoteItem.community_id, RemoteItem.object_id, RemoteItem.kind),
            *(RemoteItem.origin_name, RemoteItem.domain, RemoteItem.name, RemoteItem.content),
            *(RemoteItem.url, RemoteItem.starts_at, RemoteItem.ends_at, RemoteItem.location),
            RemoteItem.updated_at,
            raiseload=True,
        )
    )
)


def remote_calendar(session: Session, community: Community, name: str) -> bytes:
    """The iCalendar feed of remote events (marked remote, their origin named)."""
    items = [
        calendar.RemoteEvent(
            uid=row.object_id,
            name=row.name,
            origin=row.origin_name,
            domain=row.domain,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            content_html=row.content,
            location=row.location,
            url=row.url,
            updated_at=row.updated_at,
        )
        for row in remote_events(session, community)
        if row.starts_at is not None
    ]
    return calendar.build(name, items)


def calendar_source(
    session: Session, community: Community, viewer: Viewer
) -> list[events.ExternalEvent]:
    """Remote events for the community's own calendar (registered by `commonpot.wiring`).

    Only a public community takes part in federation: a private one (or one that turned
    private after following others) shows nothing from outside, whoever looks. Blocked
    domains' events are left out even when some row of theirs was not yet removed.
    """
    del viewer  # remote events reached us publicly; the scope has checked the community
    if not community.is_public:
        return []
    return [
        events.ExternalEvent(
            uid=row.object_id,
            title=row.name,
            origin=f"{row.origin_name} · {row.domain}" if row.origin_name else row.domain,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            description=calendar.plain_text(row.content, 5000),
            location=row.location,
            url=row.url,
            updated_at=row.updated_at,
        )
        for row in remote_events(session, community)
        if row.starts_at is not None
    ]
