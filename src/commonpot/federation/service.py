"""Federation use cases: what a community shows the fediverse, following, blocks.

Only public communities federate; only public recipes whose protocol allows sharing and
public events leave the instance. `documents` decide that in one place each.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from commonpot import events, recipes
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community, Role
from commonpot.communities.service import require_role
from commonpot.db import utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound
from commonpot.federation import keys
from commonpot.federation.client import Client, FetchError
from commonpot.federation.handles import Handle, domain_of, parse_handle
from commonpot.federation.models import (
    Activity,
    Delivery,
    DomainBlock,
    Follower,
    Following,
    RemoteActor,
    RemoteItem,
)
from commonpot.federation.objects import (
    ACTIVITY_JSON,
    EventDoc,
    GroupInfo,
    Label,
    RecipeDoc,
    Urls,
    activity,
    collection,
    collection_page,
    event_object,
    group_actor,
    host_of,
    id_of,
    instance_actor,
    nodeinfo,
    nodeinfo_links,
    recipe_object,
    webfinger,
)
from commonpot.settings import Settings

PAGE_SIZE = 20
ANYONE = Viewer()


@dataclass
class Fed:
    """One instance's federation context: where it lives, its keys and its HTTP client."""

    base_url: str
    data_dir: Path
    client: Client
    name: str = "commonpot"
    version: str = "0"
    urls: Urls = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.urls = Urls(self.base_url)

    @property
    def host(self) -> str:
        """Host (and port) of this instance, as in handles."""
        return host_of(self.base_url)

    def key_for(self, slug: str | None) -> tuple[str, Any]:
        """(key id, private key) of a community, or of the instance when slug is None."""
        if slug is None:
            return self.urls.instance_actor() + "#main-key", keys.private_key(
                self.data_dir, keys.INSTANCE
            )
        return self.urls.key(slug), keys.private_key(self.data_dir, slug)

    def fetch(self, url: str) -> dict[str, Any]:
        """A signed GET (with the instance actor's key)."""
        key_id, key = self.key_for(None)
        return self.client.get_json(url, key_id=key_id, key=key, now=utcnow())


def context(settings: Settings, client: Client | None = None) -> Fed:
    """The federation context of an instance from its settings."""
    from commonpot import __version__

    base = settings.base_url or f"http://{settings.host}:{settings.port}"
    return Fed(
        base_url=base,
        data_dir=settings.data_dir,
        client=client or Client(allow_http=settings.federation_allow_http),
        name=settings.instance_name,
        version=__version__,
    )


# --- what may leave ------------------------------------------------------------------------


def public_community(session: Session, slug: str) -> Community:
    """A community that federates (public), else NotFound exactly as if absent."""
    found = session.scalar(select(Community).where(Community.slug == slug))
    if found is None or not found.is_public:
        raise NotFound(f"No community {slug} here.")
    return found


def shareable_recipes(session: Session, community: Community) -> list[recipes.Recipe]:
    """Recipes anyone may see whose protocol lets them leave the community."""
    if not community.is_public:
        return []
    query = recipes.visible_recipes(session, community, ANYONE).where(
        recipes.Recipe.reach == recipes.Reach.PUBLIC.value
    )
    found = session.scalars(query.options(selectinload(recipes.Recipe.ingredients))).all()
    return [r for r in found if recipes.reach(r.labels or []) is recipes.Reach.PUBLIC]


def shareable_events(session: Session, community: Community) -> list[events.Event]:
    """Public events of a public community."""
    if not community.is_public:
        return []
    query = events.visible_events(session, community, ANYONE).where(
        events.Event.visibility == events.EventVisibility.PUBLIC.value
    )
    return list(session.scalars(query).all())


def shareable_recipe(session: Session, community: Community, recipe_id: int) -> Any:
    """One shareable recipe or None."""
    return next((r for r in shareable_recipes(session, community) if r.id == recipe_id), None)


def shareable_event(session: Session, community: Community, event_id: int) -> Any:
    """One shareable event or None."""
    return next((e for e in shareable_events(session, community) if e.id == event_id), None)


def _steps(raw: list[Any]) -> tuple[str, ...]:
    out: list[str] = []
    for section in raw or []:
        if isinstance(section, dict):
            out += [str(s) for s in section.get("steps", []) if s]
        elif isinstance(section, str):
            out.append(section)
    return tuple(out)


def recipe_document(fed: Fed, community: Community, recipe: recipes.Recipe) -> dict[str, Any]:
    """The Article/Recipe object of a shareable recipe."""
    page = f"{fed.base_url}/communities/{community.slug}/recipes/{recipe.id}"
    image = recipe.image_url or (page + "/photo" if recipe.photo_file else None)
    labels = tuple(
        Label(x.code, x.name, x.url or "") for x in recipes.protocol_labels(recipe.labels)
    )
    doc = RecipeDoc(
        recipe_id=recipe.id,
        name=recipe.name,
        description=recipe.description,
        ingredients=tuple(i.line for i in sorted(recipe.ingredients, key=lambda i: i.position)),
        steps=_steps(recipe.steps),
        page_url=page,
        published=recipe.created_at,
        updated=recipe.updated_at,
        language=recipe.language or "en",
        recipe_yield=recipe.recipe_yield,
        cuisine=recipe.cuisine,
        image_url=image,
        prep_time=recipe.prep_time,
        cook_time=recipe.cook_time,
        total_time=recipe.total_time,
        labels=labels,
    )
    return recipe_object(fed.urls, community.slug, doc)


def event_document(fed: Fed, community: Community, event: events.Event) -> dict[str, Any]:
    """The Mobilizon-style Event object of a shareable event."""
    place = event.place
    doc = EventDoc(
        event_id=event.id,
        name=event.title,
        description=event.description,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        page_url=f"{fed.base_url}/communities/{community.slug}/events/{event.id}",
        published=event.created_at,
        updated=event.updated_at,
        timezone=event.timezone,
        place_name=place.name if place is not None else event.location_note,
        latitude=place.lat if place is not None else None,
        longitude=place.lon if place is not None else None,
        capacity=event.capacity,
        cancelled=event.status == events.EventStatus.CANCELLED.value,
    )
    return event_object(fed.urls, community.slug, doc)


# --- discovery and collections ---------------------------------------------------------------


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


def _outbox_items(session: Session, fed: Fed, community: Community) -> list[dict[str, Any]]:
    objects = [recipe_document(fed, community, r) for r in shareable_recipes(session, community)]
    objects += [event_document(fed, community, e) for e in shareable_events(session, community)]
    objects.sort(key=lambda o: (o["published"], o["id"]), reverse=True)
    actor_id = fed.urls.actor(community.slug)
    return [activity("Create", o["id"] + "#create", actor_id, o) for o in objects]


def outbox_document(session: Session, fed: Fed, slug: str, page: int | None) -> dict[str, Any]:
    """The outbox: a collection of Create activities, newest first, in pages."""
    community = public_community(session, slug)
    items = _outbox_items(session, fed, community)
    outbox = fed.urls.actor(slug) + "/outbox"
    if page is None:
        return collection(outbox, len(items), outbox + "?page=1")
    if page < 1:
        raise Invalid("Pages start at 1.", field="page")
    chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    more = len(items) > page * PAGE_SIZE
    return collection_page(
        f"{outbox}?page={page}", outbox, chunk, f"{outbox}?page={page + 1}" if more else None
    )


def followers_document(session: Session, fed: Fed, slug: str, kind: str) -> dict[str, Any]:
    """Followers or following: a count only (who follows whom stays with the community)."""
    community = public_community(session, slug)
    table = Follower if kind == "followers" else Following
    total = session.scalar(
        select(func.count()).select_from(table).where(table.community_id == community.id)
    )
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
                fed, community, recipe
            )
    elif kind == "events":
        event = shareable_event(session, community, local_id)
        if event is not None:
            return {"@context": activity("Create", "", "", {})["@context"]} | event_document(
                fed, community, event
            )
    raise NotFound("Nothing shared here.")


# --- blocks ---------------------------------------------------------------------------------


def is_blocked(session: Session, domain: str, community_id: int | None = None) -> bool:
    """True when the domain is blocked for the instance (or for this community)."""
    query = select(DomainBlock.id).where(DomainBlock.domain == domain.lower())
    if community_id is None:
        query = query.where(DomainBlock.community_id.is_(None))
    else:
        query = query.where(
            or_(DomainBlock.community_id.is_(None), DomainBlock.community_id == community_id)
        )
    return session.scalar(query.limit(1)) is not None


def _clean_domain(domain: str) -> str:
    cleaned = domain.strip().lower().removeprefix("https://").removeprefix("http://")
    cleaned = cleaned.split("/", 1)[0].split(":", 1)[0]
    if not cleaned or len(cleaned) > 253 or not all(c.isalnum() or c in ".-" for c in cleaned):
        raise Invalid("Write a domain such as food.example.org.", field="domain")
    return cleaned


def block_domain(
    session: Session, viewer: Viewer, domain: str, community: Community | None = None
) -> DomainBlock:
    """Block a domain (admins for the instance, stewards for their community) and purge it."""
    name = _clean_domain(domain)
    if community is None:
        if not viewer.is_admin:
            raise Forbidden("Only instance administrators can block a domain for everyone.")
    elif not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    cid = community.id if community is not None else None
    existing = session.scalar(
        select(DomainBlock).where(
            DomainBlock.domain == name,
            DomainBlock.community_id.is_(None) if cid is None else DomainBlock.community_id == cid,
        )
    )
    if existing is not None:
        raise Conflict(f"{name} is already blocked.")
    block = DomainBlock(domain=name, community_id=cid)
    session.add(block)
    purge_domain(session, name, cid)
    session.flush()
    return block


def purge_domain(session: Session, domain: str, community_id: int | None) -> None:
    """Remove everything kept from a domain (for one community, or for all)."""
    for table in (Follower, Following, RemoteItem):
        stmt = delete(table).where(table.domain == domain)
        if community_id is not None:
            stmt = stmt.where(table.community_id == community_id)
        session.execute(stmt)
    if community_id is None:
        session.execute(delete(RemoteActor).where(RemoteActor.domain == domain))
        pending = select(Delivery).where(Delivery.state == "pending")
        for row in session.scalars(pending):
            if domain_of(row.inbox) == domain:
                session.delete(row)


def unblock_domain(
    session: Session, viewer: Viewer, domain: str, community: Community | None = None
) -> None:
    """Lift a block."""
    name = _clean_domain(domain)
    if community is None:
        if not viewer.is_admin:
            raise Forbidden("Only instance administrators can lift an instance block.")
    elif not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    cid = community.id if community is not None else None
    session.execute(
        delete(DomainBlock).where(
            DomainBlock.domain == name,
            DomainBlock.community_id.is_(None) if cid is None else DomainBlock.community_id == cid,
        )
    )


def blocks(session: Session, community: Community | None) -> list[DomainBlock]:
    """Blocks of the instance and of a community."""
    query = select(DomainBlock).order_by(DomainBlock.domain)
    if community is None:
        query = query.where(DomainBlock.community_id.is_(None))
    else:
        query = query.where(DomainBlock.community_id == community.id)
    return list(session.scalars(query))


# --- remote actors ---------------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def remember_actor(session: Session, doc: dict[str, Any]) -> RemoteActor:
    """Cache (or refresh) a remote actor's document and key."""
    actor_id = id_of(doc)
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = key[0] if key else None
    if actor_id is None or not isinstance(key, dict):
        raise FetchError("the actor document has no id or publicKey")
    if key.get("owner") != actor_id or not isinstance(key.get("publicKeyPem"), str):
        raise FetchError("the actor's key is not owned by the actor")
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    found = session.scalar(select(RemoteActor).where(RemoteActor.actor_id == actor_id))
    if found is None:
        found = RemoteActor(actor_id=actor_id)
        session.add(found)
    found.key_id = str(key.get("id") or actor_id + "#main-key")
    found.public_key_pem = key["publicKeyPem"]
    found.inbox = _text(doc.get("inbox"), 500)
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    found.shared_inbox = shared if isinstance(shared, str) else None
    found.name = _text(doc.get("name"), 200) or _text(doc.get("preferredUsername"), 200)
    found.username = _text(doc.get("preferredUsername"), 200)
    found.domain = domain_of(actor_id)
    found.fetched_at = utcnow()
    session.flush()
    return found


def fetch_actor(session: Session, fed: Fed, url: str) -> RemoteActor:
    """Fetch an actor (or the key document naming its owner) and cache it."""
    doc = fed.fetch(url.split("#", 1)[0])
    if "publicKey" not in doc and isinstance(doc.get("owner"), str):
        doc = fed.fetch(doc["owner"])
    return remember_actor(session, doc)


def actor_by_key(session: Session, fed: Fed, key_id: str, *, refresh: bool) -> RemoteActor:
    """The actor owning a key id: cached, or fetched (again, when `refresh`)."""
    found = session.scalar(select(RemoteActor).where(RemoteActor.key_id == key_id))
    if found is not None and not refresh:
        return found
    return fetch_actor(session, fed, key_id)


# --- following ------------------------------------------------------------------------------


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
        raise Invalid(f"{handle} has no ActivityPub actor.", field="handle")
    raise Invalid(f"Could not find {handle}: {last}", field="handle")


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
        raise Forbidden(f"{handle.host} is blocked.")
    actor_url = _webfinger(fed, handle)
    try:
        actor = fetch_actor(session, fed, actor_url)
    except FetchError as exc:
        raise Invalid(f"Could not read {handle}: {exc}", field="handle") from exc
    if actor.actor_id == fed.urls.actor(community.slug):
        raise Invalid("A community cannot follow itself.", field="handle")
    if is_blocked(session, actor.domain, community.id):
        raise Forbidden(f"{actor.domain} is blocked.")
    existing = session.scalar(
        select(Following).where(
            Following.community_id == community.id, Following.actor_id == actor.actor_id
        )
    )
    if existing is not None:
        raise Conflict(f"{community.name} already follows {handle}.")
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
    row = session.get(Following, following_id)
    if row is None or row.community_id != community.id:
        raise NotFound("Not following that community.")
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
    return list(
        session.scalars(
            select(Following)
            .where(Following.community_id == community.id)
            .order_by(Following.created_at)
        )
    )


def followers(session: Session, community: Community) -> list[Follower]:
    """Who follows this community."""
    return list(
        session.scalars(
            select(Follower).where(Follower.community_id == community.id).order_by(Follower.id)
        )
    )


def remote_items(
    session: Session, community: Community, kind: str | None = None
) -> list[RemoteItem]:
    """What followed communities shared, newest first ("from other communities")."""
    query = select(RemoteItem).where(RemoteItem.community_id == community.id)
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
