"""Rows of one community are never reachable through another community's scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commonpot.communities.models import Community, Place
from commonpot.errors import NotFound
from commonpot.tenancy import find_scoped, get_scoped, select_scoped


def _two_communities(session):  # type: ignore[no-untyped-def]
    a = Community(slug="ta", name="A", visibility="public")
    b = Community(slug="tb", name="B", visibility="private")
    session.add_all([a, b])
    session.flush()
    pa = Place(community_id=a.id, name="Orchard", kind="garden", lat=1.0, lon=2.0)
    pb = Place(community_id=b.id, name="Secret cellar", kind="garden", lat=1.0, lon=2.0)
    session.add_all([pa, pb])
    session.flush()
    return a, b, pa, pb


def test_a_row_of_another_community_answers_as_missing(db) -> None:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        a, _b, pa, pb = _two_communities(session)
        assert get_scoped(session, Place, pa.id, a.id) is pa
        with pytest.raises(NotFound) as other:
            get_scoped(session, Place, pb.id, a.id)
        with pytest.raises(NotFound) as missing:
            get_scoped(session, Place, 10**6, a.id)
        # the same words for "someone else's" and "does not exist": ids reveal nothing
        assert str(other.value.detail).replace(str(pb.id), "N") == str(
            missing.value.detail
        ).replace(str(10**6), "N")
        assert find_scoped(session, Place, pb.id, a.id) is None
        assert find_scoped(session, Place, None, a.id) is None


def test_scoped_query_returns_only_the_community_rows(db) -> None:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        a, _b, _pa, _pb = _two_communities(session)
        names = session.scalars(select_scoped(Place, a.id).order_by(Place.name)).all()
        assert [p.name for p in names] == ["Orchard"]
        everything = session.scalars(select(Place.name)).all()
        assert "Secret cellar" in everything
