"""The community home's plain-row reads, on both databases, each held to the entity read
it stands for: the newest offers and needs (needs only for stewards and their own poster),
the recipes added last as each reader may see them, the ecology in four numbers counted by
the database, and the member count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from commonpot import biotumblers, ecology, events, governance, network, recipes
from commonpot.accounts import ANONYMOUS, Viewer
from commonpot.accounts.models import User
from commonpot.biotumblers import alerts
from commonpot.biotumblers import service as tumbler_service
from commonpot.biotumblers.models import AlertEpisode
from commonpot.communities import place_map
from commonpot.communities import service as communities_service
from commonpot.communities.models import Membership
from commonpot.db import Database, utcnow
from commonpot.ecology.models import Planting
from commonpot.events import service as events_service
from commonpot.events.models import EventSession
from commonpot.governance import service as governance_service
from commonpot.governance.models import Proposal
from commonpot.network.models import Need, Offer
from commonpot.network.offers import visible_needs
from commonpot.recipes.models import Recipe
from commonpot.settings import Settings
from tests.factories.accounts import make_place, make_world
from tests.factories.biotumblers import register
from tests.factories.ecology import seed_domes
from tests.factories.events import make_event, weekly_bread_class
from tests.factories.governance import fetch_community, make_proposal
from tests.factories.network import add_need, add_offer
from tests.factories.recipes import make_recipe


def _food(rows: Sequence[Offer] | Sequence[Need]) -> list[tuple[Any, ...]]:
    return [(r.category, r.quantity, r.unit, r.description) for r in rows]


def test_the_newest_offers_and_needs_are_those_each_reader_may_see(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        member, custodian = s.get(User, world.member.id), s.get(User, world.custodian.id)
        for i in range(7):
            add_offer(s, public, member, i + 1, category=f"offer{i}")
        for i in range(4):
            add_need(s, public, member, i + 1, category=f"mine{i}")
            add_need(s, public, custodian, i + 10, category=f"theirs{i}")
        closed = s.scalars(select(Offer).where(Offer.category == "offer6")).one()
        closed.status = "withdrawn"
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        every_offer = s.scalars(
            select(Offer)
            .where(Offer.community_id == public.id, Offer.status == "open")
            .order_by(Offer.created_at.desc(), Offer.id.desc())
        ).all()
        for reader, sees_every_need in (
            (world.member, False),
            (world.steward, True),
            (world.admin, True),  # not a member: instance admins run allocations too
        ):
            viewer = Viewer(user=s.get(User, reader.id))
            offers, needs = network.latest(s, public, viewer, limit=5)
            assert [tuple(o) for o in offers] == _food(every_offer[:5])
            entities = visible_needs(s, public, viewer, status="open")
            assert [tuple(n) for n in needs] == _food(list(reversed(entities))[:5])
            categories = {n.category for n in needs}
            if sees_every_need:
                assert len(needs) == 5 and any(c.startswith("theirs") for c in categories)
            else:
                assert [n.category for n in needs] == ["mine3", "mine2", "mine1", "mine0"]
        assert "offer6" not in {o.category for o in offers}  # withdrawn
        outsider = Viewer(user=s.get(User, world.outsider.id))
        assert network.latest(s, public, outsider) == ([], [])
        assert network.latest(s, public, ANONYMOUS) == ([], [])


def _coming_by_entities(
    s: Any, community: Any, viewer: Viewer, moment: datetime
) -> list[tuple[Any, ...]]:
    """What the home listed before its one statement: every visible upcoming event loaded
    whole, less cancelled ones, by the start of its next session still to come; and when
    its line changes (the first of those sessions to end, or the series' end)."""
    found = [
        e
        for e in events_service.list_events(s, community, viewer, upcoming=True, now=moment)
        if e.status != "cancelled"
    ]
    rows = []
    for e in found:
        nexts = s.execute(
            select(EventSession.starts_at, EventSession.ends_at).where(
                EventSession.event_id == e.id,
                EventSession.ends_at >= moment,
                EventSession.cancelled.is_(False),
            )
        ).all()
        start = min(n.starts_at for n in nexts) if nexts else e.starts_at
        ends = s.scalars(select(EventSession.ends_at).where(EventSession.event_id == e.id)).all()
        over = max(ends) if ends else e.ends_at
        changes = min([over, *(n.ends_at for n in nexts)])
        rows.append((e.id, e.title, e.place.name if e.place else None, start, changes))
    return sorted(rows, key=lambda r: (r[3], r[0]))


def test_the_events_coming_are_the_visible_ones_by_their_next_session(db: Database) -> None:
    world = make_world(db)
    moment = utcnow().replace(microsecond=0)
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        steward = s.get(User, world.steward.id)
        assert steward
        hall = make_place(s, public, "Village hall")
        first = moment - timedelta(days=20)
        weekly_bread_class(s, public, steward, first, place_id=hall.id)
        for day in range(1, 7):
            make_event(
                s,
                public,
                steward,
                title=f"Supper {day}",
                starts_at=moment + timedelta(days=day, hours=3),
                visibility="community" if day % 2 else "public",
            )
        make_event(s, public, steward, title="Long over", starts_at=moment - timedelta(days=9))
        dropped = make_event(s, public, steward, title="Called off", visibility="public")
        events_service.cancel_event(s, public, Viewer(user=steward), dropped)
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        for reader in (world.member, world.outsider, None):
            viewer = ANONYMOUS if reader is None else Viewer(user=s.get(User, reader.id))
            listed = events.upcoming(s, public, viewer, limit=5, now=moment)
            assert [tuple(c) for c in listed] == _coming_by_entities(s, public, viewer, moment)[:5]
            titles = [c.title for c in listed]
            assert "Called off" not in titles and "Long over" not in titles
            assert all(c.starts_at.tzinfo is not None for c in listed)
            if reader is world.member:
                assert len(listed) == 5 and "Supper 1" in titles
            else:
                assert "Supper 1" not in titles and "Supper 2" in titles
        bread = next(c for c in listed if c.title == "Weekly bread class")
        assert bread.place == "Village hall"
        assert bread.starts_at == first + timedelta(days=21)  # days 0, 7 and 14 are over
        # its line reads otherwise once that session ends: the next one shows
        assert bread.changes_at == first + timedelta(days=21, hours=2)
        assert events.first_change(listed) == min(c.changes_at for c in listed)
        assert events.first_change(listed) <= bread.changes_at
        assert events.first_change([]) is None


def test_the_recipes_added_last_are_the_visible_ones(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        member, custodian = s.get(User, world.member.id), s.get(User, world.custodian.id)
        assert member and custodian
        for i in range(4):
            make_recipe(s, public, member, name=f"Open soup {i}", reach="public", cuisine="Nahua")
        make_recipe(s, public, member, name="Members mole", reach="community")
        make_recipe(s, public, custodian, name="Sacred corn mush", labels=["TK CO"])
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        for reader, hidden in (
            (world.custodian, set()),
            (world.member, set()),
            (world.outsider, {"Members mole", "Sacred corn mush"}),
            (None, {"Members mole", "Sacred corn mush"}),
        ):
            viewer = ANONYMOUS if reader is None else Viewer(user=s.get(User, reader.id))
            listed = recipes.recent_recipes(s, public, viewer, limit=5)
            full = s.scalars(
                recipes.visible_recipes(s, public, viewer).order_by(
                    Recipe.created_at.desc(), Recipe.id.desc()
                )
            ).all()
            assert [tuple(r) for r in listed] == [(r.id, r.name, r.cuisine) for r in full[:5]]
            names = {r.name for r in listed}
            assert not names & hidden
            assert "Open soup 3" in names
        assert listed[0].cuisine == "Nahua"


def test_the_ecology_in_four_numbers_and_the_member_count(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        empty = ecology.highlights(s, public, ANONYMOUS)
        assert empty == {"plantings": 0, "crops": 0, "places": 0, "area_m2": 0}
        seed_domes(s, public, s.get(User, world.steward.id))
        seed_domes(s, fetch_community(s, world.private.slug), s.get(User, world.private_steward.id))
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        rows = s.scalars(select(Planting).where(Planting.community_id == public.id)).all()
        found = ecology.highlights(s, public, ANONYMOUS)
        assert found["plantings"] == len(rows) > 0
        assert found["crops"] == len({p.crop_id for p in rows})
        assert found["places"] == len({p.place_id for p in rows})
        assert abs(found["area_m2"] - sum(p.area_m2 for p in rows)) < 1e-6
        members = s.scalars(select(Membership).where(Membership.community_id == public.id))
        assert communities_service.member_count(s, public) == len(members.all()) == 3


def test_the_biotumblers_with_their_open_alerts_counted_once_per_kind_and_level(
    db: Database,
) -> None:
    world = make_world(db)
    now = utcnow()
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        steward = s.get(User, world.steward.id)
        private_steward = s.get(User, world.private_steward.id)
        assert steward and private_steward
        north, _ = register(s, public, steward, device="north")
        south, _ = register(s, public, steward, device="south")
        register(s, fetch_community(s, world.private.slug), private_steward, device="hidden")
        north.last_reading_at = now
        for device, kind, level, ended in (
            (north, "too_hot", "warning", None),
            (north, "too_dry", "critical", None),
            (north, "too_cold", "warning", now),  # closed
            (south, "silent", "warning", now),  # closed
        ):
            s.add(
                AlertEpisode(
                    community_id=public.id,
                    device_id=device.id,
                    kind=kind,
                    level=level,
                    started_at=now - timedelta(hours=1),
                    ended_at=ended,
                )
            )
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        for reader in (world.member, world.outsider, None):
            viewer = ANONYMOUS if reader is None else Viewer(user=s.get(User, reader.id))
            found = biotumblers.highlights(s, public, viewer)
            devices = tumbler_service.visible_devices(s, public, viewer)
            episodes = alerts.open_for(s, [d.id for d in devices])
            assert [tuple(h) for h in found] == [
                (d.device, d.name, d.last_reading_at, len(episodes.get(d.id, []))) for d in devices
            ]
        assert [(h.device, h.open_alerts) for h in found] == [("north", 2), ("south", 0)]
        assert found[0].last_reading_at is not None and found[1].last_reading_at is None


def test_the_places_pinned_on_the_home_are_the_communitys_own(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        make_place(s, public, "Village hall", kind="kitchen", lat=51.45, lon=-2.58)
        make_place(s, public, "North dome", kind="biodome", lat=51.46, lon=-2.59)
        make_place(s, fetch_community(s, world.private.slug), "Hidden cellar")
    with db.unit_of_work() as s:
        public = fetch_community(s, world.public.slug)
        pins = place_map.place_pins(s, public)
        full = place_map.places(s, public)
        assert [tuple(p) for p in pins] == [(p.id, p.name, p.kind, p.lat, p.lon) for p in full]
        assert [p.name for p in pins] == ["North dome", "Public Kitchen", "Village hall"]
        assert place_map.place_markers(pins) == place_map.place_markers(full)


def test_the_votes_closing_soon_are_picked_by_the_database(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    slug = world.public.slug
    numbers = [
        make_proposal(db, world.steward, slug, settings, title=f"Vote {i}") for i in range(7)
    ]
    make_proposal(db, world.member, slug, settings, title="A draft", opened=False)
    with db.unit_of_work() as s:
        public = fetch_community(s, slug)
        start = utcnow()
        for i, number in enumerate(numbers):  # closing in an order unlike their numbers
            proposal = s.scalars(
                select(Proposal).where(
                    Proposal.community_id == public.id, Proposal.number == number
                )
            ).one()
            proposal.closes_at = start + timedelta(days=(i * 3) % 7 + 1)
            if i == 6:
                proposal.state = "closed"
    with db.unit_of_work() as s:
        public = fetch_community(s, slug)
        for reader in (world.member, world.steward, None):
            viewer = ANONYMOUS if reader is None else Viewer(user=s.get(User, reader.id))
            found = governance.closing_soon(s, public, viewer, limit=5)
            everyone = [
                p
                for p in governance_service.listed_proposals(s, public, viewer)
                if p.state == "active" and p.closes_at is not None
            ]
            everyone.sort(key=lambda p: (p.closes_at, p.number))
            assert found == everyone[:5]
            assert len(found) == 5 and "A draft" not in {p.title for p in found}
            assert [p.closes_at for p in found] == sorted(p.closes_at for p in found)
