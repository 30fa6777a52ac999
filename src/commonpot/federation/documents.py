"""What the instance answers the fediverse: actors, WebFinger, NodeInfo, objects (the outbox
is `federation.outbox`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.errors import Invalid, NotFound
from commonpot.federation import approvals, keys
from commonpot.federation.discovery import (
    GroupInfo,
    group_actor,
    instance_actor,
    nodeinfo,
    nodeinfo_links,
    webfinger,
)
from commonpot.federation.handles import parse_handle
from commonpot.federation.instance import Fed
from commonpot.federation.models import (
    Follower,
    Following,
)
from commonpot.federation.sharing import (
    event_document,
    gathering_document,
    public_community,
    recipe_document,
    shareable_event,
    shareable_gathering,
    shareable_recipe,
    shareable_recipes,
)
from commonpot.federation.vocab import activity, collection


def actor_document(session: Session, fed: Fed, slug: str) -> dict[str, Any]:
    """The Group actor of a public community."""
    community = public_community(session, slug)
    info = GroupInfo(
        slug=community.slug,
        name=community.name,
        summary=community.description,
        page_url=f"{fed.base_url}/communities/{community.slug}",
        public_key_pem=keys.public_key_pem(fed.data_dir, community.slug),
        published=community.created_at,
        approves_followers=approvals.approves_followers(session, community),
    )
    return group_actor(fed.urls, info)


def instance_actor_document(fed: Fed) -> dict[str, Any]:
    """The instance's Application actor."""
    return instance_actor(fed.urls, fed.host, keys.public_key_pem(fed.data_dir, keys.INSTANCE))


def webfinger_document(session: Session, fed: Fed, resource: str) -> dict[str, Any]:
    """Answer `acct:slug@host` for a public community, else NotFound."""
    try:
        handle = parse_handle(resource)
    except Invalid:
        raise NotFound("Unknown resource.") from None
    if handle.host != fed.host:
        raise NotFound("Unknown resource.")
    community = public_community(session, handle.name)
    return webfinger(
        community.slug,
        fed.host,
        fed.urls.actor(community.slug),
        f"{fed.base_url}/communities/{community.slug}",
    )


def nodeinfo_links_document(fed: Fed) -> dict[str, Any]:
    """`/.well-known/nodeinfo`."""
    return nodeinfo_links(fed.base_url)


def nodeinfo_document(session: Session, fed: Fed) -> dict[str, Any]:
    """The NodeInfo 2.1 document (counts of public communities only)."""
    public = session.scalars(select(Community).where(Community.visibility == "public")).all()
    posts = sum(len(shareable_recipes(session, c)) for c in public)
    return nodeinfo(fed.version, len(public), posts, fed.name)


def followers_document(session: Session, fed: Fed, slug: str, kind: str) -> dict[str, Any]:
    """Followers or following: a count only (who follows whom stays with the community)."""
    community = public_community(session, slug)
    table = Follower if kind == "followers" else Following
    query = select(func.count()).select_from(table).where(table.community_id == community.id)
    if table is Follower:
        query = query.where(Follower.state == "accepted")
    total = session.scalar(query)
    return collection(f"{fed.urls.actor(slug)}/{kind}", int(total or 0), None)


def object_document(
    session: Session, fed: Fed, slug: str, kind: str, local_id: int
) -> dict[str, Any]:
    """A published recipe or event by its id, while it may still be shared."""
    community = public_community(session, slug)
    if kind == "recipes":
        recipe = shareable_recipe(session, community, local_id)
        if recipe is not None:
            return {"@context": activity("Create", "", "", {})["@context"]} | recipe_document(
                session, fed, community, recipe
            )
    elif kind == "events":
        event = shareable_event(session, community, local_id)
        if event is not None:
            return {"@context": activity("Create", "", "", {})["@context"]} | event_document(
                fed, community, event
            )
    elif kind == "gatherings":
        gathering = shareable_gathering(session, community, local_id)
        if gathering is not None:
            return {"@context": activity("Create", "", "", {})["@context"]} | gathering_document(
                session, fed, community, gathering
            )
    raise NotFound("Nothing shared here.")
