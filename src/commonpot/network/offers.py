"""Offers and needs: members offer food and ask for it; stewards see every need."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import Integer, Select, bindparam, func, literal, select, union, union_all
from sqlalchemy.orm import Session

from commonpot import communities
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import N_, Conflict, Forbidden, Invalid, NotFound
from commonpot.network import checks
from commonpot.network.access import is_steward, owner_or_steward, require_reader
from commonpot.network.circumstances import clean as circumstances_clean
from commonpot.network.circumstances import need_closed
from commonpot.network.groups import get_group
from commonpot.network.models import Need, NeedStatus, Offer, OfferStatus
from commonpot.paging import EVERY_ROW, Page, Window, total_of
from commonpot.tenancy import get_scoped, select_scoped


def visible_offers(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    status: str | None = None,
    window: Window = EVERY_ROW,
) -> list[Offer]:
    """Offers the viewer may see: every offer of the community, for its members (oldest
    first; those in `window`)."""
    require_reader(session, community, viewer)
    query = select_scoped(Offer, community.id)
    if status is not None:
        query = query.where(Offer.status == status)
    return list(session.scalars(window.of(query.order_by(Offer.id))))


class Fresh(NamedTuple):
    """An open offer or need as the community's home page lists it."""

    category: str
    quantity: int
    unit: str
    description: str


def latest(
    session: Session, community: Community, viewer: Viewer, *, limit: int = 5
) -> tuple[list[Fresh], list[Fresh]]:
    """The newest open offers and the newest open needs the viewer may see (none for
    non-members; the same rule as `visible_needs`: stewards see every need, other members
    their own), as plain rows, both in one statement built once."""
    if not (viewer.is_admin or communities.membership(session, community, viewer)):
        return [], []
    values = {"community_id": community.id, "limit": limit, "user_id": viewer.user_id}
    rows = session.execute(_latest(is_steward(session, community, viewer)), values).all()
    # each part came newest first, but UNION ALL promises no order: sorted again here
    offers = sorted((r for r in rows if r.part == 0), key=lambda r: (r.created_at, r.id))
    needs = sorted((r for r in rows if r.part == 1), key=lambda r: r.id)
    return [Fresh(*r[3:]) for r in reversed(offers)], [Fresh(*r[3:]) for r in reversed(needs)]


@lru_cache(maxsize=2)
def _latest(steward: bool) -> Any:
    """`latest`'s statement: the newest open offers (part 0) and needs (part 1, every one for
    a steward, else the reader's own), each part with its own LIMIT; bound: the community,
    the limit and the reader."""
    offers = _newest(Offer, 0, OfferStatus.OPEN.value, Offer.created_at.desc(), Offer.id.desc())
    needs = _newest(Need, 1, NeedStatus.OPEN.value, Need.id.desc())
    if not steward:
        needs = needs.where(Need.user_id == bindparam("user_id"))
    return union_all(select(offers.subquery()), select(needs.subquery()))


def _newest(model: type[Offer] | type[Need], part: int, status: str, *order: Any) -> Any:
    """One part of `_latest`: what the home shows of `model`'s rows in `status`, in `order`."""
    return (
        select(
            literal(part).label("part"),
            model.created_at,
            model.id,
            model.category,
            model.quantity,
            model.unit,
            model.description,
        )
        .where(model.community_id == bindparam("community_id"), model.status == status)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
    )


def visible_needs(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    status: str | None = None,
    window: Window = EVERY_ROW,
) -> list[Need]:
    """Needs the viewer may see: stewards see all, other members only their own (oldest
    first; those in `window`)."""
    require_reader(session, community, viewer)
    query = select_scoped(Need, community.id)
    if not is_steward(session, community, viewer):
        query = query.where(Need.user_id == viewer.user_id)
    if status is not None:
        query = query.where(Need.status == status)
    return list(session.scalars(window.of(query.order_by(Need.id))))


SHOWN = 100  # rows of each list the sharing page shows at once


def open_shown(
    session: Session,
    community: Community,
    viewer: Viewer,
    kind: Literal["offers", "needs"],
    *,
    category: str | None = None,
    offset: int = 0,
    limit: int = SHOWN,
) -> Page:
    """`limit` open offers or needs the viewer may see, newest first, from `offset`, of
    `category` alone when given: what the sharing page lists, however many a city's network
    holds. The rules are `visible_offers`' (every offer, for members) and `visible_needs`'
    (every need for a steward, the reader's own for other members). Statements built once
    (the page, and the count when the page cannot say it)."""
    require_reader(session, community, viewer)
    model: type[Offer] | type[Need] = Offer if kind == "offers" else Need
    own = model is Need and not is_steward(session, community, viewer)
    values = {"community_id": community.id, "category": category, "user_id": viewer.user_id}
    return _shown(session, (model, category is not None, own), values, offset, limit)


def open_categories(session: Session, community: Community, viewer: Viewer) -> list[str]:
    """The categories of the open offers and needs the viewer may see, in order: what the
    sharing page can be narrowed to."""
    require_reader(session, community, viewer)
    own = not is_steward(session, community, viewer)
    values = {"community_id": community.id, "user_id": viewer.user_id}
    return list(session.scalars(_categories(own), values))


def _shown(
    session: Session,
    kind: tuple[type[Offer] | type[Need], bool, bool],
    values: dict[str, Any],
    offset: int,
    limit: int,
) -> Page:
    """A page of `_open_page(*kind)` and the total: counted only when the page cannot say
    (a full page, or one past the last row); a page that is not full ends the list."""
    offset, limit = max(offset, 0), max(limit, 0)
    rows = list(session.execute(_open_page(*kind), {**values, "offset": offset, "limit": limit}))
    total = total_of(
        len(rows), offset, limit, lambda: int(session.scalar(_open_count(*kind), values) or 0)
    )
    return Page(rows, total)


def _open_rule(model: type[Offer] | type[Need], wanted: bool, own: bool) -> list[Any]:
    """The open rows of `model` a list shows: of the community, open, of the category asked
    (`wanted`), the reader's own (`own`, needs of a member who is not a steward)."""
    status = OfferStatus.OPEN.value if model is Offer else NeedStatus.OPEN.value
    rule = [model.community_id == bindparam("community_id"), model.status == status]
    if wanted:
        rule.append(model.category == bindparam("category"))
    if own:
        rule.append(model.user_id == bindparam("user_id"))
    return rule


@lru_cache(maxsize=8)
def _open_page(model: type[Offer] | type[Need], wanted: bool, own: bool) -> Any:
    """A page of open offers or needs as the sharing page shows them, newest first; bound:
    the community, the category, the reader, the offset and the limit."""
    if model is Offer:
        columns: tuple[Any, ...] = (Offer.allocated, Offer.expires_at)
    else:
        columns = (
            Need.received,
            Need.circumstances,
            Need.circumstances_note,
            Need.priority_consent,
            Need.group_id,
        )
    return (
        select(
            model.id,
            model.user_id,
            model.category,
            model.description,
            model.quantity,
            model.unit,
            model.lat,
            model.lon,
            *columns,
        )
        .where(*_open_rule(model, wanted, own))
        .order_by(model.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


@lru_cache(maxsize=8)
def _open_count(model: type[Offer] | type[Need], wanted: bool, own: bool) -> Any:
    """How many rows `_open_page` pages through."""
    return select(func.count()).select_from(model).where(*_open_rule(model, wanted, own))


@lru_cache(maxsize=2)
def _categories(own: bool) -> Any:
    """`open_categories`' statement; bound: the community and the reader. The kinds of
    the open offers (and of all open needs, for a steward) are read by skipping through
    the (community, status, kind) index a kind at a time (`_kinds`: a few dozen seeks,
    not every open row of a city); a member's own needs are few, read as they are."""
    offers = _kinds(Offer, "offer_kinds")
    if own:
        needs: Select[str] = select(Need.category).where(*_open_rule(Need, False, True)).distinct()
    else:
        needs = _kinds(Need, "need_kinds")
    both = union(offers, needs).subquery()
    return select(both.c.category).order_by(both.c.category)


def _kinds(model: type[Offer] | type[Need], name: str) -> Select[str]:
    """The distinct kinds of `model`'s open rows of a community, as a recursive query that
    seeks the least kind, then the least one after it, until there is none (a loose index
    scan, on SQLite and PostgreSQL alike)."""
    rule = _open_rule(model, False, False)
    least = select(func.min(model.category).label("category")).where(*rule)
    kinds = least.cte(name, recursive=True)
    after = select(func.min(model.category)).where(*rule, model.category > kinds.c.category)
    kinds = kinds.union_all(select(after.scalar_subquery()).where(kinds.c.category.is_not(None)))
    return select(kinds.c.category).where(kinds.c.category.is_not(None))


def _food(category: str, description: str, quantity: int, unit: str) -> dict[str, Any]:
    """What an offer and a need both describe, checked the same way."""
    return {
        "category": checks.text(category, "category", 60).lower(),
        "description": checks.text(description, "description", 300, required=False),
        "quantity": checks.quantity(quantity),
        "unit": checks.unit(unit),
    }


def create_offer(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    category: str,
    quantity: int,
    lat: float,
    lon: float,
    description: str = "",
    expires_at: datetime | None = None,
    unit: str = "",
) -> Offer:
    """A member offers food at a place, optionally until it spoils."""
    communities.require_member(session, community, viewer)
    checks.place(lat, lon)
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("expires_at: must be in the future", field="expires_at")
    offer = Offer(
        community_id=community.id,
        user_id=viewer.user_id,
        **_food(category, description, quantity, unit),
        lat=lat,
        lon=lon,
        expires_at=expires_at,
    )
    session.add(offer)
    session.flush()
    return offer


def create_need(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    category: str,
    quantity: int,
    lat: float,
    lon: float,
    description: str = "",
    group_id: int | None = None,
    unit: str = "",
    circumstances: Iterable[str] = (),
    circumstances_note: str = "",
    priority_consent: bool = False,
) -> Need:
    """A member asks for food, stating circumstances and consent to a priority group if
    they wish; only a steward may place a need in a group, and only with that consent."""
    communities.require_member(session, community, viewer)
    checks.place(lat, lon)
    codes, note = circumstances_clean(circumstances, circumstances_note)
    if group_id is not None:
        if not is_steward(session, community, viewer):
            raise Forbidden(
                "Priority groups are chosen by stewards from the circumstances you state."
            )
        get_group(session, community, group_id)
        if not priority_consent:
            raise Invalid(
                "group_id: the person has not agreed to be placed in a priority group",
                field="group_id",
            )
    need = Need(
        community_id=community.id,
        user_id=viewer.user_id,
        **_food(category, description, quantity, unit),
        lat=lat,
        lon=lon,
        group_id=group_id,
        circumstances=codes,
        circumstances_note=note,
        priority_consent=bool(priority_consent),
    )
    session.add(need)
    session.flush()
    return need


def get_offer(session: Session, community: Community, viewer: Viewer, offer_id: int) -> Offer:
    """One offer of the community, for members."""
    require_reader(session, community, viewer)
    return get_scoped(session, Offer, offer_id, community.id, missing=N_("No such offer here."))


def get_need(session: Session, community: Community, viewer: Viewer, need_id: int) -> Need:
    """One need, for its author and the stewards."""
    for need in visible_needs(session, community, viewer):
        if need.id == need_id:
            return need
    raise NotFound("No such need here.")


def withdraw_offer(session: Session, community: Community, viewer: Viewer, offer_id: int) -> Offer:
    """Withdraw what is left of an offer (units already allocated stay allocated)."""
    offer = get_offer(session, community, viewer, offer_id)
    owner_or_steward(session, community, viewer, offer.user_id)
    if offer.status != OfferStatus.OPEN.value:
        if offer.status == OfferStatus.ALLOCATED.value:
            raise Conflict("This offer is already allocated.")
        if offer.status == OfferStatus.WITHDRAWN.value:
            raise Conflict("This offer is already withdrawn.")
        raise Conflict("This offer is already %(status)s.", status=offer.status)
    offer.status = OfferStatus.WITHDRAWN.value
    return offer


def withdraw_need(session: Session, community: Community, viewer: Viewer, need_id: int) -> Need:
    """Withdraw a need that is no longer needed."""
    need = get_need(session, community, viewer, need_id)
    owner_or_steward(session, community, viewer, need.user_id)
    if need.status != NeedStatus.OPEN.value:
        raise need_closed(need)
    need.status = NeedStatus.WITHDRAWN.value
    return need


def open_counts(session: Session, community: Community) -> dict[str, int]:
    """Open offers and needs, for the section's summary."""
    offers = session.scalar(
        select(func.count(Offer.id)).where(
            Offer.community_id == community.id, Offer.status == OfferStatus.OPEN.value
        )
    )
    needs = session.scalar(
        select(func.count(Need.id)).where(
            Need.community_id == community.id, Need.status == NeedStatus.OPEN.value
        )
    )
    return {"offers": int(offers or 0), "needs": int(needs or 0)}
