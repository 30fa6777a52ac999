"""ActivityPub vocabulary: contexts, media types, where an instance serves its documents,
activities, collections, and reading ids and types of what others send.

Pure: plain dicts from plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    "license": "schema:license",
    "isBasedOn": "schema:isBasedOn",
    # a live gathering: the recipe whose story it tells, and where a follower community
    # vouches for its members to join as named guests
    "gatheringOf": {"@id": "commonpot:gatheringOf", "@type": "@id"},
    "guestPasses": {"@id": "commonpot:guestPasses", "@type": "@id"},
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

    def gathering(self, slug: str, gathering_id: int) -> str:
        """The object id of an announced gathering."""
        return f"{self.actor(slug)}/gatherings/{gathering_id}"

    def guest_passes(self, slug: str, gathering_id: int) -> str:
        """Where a follower community vouches for its member (a signed POST) for a pass."""
        return self.gathering(slug, gathering_id) + "/guests"

    def activity(self, activity_id: int) -> str:
        """The id of an activity this instance sent."""
        return f"{self.base}/federation/activities/{activity_id}"


def host_of(base_url: str) -> str:
    """The host (with port when it has one) of a base URL."""
    return base_url.split("://", 1)[-1].split("/", 1)[0].lower()


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
