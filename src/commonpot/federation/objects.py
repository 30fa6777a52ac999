"""ActivityPub JSON-LD documents: actors, WebFinger, NodeInfo, recipes, events, activities.

Pure: builds plain dicts from plain data; the service decides what may be published.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
PUBLIC = AS + "#Public"
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
SCHEMA_CONTEXT: dict[str, Any] = {
    "schema": "https://schema.org/",
    "commonpot": "https://w3id.org/commonpot/ns#",
    "Recipe": "schema:Recipe",
    "recipeIngredient": "schema:recipeIngredient",
    "recipeInstructions": "schema:recipeInstructions",
    "recipeYield": "schema:recipeYield",
    "recipeCuisine": "schema:recipeCuisine",
    "prepTime": "schema:prepTime",
    "cookTime": "schema:cookTime",
    "totalTime": "schema:totalTime",
    "protocolLabels": "commonpot:protocolLabels",
}
# what Mobilizon puts in its context for events (https://docs.joinmobilizon.org/contribute/activity_pub/)
EVENT_CONTEXT: dict[str, Any] = {
    "mz": "https://joinmobilizon.org/ns#",
    "ical": "http://www.w3.org/2002/12/cal/ical#",
    "sc": "http://schema.org#",
    "PostalAddress": "sc:PostalAddress",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
    "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
    "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
    "anonymousParticipationEnabled": {"@id": "mz:anonymousParticipationEnabled"},
}
CONTEXT: list[Any] = [AS, SECURITY, SCHEMA_CONTEXT | EVENT_CONTEXT]


def iso(when: datetime) -> str:
    """An ActivityStreams date-time (UTC, seconds, with Z)."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Urls:
    """Where one instance serves its federation documents (from its base URL)."""

    base: str

    def actor(self, slug: str) -> str:
        """The Group actor id of a community."""
        return f"{self.base}/federation/{slug}"

    def key(self, slug: str) -> str:
        """The id of a community's public key."""
        return self.actor(slug) + "#main-key"

    def instance_actor(self) -> str:
        """The instance's own actor (signs fetches)."""
        return f"{self.base}/federation/actor"

    def shared_inbox(self) -> str:
        """The instance's shared inbox."""
        return f"{self.base}/federation/inbox"

    def recipe(self, slug: str, recipe_id: int) -> str:
        """The object id of a published recipe."""
        return f"{self.actor(slug)}/recipes/{recipe_id}"

    def event(self, slug: str, event_id: int) -> str:
        """The object id of a published event."""
        return f"{self.actor(slug)}/events/{event_id}"

    def activity(self, activity_id: int) -> str:
        """The id of an activity this instance sent."""
        return f"{self.base}/federation/activities/{activity_id}"


def host_of(base_url: str) -> str:
    """The host (with port when it has one) of a base URL."""
    return base_url.split("://", 1)[-1].split("/", 1)[0].lower()


def webfinger(slug: str, host: str, actor_id: str, page_url: str) -> dict[str, Any]:
    """The JRD answering `acct:slug@host`."""
    return {
        "subject": f"acct:{slug}@{host}",
        "aliases": [actor_id, page_url],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_id},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page_url},
        ],
    }


def nodeinfo_links(base: str) -> dict[str, Any]:
    """`/.well-known/nodeinfo`: where the NodeInfo 2.1 document is."""
    return {"links": [{"rel": NODEINFO_SCHEMA, "href": f"{base}/nodeinfo/2.1"}]}


def nodeinfo(version: str, communities: int, posts: int, name: str) -> dict[str, Any]:
    """The NodeInfo 2.1 document."""
    return {
        "version": "2.1",
        "software": {
            "name": "commonpot",
            "version": version,
            "homepage": "https://github.com/commonpot/commonpot",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0"]},
        "openRegistrations": False,
        "usage": {"users": {"total": communities}, "localPosts": posts},
        "metadata": {"nodeName": name},
    }


@dataclass(frozen=True)
class GroupInfo:
    """A public community as an actor."""

    slug: str
    name: str
    summary: str
    page_url: str
    public_key_pem: str
    published: datetime | None = None


def group_actor(urls: Urls, group: GroupInfo) -> dict[str, Any]:
    """The community's `Group` actor document."""
    actor_id = urls.actor(group.slug)
    doc: dict[str, Any] = {
        "@context": [AS, SECURITY],
        "id": actor_id,
        "type": "Group",
        "preferredUsername": group.slug,
        "name": group.name,
        "summary": html.escape(group.summary),
        "url": group.page_url,
        "inbox": actor_id + "/inbox",
        "outbox": actor_id + "/outbox",
        "followers": actor_id + "/followers",
        "following": actor_id + "/following",
        "endpoints": {"sharedInbox": urls.shared_inbox()},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {
            "id": urls.key(group.slug),
            "owner": actor_id,
            "publicKeyPem": group.public_key_pem,
        },
    }
    if group.published is not None:
        doc["published"] = iso(group.published)
    return doc


def instance_actor(urls: Urls, host: str, public_key_pem: str) -> dict[str, Any]:
    """The instance's `Application` actor, which signs outgoing fetches."""
    actor_id = urls.instance_actor()
    return {
        "@context": [AS, SECURITY],
        "id": actor_id,
        "type": "Application",
        "preferredUsername": host,
        "name": "commonpot",
        "inbox": urls.shared_inbox(),
        "outbox": actor_id + "/outbox",
        "manuallyApprovesFollowers": True,
        "publicKey": {
            "id": actor_id + "#main-key",
            "owner": actor_id,
            "publicKeyPem": public_key_pem,
        },
    }


@dataclass(frozen=True)
class Label:
    """A protocol label that travels with a shared recipe."""

    code: str
    name: str
    url: str


@dataclass(frozen=True)
class RecipeDoc:
    """What of a public recipe may leave the instance."""

    recipe_id: int
    name: str
    description: str
    ingredients: tuple[str, ...]
    steps: tuple[str, ...]
    page_url: str
    published: datetime
    language: str = "en"
    recipe_yield: str = ""
    cuisine: str = ""
    image_url: str | None = None
    prep_time: str | None = None
    cook_time: str | None = None
    total_time: str | None = None
    labels: tuple[Label, ...] = ()
    updated: datetime | None = None


def _recipe_html(doc: RecipeDoc) -> str:
    parts = []
    if doc.description:
        parts.append(f"<p>{html.escape(doc.description)}</p>")
    if doc.ingredients:
        items = "".join(f"<li>{html.escape(i)}</li>" for i in doc.ingredients)
        parts.append(f"<h3>Ingredients</h3><ul>{items}</ul>")
    if doc.steps:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in doc.steps)
        parts.append(f"<h3>Steps</h3><ol>{items}</ol>")
    return "".join(parts)


def recipe_object(urls: Urls, slug: str, doc: RecipeDoc) -> dict[str, Any]:
    """A recipe as an `Article` carrying schema.org Recipe fields."""
    actor_id = urls.actor(slug)
    obj: dict[str, Any] = {
        "id": urls.recipe(slug, doc.recipe_id),
        "type": ["Article", "Recipe"],
        "name": doc.name,
        "summary": html.escape(doc.description) if doc.description else None,
        "content": _recipe_html(doc),
        "mediaType": "text/html",
        "contentMap": {doc.language: _recipe_html(doc)},
        "url": doc.page_url,
        "attributedTo": actor_id,
        "to": [PUBLIC],
        "cc": [actor_id + "/followers"],
        "published": iso(doc.published),
        "recipeIngredient": list(doc.ingredients),
        "recipeInstructions": [{"@type": "schema:HowToStep", "text": s} for s in doc.steps],
        "protocolLabels": [{"code": x.code, "name": x.name, "url": x.url} for x in doc.labels],
        "tag": [{"type": "Hashtag", "name": "#recipe", "href": doc.page_url}],
    }
    for key, value in (
        ("recipeYield", doc.recipe_yield),
        ("recipeCuisine", doc.cuisine),
        ("prepTime", doc.prep_time),
        ("cookTime", doc.cook_time),
        ("totalTime", doc.total_time),
    ):
        if value:
            obj[key] = value
    if doc.image_url:
        obj["image"] = {"type": "Image", "url": doc.image_url}
        obj["attachment"] = [{"type": "Image", "url": doc.image_url, "name": doc.name}]
    if doc.updated is not None:
        obj["updated"] = iso(doc.updated)
    return {k: v for k, v in obj.items() if v is not None}


@dataclass(frozen=True)
class EventDoc:
    """What of a public event may leave the instance."""

    event_id: int
    name: str
    description: str
    starts_at: datetime
    ends_at: datetime
    page_url: str
    published: datetime
    timezone: str = "UTC"
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None
    cancelled: bool = False
    updated: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def event_object(urls: Urls, slug: str, doc: EventDoc) -> dict[str, Any]:
    """An event as Mobilizon writes it: `Event` with a `Place`, times and join mode."""
    actor_id = urls.actor(slug)
    place: dict[str, Any] = {"type": "Place", "name": doc.place_name or "—"}
    if doc.latitude is not None and doc.longitude is not None:
        place["latitude"] = doc.latitude
        place["longitude"] = doc.longitude
    place["address"] = {"type": "PostalAddress", "name": doc.place_name}
    obj: dict[str, Any] = {
        "id": urls.event(slug, doc.event_id),
        "type": "Event",
        "name": doc.name,
        "content": f"<p>{html.escape(doc.description)}</p>" if doc.description else "",
        "mediaType": "text/html",
        "startTime": iso(doc.starts_at),
        "endTime": iso(doc.ends_at),
        "timezone": doc.timezone,
        "location": place,
        "url": doc.page_url,
        "attributedTo": actor_id,
        "actor": actor_id,
        "to": [PUBLIC],
        "cc": [actor_id + "/followers"],
        "published": iso(doc.published),
        "isOnline": False,
        "joinMode": "external",
        "externalParticipationUrl": doc.page_url,
        "anonymousParticipationEnabled": False,
        "ical:status": "CANCELLED" if doc.cancelled else "CONFIRMED",
        "commentsEnabled": False,
    }
    if doc.capacity is not None:
        obj["maximumAttendeeCapacity"] = doc.capacity
    if doc.updated is not None:
        obj["updated"] = iso(doc.updated)
    return obj


def activity(
    kind: str, activity_id: str, actor_id: str, obj: Any, *, to: list[str] | None = None
) -> dict[str, Any]:
    """An activity (Create, Update, Delete, Follow, Accept, Undo) with the context."""
    doc: dict[str, Any] = {
        "@context": CONTEXT if kind in {"Create", "Update"} else AS,
        "id": activity_id,
        "type": kind,
        "actor": actor_id,
        "object": obj,
    }
    if to is not None:
        doc["to"] = to
    if kind in {"Create", "Update", "Delete"}:
        doc["to"] = [PUBLIC]
        doc["cc"] = [actor_id + "/followers"]
        if isinstance(obj, dict) and "published" in obj:
            doc["published"] = obj.get("updated", obj["published"])
    return doc


def tombstone(object_id: str, former_type: str, deleted: datetime) -> dict[str, Any]:
    """What a deleted object becomes."""
    return {
        "id": object_id,
        "type": "Tombstone",
        "formerType": former_type,
        "deleted": iso(deleted),
    }


def collection(collection_id: str, total: int, first: str | None) -> dict[str, Any]:
    """An `OrderedCollection` front page pointing at its first page."""
    doc: dict[str, Any] = {
        "@context": AS,
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if first is not None:
        doc["first"] = first
    return doc


def collection_page(
    page_id: str, part_of: str, items: list[Any], next_page: str | None
) -> dict[str, Any]:
    """One `OrderedCollectionPage`."""
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": page_id,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    }
    if next_page is not None:
        doc["next"] = next_page
    return doc


def types_of(obj: Any) -> set[str]:
    """The `type` of an ActivityStreams object as a set (strings or lists)."""
    if not isinstance(obj, dict):
        return set()
    kind = obj.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def id_of(value: Any) -> str | None:
    """The id of an object given inline or by reference."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None
