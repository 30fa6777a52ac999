"""The community's outbox: what it shares, newest first, in pages.

Recipes and events are listed as they stand: a `Create` of each one that may leave now.
Gatherings are listed as they were announced: the `Create`, `Update` and `Delete` that the
delivery pass built and sent to the followers, read back from the delivery log exactly as
delivered, and only while the gathering's recipe may still leave the community (a gathering
of a restricted or community-only recipe, or of a private community, is never announced,
and one whose recipe stopped being shareable drops out with its whole history).
`delivery.prune` keeps these rows for as long as their gathering exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from commonpot import events, experiences, recipes
from commonpot.communities import Community
from commonpot.errors import Invalid, NotFound
from commonpot.federation.instance import Fed
from commonpot.federation.models import Activity
from commonpot.federation.sharing import (
    adaptations,
    event_document,
    public_community,
    recipe_document,
    shareable_event,
    shareable_events,
    shareable_recipe,
    shareable_recipes,
)
from commonpot.federation.vocab import activity, collection, collection_page

PAGE_SIZE = 20
LISTED_VERBS = ("Create", "Update", "Delete")  # what a gathering's change was built into

Key = tuple[datetime, str, int]  # when, the object's id, the log row (ties: later first)


def _broadcast(kind: str) -> ColumnElement[bool]:
    """Delivery-log rows of a `kind` object's Create, Update or Delete sent to the followers."""
    return and_(
        Activity.kind == kind,
        Activity.verb.in_(LISTED_VERBS),
        Activity.target_inbox.is_(None),
        Activity.community_id.is_not(None),
        Activity.local_id.is_not(None),
    )


def announcement() -> ColumnElement[bool]:
    """Delivery-log rows that are a gathering's announcement as sent (Create, Update, Delete)."""
    return _broadcast("gathering")


def kept_announcement() -> ColumnElement[bool]:
    """An announcement of a gathering that still exists (the outbox lists it, so it is kept).

    A row older than its gathering belongs to a deleted one whose id was used again."""
    Gathering = experiences.Gathering  # noqa: N806 (a table)
    return and_(
        announcement(),
        exists(
            select(Gathering.id).where(
                Gathering.id == Activity.local_id,
                Gathering.community_id == Activity.community_id,
                Gathering.created_at <= Activity.created_at,
            )
        ),
    )


def _announcements(
    session: Session, community: Community, recipe_ids: set[int]
) -> list[tuple[Key, dict[str, Any]]]:
    """The announcements of the community's gatherings whose recipe may leave, as delivered."""
    if not recipe_ids:
        return []
    Gathering = experiences.Gathering  # noqa: N806 (a table)
    rows = session.execute(
        select(Activity, Gathering.created_at)
        .join(Gathering, Gathering.id == Activity.local_id)
        .where(
            announcement(),
            Activity.community_id == community.id,
            Activity.fanned_out.is_(True),
            Gathering.community_id == community.id,
            Gathering.recipe_id.in_(recipe_ids),
        )
    ).all()
    found: list[tuple[Key, dict[str, Any]]] = []
    for row, opened in rows:
        doc = row.document
        if opened > row.created_at or not isinstance(doc, dict):
            continue  # a former gathering with the same id, or nothing was built
        obj = doc.get("object")
        object_id = obj.get("id") if isinstance(obj, dict) else None
        found.append(((row.created_at, str(object_id or ""), row.id), doc))
    return found


# an outbox entry: its place in the order, and how to build its document (built only for
# the page asked for: the collection itself needs the count alone)
Entry = tuple[Key, Callable[[], dict[str, Any]]]


def _entries(session: Session, fed: Fed, community: Community) -> list[Entry]:
    """Every entry of the community's outbox, newest first, documents not yet built."""
    actor_id = fed.urls.actor(community.slug)
    slug = community.slug
    shared = shareable_recipes(session, community)
    based_on = adaptations(session, community) if shared else {}

    def create(obj: dict[str, Any]) -> dict[str, Any]:
        return activity("Create", obj["id"] + "#create", actor_id, obj)

    def recipe_entry(recipe: recipes.Recipe) -> Entry:
        def build() -> dict[str, Any]:
            return create(recipe_document(session, fed, community, recipe, based_on))

        return (recipe.created_at, fed.urls.recipe(slug, recipe.id), 0), build

    def event_entry(event: events.Event) -> Entry:
        def build() -> dict[str, Any]:
            return create(event_document(fed, community, event))

        return (event.created_at, fed.urls.event(slug, event.id), 0), build

    entries = [recipe_entry(recipe) for recipe in shared]
    entries += [event_entry(event) for event in shareable_events(session, community)]
    for key, doc in _announcements(session, community, {r.id for r in shared}):
        entries.append((key, partial(dict, doc)))  # as delivered (a copy)
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return entries


def outbox_items(session: Session, fed: Fed, community: Community) -> list[dict[str, Any]]:
    """Every activity of the community's outbox, newest first."""
    return [build() for _key, build in _entries(session, fed, community)]


def outbox_document(session: Session, fed: Fed, slug: str, page: int | None) -> dict[str, Any]:
    """The outbox: an `OrderedCollection` of activities, newest first, in pages."""
    community = public_community(session, slug)
    if page is not None and page < 1:
        raise Invalid("Pages start at 1.", field="page")
    entries = _entries(session, fed, community)
    outbox = fed.urls.actor(slug) + "/outbox"
    if page is None:
        return collection(outbox, len(entries), outbox + "?page=1")
    chunk = [build() for _key, build in entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    more = len(entries) > page * PAGE_SIZE
    return collection_page(
        f"{outbox}?page={page}", outbox, chunk, f"{outbox}?page={page + 1}" if more else None
    )


def activity_document(session: Session, activity_id: int) -> dict[str, Any]:
    """A delivered activity by its id (`/federation/activities/{n}`), while it may be shown.

    - A gathering's announcement answers exactly while the outbox lists it.
    - The activities of a recipe or an event answer only while they are its last one.
      - A `Delete` always answers: its tombstone names nothing but the object's id.
      - A `Create` or `Update` answers while the object may still leave the community.
    Anything else is NotFound, exactly as if it had never been: follow requests and
    answers sent to one inbox, anything of a private community, and activities the delivery
    log has pruned.
    """
    hidden = NotFound("No such activity here.")
    row = session.get(Activity, activity_id)
    if (
        row is None
        or not row.fanned_out
        or row.target_inbox is not None
        or row.community_id is None
        or row.local_id is None
        or row.verb not in LISTED_VERBS
        or not isinstance(row.document, dict)
    ):
        raise hidden
    community = session.get(Community, row.community_id)
    if community is None or not community.is_public:
        raise hidden
    if row.kind == "gathering":
        shared = {recipe.id for recipe in shareable_recipes(session, community)}
        for (_when, _object, listed), doc in _announcements(session, community, shared):
            if listed == row.id:
                return doc
        raise hidden
    later = session.scalar(
        select(Activity.id)
        .where(
            _broadcast(row.kind),
            Activity.community_id == row.community_id,
            Activity.local_id == row.local_id,
            Activity.fanned_out.is_(True),
            Activity.id > row.id,
        )
        .limit(1)
    )
    if later is not None:
        raise hidden
    if row.verb != "Delete":
        find = shareable_recipe if row.kind == "recipe" else shareable_event
        if find(session, community, row.local_id) is None:
            raise hidden
    return row.document
