"""Tenancy by construction: rows that belong to a community are read through these helpers.

Every table with a `community_id` column holds one community's data. Reading such a row
by id alone and checking its community afterwards is the mistake that leaks another
community's data the day someone forgets the check; these helpers make the community part
of the lookup itself:

    offer = get_scoped(session, Offer, offer_id, community.id)        # NotFound otherwise
    rows = session.scalars(select_scoped(Offer, community.id).where(...))

A row of another community answers exactly as a missing row does (404, same message), so
that ids reveal nothing across communities.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from commonpot.errors import NotFound


class Tenanted(Protocol):
    """A mapped class with a `community_id` column."""

    community_id: Any


T = TypeVar("T", bound=Tenanted)


def get_scoped(
    session: Session,
    model: type[T],
    ident: int | None,
    community_id: int,
    *,
    missing: str | None = None,
    for_update: bool = False,
) -> T:
    """The row `ident` of `model` in this community, or NotFound (also for other communities')."""
    found = (
        session.get(model, ident, with_for_update=for_update or None) if ident is not None else None
    )
    if found is None or found.community_id != community_id:
        raise NotFound(missing or f"No {_noun(model)} {ident} here.")
    return found


def find_scoped(session: Session, model: type[T], ident: int | None, community_id: int) -> T | None:
    """The row `ident` of `model` in this community, or None."""
    found = session.get(model, ident) if ident is not None else None
    if found is None or found.community_id != community_id:
        return None
    return found


def select_scoped(model: type[T], community_id: int) -> Select[T]:
    """`SELECT model WHERE community_id = ...`: add filters and ordering to it."""
    column = model.community_id
    return select(model).where(column == community_id)


def _noun(model: type[Any]) -> str:
    name = getattr(model, "__name__", "row")
    words = []
    for i, char in enumerate(name):
        if char.isupper() and i:
            words.append(" ")
        words.append(char.lower())
    return "".join(words)
