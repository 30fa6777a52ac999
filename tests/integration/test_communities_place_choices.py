"""`communities.place_choices`: a community's places as forms offer them (number, name,
kind; by name), the same places `places` reads, none of another community's; on both
databases."""

from __future__ import annotations

from commonpot import communities
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities.schemas import PlaceIn
from commonpot.db import Database
from tests.factories.accounts import make_world
from tests.factories.governance import fetch_community


def test_place_choices_are_the_communitys_places_by_name(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        private = fetch_community(s, world.private.slug)
        me = Viewer(user=s.get(User, world.member.id))
        for name, kind in (("Plaza del Sol", "plaza"), ("Allotment 4", "garden")):
            communities.create_place(s, public, me, PlaceIn(name=name, kind=kind, lat=1, lon=2))
        owner = Viewer(user=s.get(User, world.private_member.id))
        communities.create_place(s, private, owner, PlaceIn(name="Hidden kitchen", lat=1, lon=2))
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        choices = communities.place_choices(s, public)
        assert [(c.name, c.kind) for c in choices] == [
            ("Allotment 4", "garden"),
            ("Plaza del Sol", "plaza"),
            ("Public Kitchen", "kitchen"),  # the world's own
        ]
        assert "Hidden kitchen" not in [c.name for c in choices]
        full = communities.places(s, public)
        assert [(p.id, p.name, p.kind) for p in full] == [tuple(c) for c in choices]
