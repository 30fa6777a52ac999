"""The demo on both databases: every recipe has an experience and a twin, and the pozole tells
its four generations in Rosa's voice (the demo's spoken stand-in) with captions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot import demo
from commonpot.accounts.models import User
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.recipes.audio import probe
from commonpot.recipes.models import Recipe
from commonpot.settings import Settings
from tests.factories.accounts import bearer


def test_every_demo_recipe_has_an_experience_and_the_pozole_speaks(
    client: TestClient, db: Database, settings: Settings
) -> None:
    with db.unit_of_work() as s:
        demo.load(s, data_dir=settings.data_dir)
    with db.unit_of_work(write=False) as s:
        riverside = s.scalar(select(Community.id).where(Community.slug == "riverside"))
        recipes = list(s.scalars(select(Recipe).where(Recipe.community_id == riverside)))
        lina = s.scalar(select(User).where(User.email == "lina@riverside.example"))
        names = {r.id: r.name for r in recipes}
    assert lina is not None
    member = bearer(db, lina)
    base = "/communities/riverside/recipes"
    for rid, name in names.items():
        scene = client.get(f"/api{base}/{rid}/experience", headers=member)
        assert scene.status_code == 200, name
        assert scene.json()["chapters"], name
        assert client.get(f"{base}/{rid}/experience/text", headers=member).status_code == 200
    pozole = next(rid for rid, name in names.items() if name.startswith("Pozole rojo"))
    data = client.get(f"/api{base}/{pozole}/experience").json()  # anyone: a public recipe
    generations = [c for c in data["chapters"] if c["generation"]]
    assert [c["title"] for c in generations] == [
        "Carmen Ruiz",
        "Rosa Delgado",
        "Tomás Delgado",
        "Lina Delgado",
    ]
    assert all(c["audio"] and c["captions"] for c in generations)
    voice = next(r for r in data["recordings"] if r["title"] == "Four generations of pozole")
    assert voice["narrator"] == "Rosa Delgado" and voice["playable"]
    # the older, transcript-only telling keeps its members-only consent and has no audio
    assert [r["playable"] for r in data["recordings"]].count(True) == 1
    audio = client.get(generations[0]["audio"]["url"])
    assert audio.status_code == 200
    assert audio.headers["content-type"].startswith("audio/ogg")
    seconds = probe(audio.content).seconds  # the stored file's own length, decoded
    assert 38 <= seconds <= 40
    assert generations[-1]["audio"]["end_s"] <= seconds
    vtt = client.get(generations[0]["captions"]).text
    assert vtt.startswith("WEBVTT")
    assert vtt.count(" --> ") == 6
    assert "<v Rosa Delgado>My grandmother Carmen made it in Chilapa" in vtt
