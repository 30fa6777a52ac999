"""Priority groups are chosen by stewards from what a person states, and only with consent;
nobody else ever sees a person's circumstances, and members never see the groups' weights."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.db import Database
from commonpot.network.models import Need
from tests.factories.accounts import bearer, make_world, sign_in

API = "/api/communities/publicville/network"
PAGE = "/communities/publicville/network"
PLACE = {"lat": 52.0, "lon": 5.0}


def _need(client: TestClient, headers: dict[str, str], **extra: object) -> dict[str, object]:
    answer = client.post(
        f"{API}/needs", json={"category": "dal", "quantity": 2, **PLACE, **extra}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


def _stored(db: Database, need_id: object) -> Need:
    with db.unit_of_work(write=False) as s:
        found = s.scalar(select(Need).where(Need.id == need_id))
        assert found is not None
        return found


def test_only_a_steward_places_a_need_and_only_with_consent(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    steward, member, custodian = (
        bearer(db, w.steward),
        bearer(db, w.member),
        bearer(db, w.custodian),
    )
    group = client.post(f"{API}/groups", json={"name": "elders", "priority": 3}, headers=steward)
    gid = group.json()["id"]

    # nobody chooses their own group any more
    self_chosen = client.post(
        f"{API}/needs",
        json={"category": "dal", "quantity": 2, **PLACE, "group_id": gid, "priority_consent": True},
        headers=member,
    )
    assert self_chosen.status_code == 403
    assert self_chosen.headers["content-type"].startswith("application/problem+json")
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Need)).all() == []

    silent = _need(client, member, circumstances=["children"])  # no consent
    agreed = _need(
        client,
        custodian,
        circumstances=["elder", "no_income"],
        priority_consent=True,
        circumstances_note="I live alone",
    )

    refused = client.put(
        f"{API}/needs/{silent['id']}/group", json={"group_id": gid}, headers=steward
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "group_id"
    assert _stored(db, silent["id"]).group_id is None

    by_member = client.put(
        f"{API}/needs/{agreed['id']}/group", json={"group_id": gid}, headers=member
    )
    assert by_member.status_code == 403
    by_self = client.put(
        f"{API}/needs/{agreed['id']}/group", json={"group_id": gid}, headers=custodian
    )
    assert by_self.status_code == 403
    assert _stored(db, agreed["id"]).group_id is None

    placed = client.put(
        f"{API}/needs/{agreed['id']}/group", json={"group_id": gid}, headers=steward
    )
    assert placed.status_code == 200
    assert placed.json()["group_id"] == gid

    # withdrawing consent takes the need out of its group; only the person can do it
    by_steward = client.put(
        f"{API}/needs/{agreed['id']}/circumstances",
        json={"circumstances": [], "priority_consent": False},
        headers=steward,
    )
    assert by_steward.status_code == 403
    assert _stored(db, agreed["id"]).group_id == gid
    withdrawn = client.put(
        f"{API}/needs/{agreed['id']}/circumstances",
        json={"circumstances": ["elder"], "priority_consent": False},
        headers=custodian,
    )
    assert withdrawn.status_code == 200
    stored = _stored(db, agreed["id"])
    assert (stored.group_id, stored.priority_consent, stored.circumstances) == (
        None,
        False,
        ["elder"],
    )


def test_unknown_circumstances_are_a_problem_and_nothing_is_stored(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    member = bearer(db, w.member)
    bad = client.post(
        f"{API}/needs",
        json={"category": "dal", "quantity": 2, **PLACE, "circumstances": ["rich"]},
        headers=member,
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "circumstances"
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Need)).all() == []


def test_members_never_see_others_circumstances_nor_the_weights(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    steward, member, custodian = (
        bearer(db, w.steward),
        bearer(db, w.member),
        bearer(db, w.custodian),
    )
    client.post(f"{API}/groups", json={"name": "elders", "priority": 3}, headers=steward)
    secret = "Lost my job in March"
    _need(client, custodian, circumstances=["no_income"], circumstances_note=secret)
    own = _need(client, member, circumstances=["children"], priority_consent=True)

    mine = client.get(f"{API}/needs", headers=member).json()
    assert [n["id"] for n in mine] == [own["id"]]
    assert secret not in client.get(f"{API}/needs", headers=member).text
    groups = client.get(f"{API}/groups", headers=member).json()
    assert [(g["name"], g["priority"]) for g in groups] == [("elders", None)]
    assert client.get(f"{API}/groups", headers=steward).json()[0]["priority"] == 3
    everyone = client.get(f"{API}/needs", headers=steward).json()
    assert {n["circumstances_note"] for n in everyone} == {secret, ""}
    outsider = client.get(f"{API}/needs", headers=bearer(db, w.outsider))
    assert outsider.status_code in (403, 404)
    assert secret not in outsider.text

    # the page: the member sees their own circumstances, not the custodian's, nor weights
    sign_in(client, db, w.member)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert secret not in page.text and "(3.0)" not in page.text and "(3)" not in page.text
    assert "Household with children" in page.text
    sign_in(client, db, w.steward)
    steward_page = client.get(PAGE)
    assert secret in steward_page.text
    assert "/group" in steward_page.text  # the steward's placing form for the consenting need


def test_the_ask_form_keeps_what_was_ticked_when_something_is_wrong(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    page = client.get(PAGE)
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        f"{PAGE}/needs",
        data={
            "csrf_token": token,
            "category": "dal",
            "quantity": "0",
            "lat": "52",
            "lon": "5",
            "circumstances": ["children", "elder"],
            "circumstances_note": "twins",
            "priority_consent": "on",
        },
    )
    assert answer.status_code == 422
    assert 'value="children" checked' in answer.text and 'value="elder" checked' in answer.text
    assert 'value="no_income" checked' not in answer.text
    assert ">twins</textarea>" in answer.text
    assert 'name="priority_consent" value="on" checked' in answer.text
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Need)).all() == []
