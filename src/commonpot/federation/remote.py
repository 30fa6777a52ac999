"""Remote recipes and events: what followed communities create, update and delete, kept
for each local community that follows them, sanitised (an allow-list of tags) and only when
their protocol labels let them travel.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import nh3
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commonpot import recipes
from commonpot.db import utcnow
from commonpot.errors import Invalid
from commonpot.federation.blocks import is_blocked
from commonpot.federation.handles import domain_of
from commonpot.federation.models import Following, RemoteActor, RemoteItem
from commonpot.federation.vocab import id_of, types_of

RECIPE_TYPES = {"Article", "Recipe", "Page"}
ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "blockquote",
}


def delete_item(session: Session, doc: dict[str, Any], actor: RemoteActor) -> str:
    object_id = id_of(doc.get("object"))
    if object_id is None or domain_of(object_id) != actor.domain:
        return "ignored"
    session.execute(
        delete(RemoteItem).where(
            RemoteItem.object_id == object_id, RemoteItem.domain == actor.domain
        )
    )
    return "deleted"


def _clean_text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return html.unescape(nh3.clean(value, tags=set()))[:limit]


def _clean_html(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return nh3.clean(value[:100_000], tags=ALLOWED_TAGS, url_schemes={"https", "http"})


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _labels(obj: dict[str, Any]) -> list[dict[str, str]] | None:
    """The object's protocol labels; None when one of them keeps it inside its community."""
    found = obj.get("protocolLabels") or []
    labels = []
    for item in found if isinstance(found, list) else []:
        if isinstance(item, dict) and isinstance(item.get("code"), str):
            labels.append({k: _clean_text(item.get(k), 200) for k in ("code", "name", "url")})
    try:
        if recipes.reach([x["code"] for x in labels]) is not recipes.Reach.PUBLIC:
            return None
    except Invalid:
        return None
    return labels


def store(session: Session, doc: dict[str, Any], actor: RemoteActor) -> str:
    obj = doc.get("object")
    if not isinstance(obj, dict):
        return "ignored"
    object_id = id_of(obj)
    if object_id is None or domain_of(object_id) != actor.domain:
        return "ignored"
    kinds = types_of(obj)
    if "Event" in kinds and obj.get("gatheringOf") is not None:
        kind = "gathering"  # a live telling anyone may join at its page
    elif "Event" in kinds:
        kind = "event"
    elif kinds & RECIPE_TYPES:
        kind = "recipe"
    else:
        return "ignored"
    owners = {actor.actor_id, id_of(obj.get("attributedTo")) or actor.actor_id}
    followers = session.scalars(
        select(Following).where(Following.actor_id.in_(owners), Following.state == "accepted")
    ).all()
    labels = _labels(obj)
    if labels is None:
        return "ignored"
    stored = 0
    for row in followers:
        if is_blocked(session, actor.domain, row.community_id):
            continue
        item = session.scalar(
            select(RemoteItem).where(
                RemoteItem.community_id == row.community_id, RemoteItem.object_id == object_id
            )
        )
        if item is None:
            item = RemoteItem(community_id=row.community_id, object_id=object_id)
            session.add(item)
        _fill(item, kind, obj, actor, row, labels)
        stored += 1
    session.flush()
    return "stored" if stored else "ignored"


def _fill(
    item: RemoteItem,
    kind: str,
    obj: dict[str, Any],
    actor: RemoteActor,
    row: Following,
    labels: list[dict[str, str]],
) -> None:
    item.kind = kind
    item.origin_actor = row.actor_id
    item.origin_name = row.name or actor.name
    item.domain = actor.domain
    item.name = _clean_text(obj.get("name") or obj.get("summary") or "", 300) or "—"
    item.content = _clean_html(obj.get("content"))
    url = obj.get("url")
    if isinstance(url, list):
        url = next((u.get("href") if isinstance(u, dict) else u for u in url), None)
    elif isinstance(url, dict):
        url = url.get("href")
    item.url = url[:500] if isinstance(url, str) and url.startswith(("https://", "http://")) else ""
    item.starts_at = _date(obj.get("startTime"))
    item.ends_at = _date(obj.get("endTime"))
    location = obj.get("location")
    item.location = _clean_text(location.get("name"), 300) if isinstance(location, dict) else ""
    ingredients = obj.get("recipeIngredient")
    item.ingredients = [
        _clean_text(x, 300) for x in (ingredients if isinstance(ingredients, list) else [])[:200]
    ]
    item.summary = _clean_text(obj.get("summary"), 5000)
    item.steps = _instructions(obj.get("recipeInstructions"))
    item.license = _license(obj)
    item.labels = labels
    item.updated_at = utcnow()


def _instructions(value: Any) -> list[str]:
    """schema.org `recipeInstructions`: text, a list of texts, or HowToStep / HowToSection."""
    if isinstance(value, str):
        value = [value]
    steps: list[str] = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("itemListElement"), list):
            steps += _instructions(entry["itemListElement"])
        elif isinstance(entry, dict):
            steps.append(_clean_text(entry.get("text") or entry.get("name"), 2000))
        else:
            steps.append(_clean_text(entry, 2000))
    return [s for s in steps if s][:200]


def _license(obj: dict[str, Any]) -> str:
    """The licence the origin gives (schema.org `license`), as a URL or a name."""
    value = obj.get("license") or obj.get("schema:license")
    if isinstance(value, dict):
        value = value.get("id") or value.get("url") or value.get("name")
    return _clean_text(value, 500)
