"""An event's menu from the recipe archive, scaled to the head count, and turned into needs.

The recipe archive and the redistribution network are other domains, used through their
public surfaces (`commonpot.recipes`, `commonpot.network`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import network, recipes, signals
from commonpot.accounts import Viewer
from commonpot.bus import community_channel, queue_after_commit
from commonpot.communities import Community
from commonpot.errors import Conflict, Invalid, NotFound
from commonpot.events.access import real_id, require_manager
from commonpot.events.models import Event, MenuItem
from commonpot.events.signals import EventChanged
from commonpot.events.signup import counts
from commonpot.tenancy import find_scoped


@dataclass(frozen=True)
class ShoppingItem:
    """One line of the event's shopping list."""

    food: str
    display: str
    quantity: float | None
    unit: str | None
    note: str | None
    recipes: tuple[str, ...]
    in_hand: bool


@dataclass
class ShoppingView:
    """The aggregated list for the head count, or an explanation of why there is none."""

    head_count: int
    servings: int
    lines: list[ShoppingItem] = field(default_factory=list)
    explanation: str | None = None


def add_recipe(
    session: Session, community: Community, viewer: Viewer, event: Event, recipe_id: int
) -> MenuItem:
    """Put an archive recipe on the menu (organiser or steward); unknown recipes are refused."""
    require_manager(session, community, viewer, event)
    if not real_id(recipe_id):
        raise Invalid(
            "There is no recipe %(id)s in this community's archive.",
            field="recipe_id",
            id=str(recipe_id),
        )
    try:
        recipe = recipes.get_recipe(session, community, viewer, recipe_id)
    except NotFound as exc:
        raise Invalid(
            "There is no recipe %(id)s in this community's archive.",
            field="recipe_id",
            id=str(recipe_id),
        ) from exc
    duplicate = session.scalar(
        select(MenuItem.id).where(MenuItem.event_id == event.id, MenuItem.recipe_id == recipe_id)
    )
    if duplicate is not None:
        raise Conflict("%(recipe)s is already on the menu.", field="recipe_id", recipe=recipe.name)
    item = MenuItem(
        community_id=community.id, event_id=event.id, recipe_id=recipe_id, title=recipe.name
    )
    session.add(item)
    session.flush()
    queue_after_commit(
        session,
        community_channel(community.id),
        {"type": "menu", "event_id": event.id, "visibility": event.visibility},
    )
    key = f"{event.id}:menu:{item.id}:added"
    signals.emit(session, EventChanged(community.id, event.id, ("menu",), key))
    return item


def remove_recipe(
    session: Session, community: Community, viewer: Viewer, event: Event, item_id: int
) -> None:
    """Take a dish off the menu (organiser or steward)."""
    require_manager(session, community, viewer, event)
    item = find_scoped(session, MenuItem, item_id if real_id(item_id) else None, community.id)
    if item is None or item.event_id != event.id:
        raise NotFound("That dish is not on this menu.")
    session.delete(item)
    session.flush()
    key = f"{event.id}:menu:{item.id}:removed"
    signals.emit(session, EventChanged(community.id, event.id, ("menu",), key))


def menu_items(
    session: Session, community: Community, viewer: Viewer, event: Event
) -> list[MenuItem]:
    """The dishes the viewer may see (a recipe hidden from them is left out)."""
    items = list(
        session.scalars(select(MenuItem).where(MenuItem.event_id == event.id).order_by(MenuItem.id))
    )
    shown = []
    for item in items:
        try:
            recipes.get_recipe(session, community, viewer, item.recipe_id)
        except NotFound:
            continue
        shown.append(item)
    return shown


def _servings(session: Session, event: Event, head_count: int | None) -> tuple[int, int]:
    head = counts(session, event)["confirmed"] if head_count is None else head_count
    if head_count is not None and not 1 <= head_count <= 10_000:
        raise Invalid("Cook for 1 to 10,000 people.", field="head_count")
    return head, max(head, 1)


def shopping(
    session: Session,
    community: Community,
    viewer: Viewer,
    event: Event,
    head_count: int | None = None,
    decimal: str = ".",
    gettext: Callable[[str], str] | None = None,
) -> ShoppingView:
    """One shopping list for the whole menu at the head count (confirmed people by default),
    its amounts written with the reader's `decimal` sign and, given their `gettext`, their
    unit words."""
    head, servings = _servings(session, event, head_count)
    view = ShoppingView(head_count=head, servings=servings)
    items = menu_items(session, community, viewer, event)
    if not items:
        view.explanation = "No dishes on the menu yet: add recipes from the archive."
        return view
    plan = []
    for item in items:
        recipe = recipes.get_recipe(session, community, viewer, item.recipe_id)
        plan.append((recipes.scalable(recipe), Fraction(item.servings_override or servings)))
    pantry = {p.lower() for p in event.pantry or []}
    for line in recipes.shopping_list(plan):
        view.lines.append(
            ShoppingItem(
                food=line.food,
                display=recipes.line_text(line, decimal, gettext),
                quantity=float(line.quantity) if line.quantity is not None else None,
                unit=line.unit,
                note=line.note,
                recipes=tuple(line.recipes),
                in_hand=line.food.lower() in pantry,
            )
        )
    if head == 0:
        view.explanation = "Nobody is confirmed yet: amounts are for one person."
    return view


def set_pantry(
    session: Session, community: Community, viewer: Viewer, event: Event, foods: list[str]
) -> list[str]:
    """Record which foods are already in hand (organiser or steward)."""
    require_manager(session, community, viewer, event)
    cleaned = sorted({f.strip().lower() for f in foods if f.strip()})
    if len(cleaned) > 200:
        raise Invalid("Mark at most 200 foods as in hand.", field="foods")
    event.pantry = cleaned
    session.flush()
    return cleaned


def turn_into_needs(
    session: Session, community: Community, viewer: Viewer, event: Event
) -> list[dict[str, Any]]:
    """Post what is not in hand as needs in the redistribution network (once per food)."""
    require_manager(session, community, viewer, event)
    view = shopping(session, community, viewer, event)
    if not view.lines:
        raise Conflict(view.explanation or "There is nothing to ask for.")
    where = event.place or community
    if where.lat is None or where.lon is None:
        raise Conflict(
            "Give the event a place on the map so the network knows where to bring food."
        )
    already = {n["food"] for n in event.posted_needs or []}
    wanted = [
        (line.food, line.quantity, line.unit)
        for line in view.lines
        if not line.in_hand and line.food not in already
    ]
    # staples skipped, amounts rounded to what one can give, one need per food
    posted: list[dict[str, Any]] = []
    for draft in network.needs_from_lines(wanted, network.pantry_staples(community)):
        made = network.create_need(
            session,
            community,
            viewer,
            category=draft.category,
            quantity=draft.quantity,
            lat=where.lat,
            lon=where.lon,
            description=f"{draft.quantity} {draft.unit} {draft.category} for {event.title}"[:300],
            unit=draft.unit,
        )
        posted.extend({"food": food, "need_id": made.id} for food in dict.fromkeys(draft.lines))
    event.posted_needs = [*(event.posted_needs or []), *posted]
    session.flush()
    return posted
