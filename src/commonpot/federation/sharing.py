"""What may leave the instance: public communities, shareable recipes and events, as objects.

Only public communities federate; only public recipes whose protocol allows sharing and
public events leave the instance. These functions decide that in one place each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from commonpot import events, experiences, recipes
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.errors import NotFound
from commonpot.federation.instance import Fed
from commonpot.federation.models import Adaptation
from commonpot.federation.objects import (
    EventDoc,
    GatheringDoc,
    Label,
    RecipeDoc,
    event_object,
    gathering_object,
    recipe_object,
)

ANYONE = Viewer()


def public_community(session: Session, slug: str) -> Community:
    """A community that federates (public), else NotFound exactly as if absent."""
    found = session.scalar(select(Community).where(Community.slug == slug))
    if found is None or not found.is_public:
        raise NotFound("No community %(slug)s here.", slug=str(slug))
    return found


def shareable_recipes(session: Session, community: Community) -> list[recipes.Recipe]:
    """Recipes anyone may see whose protocol lets them leave the community."""
    return _shareable_recipes(session, community)


def _shareable_recipes(
    session: Session, community: Community, recipe_id: int | None = None
) -> list[recipes.Recipe]:
    """`shareable_recipes`, or only the one numbered `recipe_id` (read alone, not found
    among every recipe of the archive)."""
    if not community.is_public:
        return []
    query = recipes.visible_recipes(session, community, ANYONE).where(
        recipes.Recipe.reach == recipes.Reach.PUBLIC.value
    )
    if recipe_id is not None:
        query = query.where(recipes.Recipe.id == recipe_id)
    found = session.scalars(query.options(selectinload(recipes.Recipe.ingredients))).all()
    return [r for r in found if recipes.reach(r.labels or []) is recipes.Reach.PUBLIC]


def shareable_events(session: Session, community: Community) -> list[events.Event]:
    """Public events of a public community."""
    return _shareable_events(session, community)


def _shareable_events(
    session: Session, community: Community, event_id: int | None = None
) -> list[events.Event]:
    """`shareable_events`, or only the one numbered `event_id` (read alone)."""
    if not community.is_public:
        return []
    query = events.visible_events(session, community, ANYONE).where(
        events.Event.visibility == events.EventVisibility.PUBLIC.value
    )
    if event_id is not None:
        query = query.where(events.Event.id == event_id)
    return list(session.scalars(query).all())


def shareable_recipe(session: Session, community: Community, recipe_id: int) -> Any:
    """One shareable recipe or None (the same rule as `shareable_recipes`)."""
    return next(iter(_shareable_recipes(session, community, recipe_id)), None)


def shareable_event(session: Session, community: Community, event_id: int) -> Any:
    """One shareable event or None (the same rule as `shareable_events`)."""
    return next(iter(_shareable_events(session, community, event_id)), None)


def shareable_gathering(
    session: Session, community: Community, gathering_id: int
) -> experiences.Gathering | None:
    """An open gathering of a shareable recipe (public community, public recipe whose protocol
    lets it leave), or None: only those are announced and joinable from other instances."""
    found = session.get(experiences.Gathering, gathering_id)
    if found is None or found.community_id != community.id or not found.is_open:
        return None
    if shareable_recipe(session, community, found.recipe_id) is None:
        return None
    return found


def gathering_document(
    session: Session, fed: Fed, community: Community, gathering: experiences.Gathering
) -> dict[str, Any]:
    """The online Event object announcing an open gathering."""
    recipe = session.get(recipes.Recipe, gathering.recipe_id)
    doc = GatheringDoc(
        gathering_id=gathering.id,
        title=gathering.title,
        recipe_id=gathering.recipe_id,
        recipe_name=recipe.name if recipe is not None else "",
        starts_at=gathering.starts_at or gathering.created_at,
        page_url=f"{fed.base_url}/communities/{community.slug}/gatherings/{gathering.id}",
        published=gathering.created_at,
    )
    return gathering_object(fed.urls, community.slug, doc)


def _steps(raw: list[Any]) -> tuple[str, ...]:
    out: list[str] = []
    for section in raw or []:
        if isinstance(section, dict):
            out += [str(s) for s in section.get("steps", []) if s]
        elif isinstance(section, str):
            out.append(section)
    return tuple(out)


def adaptations(session: Session, community: Community) -> dict[int, str]:
    """The remote original of each of the community's adapted recipes, by recipe id."""
    rows = session.execute(
        select(Adaptation.recipe_id, Adaptation.object_id).where(
            Adaptation.community_id == community.id
        )
    )
    return {int(row[0]): str(row[1]) for row in rows}


def recipe_document(
    session: Session,
    fed: Fed,
    community: Community,
    recipe: recipes.Recipe,
    based_on: dict[int, str] | None = None,
) -> dict[str, Any]:
    """The Article/Recipe object of a shareable recipe (with its remote original, if adapted).

    `based_on`: the community's `adaptations`, when the caller has read them for many
    recipes; otherwise this recipe's is looked up."""
    if based_on is None:
        original = session.scalar(
            select(Adaptation.object_id).where(
                Adaptation.community_id == community.id, Adaptation.recipe_id == recipe.id
            )
        )
    else:
        original = based_on.get(recipe.id)
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
        based_on=original,
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
