"""Accounts and communities services on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from commonpot import demo
from commonpot.accounts import service as accounts
from commonpot.accounts.service import ANONYMOUS, Viewer
from commonpot.communities import service
from commonpot.communities.models import Community, Membership, Place
from commonpot.communities.schemas import InvitationIn, PlaceIn
from commonpot.db import Database
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, Unauthenticated
from commonpot.parsing import validated
from tests.factories.accounts import PASSWORD, make_user, make_world


def test_demo_loads_cleanly_and_only_once(db: Database) -> None:
    with db.unit_of_work() as s:
        result = demo.load(s)
    assert result.loaded
    with db.unit_of_work() as s:
        again = demo.load(s)
        assert not again.loaded
        riverside = s.scalar(select(Community).where(Community.slug == "riverside"))
        hillside = s.scalar(select(Community).where(Community.slug == "hillside"))
        assert (
            riverside is not None and riverside.is_public and riverside.name == "Riverside Biodome"
        )
        assert hillside is not None and not hillside.is_public
        roles = set(
            s.scalars(select(Membership.role).where(Membership.community_id == riverside.id))
        )
        assert roles == {"steward", "custodian", "member"}
        both = accounts.user_by_email(s, "priya@both.example")
        assert both is not None
        count = s.scalar(select(func.count()).where(Membership.user_id == both.id))
        assert count == 2
        years = [
            u.birth_year
            for u in s.scalars(select(Membership)).all()
            for u in [u.user]
            if u.birth_year
        ]
        assert min(years) < 1950 and max(years) > 2000  # several generations
        assert s.scalar(select(func.count(Place.id)).where(Place.community_id == hillside.id)) >= 2
        # hillside is invisible to an anonymous visitor and to a riverside-only member
        with pytest.raises(NotFound):
            service.readable_community(s, "hillside", ANONYMOUS)
        lina = accounts.user_by_email(s, "lina@riverside.example")
        with pytest.raises(NotFound):
            service.readable_community(s, "hillside", Viewer(user=lina))
        assert service.readable_community(s, "hillside", Viewer(user=both)).slug == "hillside"


def test_authenticate_rate_limits_and_forgives_after_success(db: Database) -> None:
    world = make_world(db)
    for _ in range(4):
        with db.unit_of_work() as s, pytest.raises(Unauthenticated):
            try:
                accounts.authenticate(
                    s, email=world.member.email, password="nope", client="1.1.1.1"
                )
            finally:
                s.commit()
    with db.unit_of_work() as s:
        user = accounts.authenticate(
            s, email=world.member.email, password=PASSWORD, client="1.1.1.1"
        )
        assert user.id == world.member.id
    for _ in range(5):
        with db.unit_of_work() as s, pytest.raises(Unauthenticated):
            try:
                accounts.authenticate(
                    s, email=world.member.email, password="nope", client="1.1.1.1"
                )
            finally:
                s.commit()
    with db.unit_of_work() as s, pytest.raises(RateLimited):
        accounts.authenticate(s, email=world.member.email, password=PASSWORD, client="1.1.1.1")


def test_password_change_signs_out_other_sessions(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        token = accounts.start_session(s, s.get(type(world.member), world.member.id))
    with db.unit_of_work() as s:
        user = s.get(type(world.member), world.member.id)
        with pytest.raises(Invalid):
            accounts.change_password(s, user, current="wrong one!!", new="another long one")
    with db.unit_of_work() as s:
        assert accounts.user_for_session(s, token) is not None
        user = s.get(type(world.member), world.member.id)
        accounts.change_password(s, user, current=PASSWORD, new="another long one")
    with db.unit_of_work() as s:
        assert accounts.user_for_session(s, token) is None


def test_roles_and_last_steward(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = s.get(Community, world.public.id)
        with pytest.raises(Forbidden):
            service.change_role(s, public, Viewer(user=world.member), world.member.id, "steward")
    with db.unit_of_work() as s:
        public = s.get(Community, world.public.id)
        with pytest.raises(Conflict):
            service.change_role(s, public, Viewer(user=world.steward), world.steward.id, "member")
    with db.unit_of_work() as s:
        public = s.get(Community, world.public.id)
        service.change_role(s, public, Viewer(user=world.steward), world.member.id, "steward")
        service.change_role(s, public, Viewer(user=world.steward), world.steward.id, "member")
    with db.unit_of_work() as s:
        roles = dict(
            s.execute(
                select(Membership.user_id, Membership.role).where(
                    Membership.community_id == world.public.id
                )
            ).all()
        )
        assert roles[world.member.id] == "steward" and roles[world.steward.id] == "member"


def test_invitation_for_email_only_and_single_use(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = s.get(Community, world.public.id)
        body = InvitationIn(email="chosen@example.org")
        _, token = service.create_invitation(s, public, Viewer(user=world.steward), body)
    with db.unit_of_work() as s, pytest.raises(Invalid):
        service.sign_up_with_invitation(
            s, token, email="other@example.org", display_name="Other", password=PASSWORD
        )
    with db.unit_of_work() as s:
        _, found = service.sign_up_with_invitation(
            s, token, email="chosen@example.org", display_name="Chosen", password=PASSWORD
        )
        assert found.role == "member"
    with db.unit_of_work() as s, pytest.raises(Conflict):
        service.open_invitation(s, token)


def test_concurrent_sign_ups_for_one_invitation_admit_one(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = s.get(Community, world.public.id)
        _, token = service.create_invitation(s, public, Viewer(user=world.steward))

    def attempt(i: int) -> str:
        try:
            with db.unit_of_work() as s:
                service.sign_up_with_invitation(
                    s,
                    token,
                    email=f"racer{i}@example.org",
                    display_name=f"Racer {i}",
                    password=PASSWORD,
                )
            return "ok"
        except (Conflict, Exception) as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert outcomes.count("ok") == 1, outcomes
    with db.unit_of_work(write=False) as s:
        joined = s.scalar(
            select(func.count(Membership.id)).where(Membership.community_id == world.public.id)
        )
    assert joined == 4  # steward, custodian, member + exactly one racer


def test_place_validation_changes_nothing(db: Database) -> None:
    world = make_world(db)
    bad_inputs = [
        {"name": "", "lat": 1, "lon": 1},
        {"name": "X", "lat": 91, "lon": 1},
        {"name": "X", "lat": 1, "lon": 181},
        {"name": "X", "kind": "volcano", "lat": 1, "lon": 1},
        {"name": "X", "lat": 1, "lon": 1, "area_m2": -5},
    ]
    for fields in bad_inputs:
        with db.unit_of_work() as s, pytest.raises(Invalid):
            service.create_place(
                s,
                s.get(Community, world.public.id),
                Viewer(user=world.member),
                validated(PlaceIn, fields),
            )
    with db.unit_of_work(write=False) as s:
        names = set(s.scalars(select(Place.name).where(Place.community_id == world.public.id)))
    assert names == {"Public Kitchen"}


def test_user_creation_rules(db: Database) -> None:
    with db.unit_of_work() as s:
        make_user(s, "First", email="same@example.org")
    with db.unit_of_work() as s, pytest.raises(Conflict):
        accounts.create_user(s, email="SAME@example.org ", display_name="Again", password=PASSWORD)
    for email, password in [("not-an-email", PASSWORD), ("ok@example.org", "short")]:
        with db.unit_of_work() as s, pytest.raises(Invalid):
            accounts.create_user(s, email=email, display_name="X", password=password)
