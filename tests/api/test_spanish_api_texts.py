"""The API answers in the language of Accept-Language (issue 19): impact flags explained, and a
recipe's JSON-LD conditions of access; the field names and the figures stay as they are."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commonpot.db import Database
from commonpot.i18n import Reader
from commonpot.words import said
from tests.factories.accounts import bearer, make_world
from tests.factories.ecology import seed_domes
from tests.factories.recipes import make_recipe, make_recipe_world

ES = {"accept-language": "es-ES,es;q=0.9"}
ECOLOGY = "/api/communities/publicville/ecology"
AFTER = (
    "sample,Zea mays,Phaseolus vulgaris,Cucurbita pepo,Capsicum annuum,Brassica oleracea,Okra\n"
    "North Dome,190,3,3,0,0,0.1\nSouth Dome,140,0,0,5,0,0.1\nWillow Dome,110,0,0,0,5,0.1\n"
)


def test_impact_flags_are_explained_in_the_readers_language(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.public), w.steward)
    member = bearer(db, w.member)
    made = client.post(
        f"{ECOLOGY}/assessments",
        json={"title": "Corporate maize", "after_csv": AFTER},
        headers={**member, **ES},
    )
    assert made.status_code == 201, made.text
    spanish = made.json()["report"]["flags"]
    english = client.get(f"{ECOLOGY}/assessments/{made.json()['id']}", headers=member).json()
    english_flags = english["report"]["flags"]
    assert spanish and len(spanish) == len(english_flags)
    # the same flags and figures; only the explanation is worded for the reader
    for es, en in zip(spanish, english_flags, strict=True):
        assert {k: v for k, v in es.items() if k != "explanation"} == {
            k: v for k, v in en.items() if k != "explanation"
        }
        assert es["explanation"] != en["explanation"]
    token = next(f for f in spanish if f["kind"] == "token_species")
    words = Reader("es")
    tail = words.gettext(
        "Without them the place would count %(without)s crops against %(before)s before, "
        "and %(effective_without)s effective crops against %(effective_before)s: the gain "
        "is carried by token plantings that add names to the list but almost nothing to "
        "the living variety of the place."
    )
    assert tail.split("%(")[0] in token["explanation"]
    assert "newly listed" not in token["explanation"]
    assert any("newly listed" in f["explanation"] for f in english_flags)
    listed = client.get(f"{ECOLOGY}/assessments", headers={**member, **ES}).json()
    assert listed[0]["report"]["flags"] == spanish


def test_jsonld_conditions_of_access_follow_accept_language(
    client: TestClient, db: Database
) -> None:
    rw = make_recipe_world(db)
    member = bearer(db, rw.world.member)
    base = "/api/communities/publicville/recipes"
    with db.unit_of_work() as s:
        shared = make_recipe(
            s, s.merge(rw.world.public), s.merge(rw.world.custodian), name="Corn", labels=["TK A"]
        ).id
    restricted = f"{base}/{rw.community_recipe}/jsonld"
    english = client.get(restricted, headers=member).json()["conditionsOfAccess"]
    spanish = client.get(restricted, headers={**member, **ES}).json()["conditionsOfAccess"]
    text = "Restricted to members of %(community)s (%(labels)s); do not share outside it."
    community = rw.world.public.name
    names = "TK Community Use Only"
    assert english == text % {"community": community, "labels": names}
    expected = said(text, community=community, labels=names).words(Reader("es"))
    assert expected != english
    assert spanish == expected
    open_ = client.get(f"{base}/{shared}/jsonld", headers={**member, **ES}).json()
    shared_text = "Shared by %(community)s under its protocol: %(labels)s."
    words = Reader("es")
    assert open_["conditionsOfAccess"] == words.gettext(shared_text) % {
        "community": community,
        "labels": "TK Attribution",
    }
    assert words.gettext(shared_text) != shared_text
