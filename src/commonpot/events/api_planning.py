"""Events JSON API for planning an event: menu, shopping list, pantry, needs, pairs, outreach.

Included by `events.api` (same prefix, tags and security)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonpot.events import menu, pairing, planning, service
from commonpot.events import outreach as outreach_engine
from commonpot.events.live import EventsScope
from commonpot.events.schemas import (
    ClassSizeIn,
    MenuItemIn,
    MenuItemOut,
    NeedPostedOut,
    OutreachOut,
    PairingOut,
    PairOut,
    PairRuleIn,
    PairRuleOut,
    PantryIn,
    PersonRef,
    ShoppingLineOut,
    ShoppingOut,
)
from commonpot.params import Id
from commonpot.templating import Reader, reader

router = APIRouter()
BASE = "/communities/{slug}/events"


@router.get(BASE + "/{event_id}/menu", response_model=list[MenuItemOut])
def get_menu(here: EventsScope, event_id: Id) -> list[MenuItemOut]:
    """The dishes on the menu."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    items = menu.menu_items(here.session, here.community, here.viewer, event)
    return [MenuItemOut(id=i.id, recipe_id=i.recipe_id, title=i.title) for i in items]


@router.post(BASE + "/{event_id}/menu", response_model=MenuItemOut, status_code=201)
def add_dish(here: EventsScope, event_id: Id, body: MenuItemIn, request: Request) -> MenuItemOut:
    """Add an archive recipe to the menu (organiser or steward)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    item = menu.add_recipe(here.session, here.community, here.viewer, event, body.recipe_id)
    return MenuItemOut(id=item.id, recipe_id=item.recipe_id, title=item.title)


@router.delete(BASE + "/{event_id}/menu/{item_id}", status_code=204)
def remove_dish(here: EventsScope, event_id: Id, item_id: Id) -> None:
    """Take a dish off the menu (organiser or steward)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    menu.remove_recipe(here.session, here.community, here.viewer, event, item_id)


@router.get(BASE + "/{event_id}/shopping-list", response_model=ShoppingOut)
def shopping_list(here: EventsScope, event_id: Id, head_count: int | None = None) -> ShoppingOut:
    """The menu scaled to the confirmed head count (or `head_count`), merged into one list."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    view = menu.shopping(here.session, here.community, here.viewer, event, head_count)
    return ShoppingOut(
        head_count=view.head_count,
        servings=view.servings,
        explanation=view.explanation,
        lines=[
            ShoppingLineOut(**{**line.__dict__, "recipes": list(line.recipes)})
            for line in view.lines
        ],
    )


@router.put(BASE + "/{event_id}/pantry", response_model=list[str])
def set_pantry(here: EventsScope, event_id: Id, body: PantryIn) -> list[str]:
    """Say which foods are already in hand (organiser or steward)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    return menu.set_pantry(here.session, here.community, here.viewer, event, body.foods)


@router.post(BASE + "/{event_id}/needs", response_model=list[NeedPostedOut], status_code=201)
def post_needs(here: EventsScope, event_id: Id) -> list[NeedPostedOut]:
    """Turn what is not in hand into needs in the redistribution network."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    posted = menu.turn_into_needs(here.session, here.community, here.viewer, event)
    return [NeedPostedOut(**p) for p in posted]


@router.get(BASE + "/{event_id}/pairs", response_model=PairingOut)
def get_pairs(request: Request, here: EventsScope, event_id: Id) -> PairingOut:
    """The optimal teacher–learner pairing with reasons (members), in the reader's language."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    view = planning.pairs(here.session, here.community, here.viewer, event)
    return pairing_out(view, reader(request))


def pairing_out(view: planning.PairingView, words: Reader | None = None) -> PairingOut:
    """The API shape of a pairing (reasons in English unless a reader is given)."""

    def said(reason: pairing.Reason) -> str:
        if words is None:
            return pairing.reason_text(reason)
        return pairing.reason_text(reason, words.gettext, words.ngettext, words.language)

    def ref(user_id: Id) -> PersonRef:
        return PersonRef(id=user_id, name=view.names.get(user_id, "?"))

    result = view.result
    return PairingOut(
        pairs=[
            PairOut(
                teacher=ref(p.teacher_id),
                learner=ref(p.learner_id),
                score=round(p.score, 3),
                pinned=p.pinned,
                reasons=[said(r) for r in p.reasons],
            )
            for p in result.pairs
        ],
        unpaired_teachers=[ref(i) for i in result.unpaired_teachers],
        unpaired_learners=[ref(i) for i in result.unpaired_learners],
        total=round(result.total, 3),
        rules=[
            PairRuleOut(id=r.id, teacher_id=r.teacher_id, learner_id=r.learner_id, rule=r.rule)
            for r in view.rules
        ],
        learners_per_elder=view.per_teacher,
    )


@router.put(BASE + "/{event_id}/class-size", response_model=PairingOut)
def set_class_size(
    request: Request, here: EventsScope, event_id: Id, body: ClassSizeIn
) -> PairingOut:
    """Set how many learners each elder takes (organiser or steward); the new pairing."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    planning.set_class_size(
        here.session, here.community, here.viewer, event, body.learners_per_elder
    )
    view = planning.pairs(here.session, here.community, here.viewer, event)
    return pairing_out(view, reader(request))


@router.post(BASE + "/{event_id}/pair-rules", response_model=PairRuleOut, status_code=201)
def add_pair_rule(here: EventsScope, event_id: Id, body: PairRuleIn) -> PairRuleOut:
    """Pin or forbid a pair (organiser or steward)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    found = planning.set_rule(here.session, here.community, here.viewer, event, **body.model_dump())
    return PairRuleOut(
        id=found.id, teacher_id=found.teacher_id, learner_id=found.learner_id, rule=found.rule
    )


@router.delete(BASE + "/{event_id}/pair-rules/{rule_id}", status_code=204)
def remove_pair_rule(here: EventsScope, event_id: Id, rule_id: Id) -> None:
    """Remove a pin or forbid (organiser or steward)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    planning.clear_rule(here.session, here.community, here.viewer, event, rule_id)


@router.get("/communities/{slug}/outreach", response_model=list[OutreachOut])
def outreach(request: Request, here: EventsScope) -> list[OutreachOut]:
    """Homes ranked by poor access to fresh food, each with the nearest venue for a class."""
    found, origin = planning.outreach_plan(here.session, here.community, here.viewer)
    words = reader(request)
    return [
        OutreachOut(
            rank=s.rank,
            home=s.home.name,
            home_id=s.home.id,
            population=s.home.population,
            access_km=s.access_km,
            nearest_source=s.nearest_source,
            venue=s.venue.name if s.venue else None,
            venue_id=s.venue.id if s.venue else None,
            venue_km=s.venue_km,
            score=s.score,
            reason=outreach_engine.reason_text(s, words),
            analysis=origin,
        )
        for s in found
    ]
