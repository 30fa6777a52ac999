"""ActivityPub objects of what a community shares: recipes (Article + schema.org Recipe)
and events (as Mobilizon writes them).

Pure: builds plain dicts from plain data; the service decides what may be published.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from commonpot.federation.vocab import PUBLIC, Urls, iso


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
    based_on: str | None = None  # the remote original it was adapted from (lineage)


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
    if doc.based_on:
        obj["isBasedOn"] = doc.based_on
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


@dataclass(frozen=True)
class GatheringDoc:
    """What of an open gathering of a public recipe may leave the instance."""

    gathering_id: int
    title: str
    recipe_id: int
    recipe_name: str
    starts_at: datetime
    page_url: str
    published: datetime


GATHERING_HOURS = 2  # how long an announced gathering is shown in calendars (it has no end)


def gathering_object(urls: Urls, slug: str, doc: GatheringDoc) -> dict[str, Any]:
    """A live gathering as an online `Event` anyone may join at its page (Mobilizon reads it
    as an external-participation event), naming the recipe it tells and where a follower
    community asks for a guest pass for its member."""
    actor_id = urls.actor(slug)
    text = f"A live, shared telling of the recipe “{doc.recipe_name}”: join in your browser."
    return {
        "id": urls.gathering(slug, doc.gathering_id),
        "type": "Event",
        "name": doc.title,
        "content": f"<p>{html.escape(text)}</p>",
        "mediaType": "text/html",
        "startTime": iso(doc.starts_at),
        "endTime": iso(doc.starts_at + timedelta(hours=GATHERING_HOURS)),
        "url": doc.page_url,
        "attributedTo": actor_id,
        "actor": actor_id,
        "to": [PUBLIC],
        "cc": [actor_id + "/followers"],
        "published": iso(doc.published),
        "isOnline": True,
        "joinMode": "external",
        "externalParticipationUrl": doc.page_url,
        "anonymousParticipationEnabled": True,
        "ical:status": "CONFIRMED",
        "commentsEnabled": False,
        "gatheringOf": urls.recipe(slug, doc.recipe_id),
        "guestPasses": urls.guest_passes(slug, doc.gathering_id),
    }


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
