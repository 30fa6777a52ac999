"""Factories for people, communities, places, and signing in from tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from commonpot.accounts import service as accounts
from commonpot.accounts.models import User
from commonpot.accounts.service import OPERATOR
from commonpot.communities import service as communities
from commonpot.communities.models import Community, Place
from commonpot.db import Database
from commonpot.http import CSRF_COOKIE, SESSION_COOKIE

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(session: Session, name: str | None = None, **fields: object) -> User:
    """A new account with the standard test password."""
    n = next(_counter)
    label = name or f"Person {n}"
    email = str(fields.pop("email", f"{label.lower().replace(' ', '.')}.{n}@example.org"))
    return accounts.create_user(
        session,
        email=email,
        display_name=label,
        password=PASSWORD,
        **fields,  # type: ignore[arg-type]
    )


def make_community(
    session: Session, steward: User, slug: str | None = None, visibility: str = "public"
) -> Community:
    """A community run by the steward."""
    n = next(_counter)
    return communities.create_community(
        session,
        OPERATOR,
        slug=slug or f"community-{n}",
        name=f"Community {n}",
        visibility=visibility,
        lat=51.45,
        lon=-2.59,
        steward=steward,
    )


def make_place(
    session: Session, community: Community, name: str = "Kitchen", **fields: object
) -> Place:
    """A place in the community."""
    place = Place(
        community_id=community.id,
        name=name,
        kind=str(fields.pop("kind", "kitchen")),
        lat=float(fields.pop("lat", 51.4545)),  # type: ignore[arg-type]
        lon=float(fields.pop("lon", -2.5879)),  # type: ignore[arg-type]
        **fields,
    )
    session.add(place)
    session.flush()
    return place


@dataclass
class World:
    """Two communities and the people around them, for access and tenancy tests.

    `public` (a public community) and `private` (a private one) each have a steward, a
    custodian and a member; `outsider` belongs to neither; `admin` runs the instance.
    """

    public: Community
    private: Community
    steward: User
    custodian: User
    member: User
    private_steward: User
    private_member: User
    outsider: User
    admin: User


def make_world(db: Database) -> World:
    """Build the standard World in one committed transaction."""
    with db.unit_of_work() as s:
        steward = make_user(s, "Steward")
        custodian = make_user(s, "Custodian", birth_year=1944)
        member = make_user(s, "Member", birth_year=2003)
        private_steward = make_user(s, "Private Steward")
        private_member = make_user(s, "Private Member")
        outsider = make_user(s, "Outsider")
        admin = make_user(s, "Admin", is_admin=True)
        public = make_community(s, steward, slug="publicville")
        private = make_community(s, private_steward, slug="privatehill", visibility="private")
        communities.add_member(s, public, custodian, "custodian")
        communities.add_member(s, public, member, "member")
        communities.add_member(s, private, private_member, "member")
        make_place(s, public, "Public Kitchen")
        make_place(s, private, "Private Kitchen")
        return World(
            public,
            private,
            steward,
            custodian,
            member,
            private_steward,
            private_member,
            outsider,
            admin,
        )


def sign_in(client: TestClient, db: Database, user: User) -> TestClient:
    """Give the client a browser session for the user (cookie + CSRF cookie)."""
    with db.unit_of_work() as s:
        token = accounts.start_session(s, s.get(User, user.id))  # type: ignore[arg-type]
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, token)
    return browser(client)


def csrf_headers() -> dict[str, str]:
    """The header a cookie-authenticated API write must carry (matches `sign_in`)."""
    return {"X-CSRF-Token": "test-csrf-token"}


def bearer(db: Database, user: User) -> dict[str, str]:
    """An Authorization header with a fresh API token for the user."""
    with db.unit_of_work() as s:
        _, secret = accounts.create_api_token(s, s.get(User, user.id), "tests")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {secret}"}


def form(data: dict[str, str]) -> dict[str, str]:
    """Form data with the CSRF field that `sign_in` set up."""
    return {"csrf_token": "test-csrf-token", **data}


def browser(client: TestClient) -> TestClient:
    """Give an anonymous client the CSRF cookie that `form()` matches."""
    client.cookies.delete(CSRF_COOKIE)
    client.cookies.set(CSRF_COOKIE, "test-csrf-token")
    return client
