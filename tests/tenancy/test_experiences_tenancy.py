"""The protocol matrix: every experience path (scene, twin, JSON, captions, audio) answers
exactly as its recipe does, a recording plays only where the teller's consent allows, a
sensitive recipe shows its notice before the scene, and only keepers change anything."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.experiences.models import ExperienceChapter, RecordingVoice
from commonpot.settings import Settings
from tests.factories.accounts import bearer, form, sign_in
from tests.factories.experiences import ExperienceWorld, make_experience_world

PUB = "/communities/publicville"
PRIV = "/communities/privatehill"


@pytest.fixture
def xw(db: Database, settings: Settings) -> ExperienceWorld:
    return make_experience_world(db, settings.data_dir)


def _paths(slug: str, recipe: int, recording: int) -> dict[str, str]:
    base = f"/communities/{slug}"
    return {
        "scene": f"{base}/recipes/{recipe}/experience",
        "twin": f"{base}/recipes/{recipe}/experience/text",
        "json": f"/api{base}/recipes/{recipe}/experience",
        "captions": f"{base}/recordings/{recording}/captions.vtt",
        "voice": f"/api{base}/recordings/{recording}/voice",
        "recipe": f"{base}/recipes/{recipe}",
    }


def _matrix(xw: ExperienceWorld) -> dict[str, dict[str, str]]:
    rw = xw.rw
    return {
        "public": _paths("publicville", rw.public_recipe, xw.public_recording),
        "community": _paths("publicville", rw.community_recipe, xw.community_recording),
        "private": _paths("privatehill", rw.private_recipe, xw.private_recording),
    }


WHO = ["anonymous", "outsider", "admin", "member", "custodian", "private_member"]


@pytest.mark.parametrize("who", WHO)
def test_every_path_answers_as_the_recipe_does(
    client: TestClient, db: Database, xw: ExperienceWorld, who: str
) -> None:
    headers = {} if who == "anonymous" else bearer(db, getattr(xw.rw.world, who))
    for kind, paths in _matrix(xw).items():
        recipe_status = client.get(paths["recipe"], headers=headers).status_code
        assert recipe_status in {200, 404}
        for name, path in paths.items():
            response = client.get(path, headers=headers)
            assert response.status_code == recipe_status, (who, kind, name, response.status_code)
            if recipe_status == 404:
                assert "corn mush" not in response.text and "plum dumplings" not in response.text
                assert "Elder Ana" not in response.text
    # who may see what, so that the matrix above cannot pass by everything being 404
    seen = {
        kind: client.get(paths["json"], headers=headers).status_code == 200
        for kind, paths in _matrix(xw).items()
    }
    assert seen["public"]
    assert seen["community"] == (who in {"member", "custodian"})
    assert seen["private"] == (who in {"admin", "private_member"})


def test_captions_are_webvtt_from_the_transcript(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    response = client.get(f"{PUB}/recordings/{xw.public_recording}/captions.vtt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/vtt")
    lines = response.text.splitlines()
    assert lines[0] == "WEBVTT"
    assert "00:00:00.000 --> " in response.text
    assert "<v Elder Ana>First you wash the corn." in response.text
    assert "<v Elder Ana>Then you wait for the pot to sing!" in response.text


def test_audio_plays_only_where_consent_allows_and_seeks(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    audio = f"{PUB}/recordings/{xw.public_recording}/audio"
    member = bearer(db, xw.rw.world.member)
    custodian = bearer(db, xw.rw.world.custodian)
    # default consent: members of the community only
    assert client.get(audio).status_code == 404
    assert client.get(audio, headers=bearer(db, xw.rw.world.outsider)).status_code == 404
    whole = client.get(audio, headers=member)
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.content[:4] == b"RIFF"
    part = client.get(audio, headers={**member, "Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert part.content == whole.content[100:200]
    scene = client.get(f"/api{PUB}/recipes/{xw.rw.public_recipe}/experience").json()
    assert [r["playable"] for r in scene["recordings"]] == [False]
    assert all(c["audio"] is None for c in scene["chapters"])
    # the teller's consent widened to anyone who may see the recipe
    voice = f"/api{PUB}/recordings/{xw.public_recording}/voice"
    put = client.put(voice, json={"listeners": "anyone", "cues": []}, headers=custodian)
    assert put.status_code == 200, put.text
    assert client.get(audio).status_code == 200
    scene = client.get(f"/api{PUB}/recipes/{xw.rw.public_recipe}/experience").json()
    played = [c["audio"] for c in scene["chapters"] if c["audio"]]
    assert played and played[0]["url"] == audio
    # and withdrawn: nobody hears it, not even members; transcript and captions stay
    client.put(voice, json={"listeners": "nobody", "cues": []}, headers=custodian)
    assert client.get(audio, headers=member).status_code == 404
    twin = client.get(f"{PUB}/recipes/{xw.rw.public_recipe}/experience/text", headers=member)
    assert "First you wash the corn." in twin.text
    assert "<audio" not in twin.text


def test_sensitive_recipe_shows_its_notice_before_the_scene(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    sign_in(client, db, xw.rw.world.member)
    scene = f"{PUB}/recipes/{xw.sensitive_recipe}/experience"
    gated = client.get(scene)
    assert gated.status_code == 200
    assert 'id="sensitive-gate"' in gated.text
    assert "<canvas" not in gated.text and "experience.js" not in gated.text
    opened = client.get(scene + "?ack=1")
    assert "<canvas" in opened.text and 'id="sensitive-gate"' not in opened.text
    assert client.get(scene, headers={}).status_code == 200
    client.cookies.clear()
    assert client.get(scene + "?ack=1").status_code == 404  # community only, like the recipe


def _counts(db: Database) -> tuple[int, int]:
    with db.unit_of_work(write=False) as s:
        return (
            int(s.scalar(select(func.count(RecordingVoice.id))) or 0),
            int(s.scalar(select(func.count(ExperienceChapter.id))) or 0),
        )


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "private_member"])
def test_only_keepers_change_voices_and_chapters(
    client: TestClient, db: Database, xw: ExperienceWorld, who: str
) -> None:
    headers = {} if who == "anonymous" else bearer(db, getattr(xw.rw.world, who))
    before = _counts(db)
    rid = xw.rw.public_recipe
    attempts = [
        (f"/api{PUB}/recordings/{xw.public_recording}/voice", {"listeners": "anyone"}),
        (f"/api{PUB}/recordings/{xw.community_recording}/voice", {"listeners": "anyone"}),
        (f"/api{PRIV}/recordings/{xw.private_recording}/voice", {"listeners": "anyone"}),
        (f"/api{PUB}/recipes/{rid}/experience/chapters", {"chapters": [{"title": "Mine"}]}),
    ]
    for path, body in attempts:
        response = client.put(path, json=body, headers=headers)
        assert response.status_code in {401, 403, 404}, (who, path, response.status_code)
    assert _counts(db) == before


def test_keepers_arrange_chapters_and_bad_input_changes_nothing(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    custodian = bearer(db, xw.rw.world.custodian)
    rid = xw.rw.public_recipe
    url = f"/api{PUB}/recipes/{rid}/experience/chapters"
    default = client.get(f"/api{PUB}/recipes/{rid}/experience").json()["chapters"]
    assert [c["focus"] for c in default] == ["hearth", "table", "table", "lineage"]
    assert default[1]["steps"] == ["Simmer the pork."]
    bad = [
        ({"chapters": [{"title": "X", "steps": [9]}]}, "steps"),
        ({"chapters": [{"title": "X", "recording_id": xw.community_recording}]}, "recording_id"),
        ({"chapters": [{"title": "X", "start_s": 5, "end_s": 2}]}, "end_s"),
    ]
    for body, field in bad:
        response = client.put(url, json=body, headers=custodian)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] == field
    assert _counts(db) == (0, 0)
    good = {
        "chapters": [
            {"title": "Both steps", "steps": [1, 2]},
            {"title": "The telling", "recording_id": xw.public_recording, "start_s": 1},
        ]
    }
    arranged = client.put(url, json=good, headers=custodian)
    assert arranged.status_code == 200, arranged.text
    chapters = arranged.json()["chapters"]
    assert [c["title"] for c in chapters] == ["Both steps", "The telling"]
    assert chapters[0]["steps"] == ["Simmer the pork.", "Add the hominy."]
    assert chapters[0]["ingredients"]  # pork and hominy are on the table
    assert _counts(db) == (0, 2)
    reset = client.put(url, json={"chapters": []}, headers=custodian)
    assert [c["title"] for c in reset.json()["chapters"]] == [c["title"] for c in default]


def test_voice_timing_is_checked(client: TestClient, db: Database, xw: ExperienceWorld) -> None:
    custodian = bearer(db, xw.rw.world.custodian)
    voice = f"/api{PUB}/recordings/{xw.public_recording}/voice"
    overlapping = {
        "listeners": "anyone",
        "cues": [
            {"start_s": 0, "end_s": 3, "text": "One"},
            {"start_s": 2, "end_s": 4, "text": "Two"},
        ],
    }
    response = client.put(voice, json=overlapping, headers=custodian)
    assert response.status_code == 422
    assert response.json()["field"] == "cues"
    assert _counts(db) == (0, 0)
    timed = {"listeners": "anyone", "cues": [{"start_s": 0.5, "end_s": 2.25, "text": "One"}]}
    assert client.put(voice, json=timed, headers=custodian).status_code == 200
    vtt = client.get(f"{PUB}/recordings/{xw.public_recording}/captions.vtt").text
    assert "00:00:00.500 --> 00:00:02.250\n<v Elder Ana>One" in vtt


def test_custodian_times_a_recording_on_its_page(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    page = f"{PUB}/recordings/{xw.public_recording}"
    assert client.get(page).status_code == 200  # anyone who may see the recipe reads it
    assert client.get(f"{PUB}/recordings/{xw.community_recording}").status_code == 404
    assert 'name="cues"' not in client.get(page).text  # only keepers set the timing
    sign_in(client, db, xw.rw.world.custodian)
    form_page = client.get(page)
    assert "0:00 --&gt; " in form_page.text  # estimated from the transcript until set
    bad = client.post(
        page,
        data=form({"listeners": "anyone", "cues": "0:00 --> 0:03 One\n0:02 --> soon Two"}),
    )
    assert bad.status_code == 422
    assert "line 2: &#39;soon&#39; is not a time" in bad.text
    assert "0:02 --&gt; soon Two" in bad.text  # what was typed comes back
    assert 'aria-invalid="true"' in bad.text
    assert _counts(db) == (0, 0)
    good = client.post(
        page,
        data=form({"listeners": "anyone", "cues": "0:00.5 --> 0:02 One\n0:02 --> 0:03 Two"}),
        follow_redirects=False,
    )
    assert good.status_code == 303
    vtt = client.get(f"{page}/captions.vtt").text
    assert "00:00:00.500 --> 00:00:02.000\n<v Elder Ana>One" in vtt
    client.cookies.clear()
    assert client.get(f"{page}/audio").status_code == 200  # consent now covers anyone
    sign_in(client, db, xw.rw.world.member)
    refused = client.post(page, data=form({"listeners": "nobody", "cues": ""}))
    assert refused.status_code == 403


def test_custodian_arranges_the_chapters_on_a_form(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    rid = xw.rw.public_recipe
    page = f"{PUB}/recipes/{rid}/experience/arrange"
    sign_in(client, db, xw.rw.world.member)
    assert client.get(page).status_code == 403
    sign_in(client, db, xw.rw.world.custodian)
    shown = client.get(page)
    assert shown.status_code == 200
    assert "== Step 1\nsteps: 1" in shown.text.replace("&#34;", '"')
    typed = "== Both\nsteps: 1, 7"
    bad = client.post(page, data=form({"chapters": typed}))
    assert bad.status_code == 422
    assert "Chapter 1 names a step the recipe does not have." in bad.text
    assert "steps: 1, 7" in bad.text and 'aria-invalid="true"' in bad.text
    assert _counts(db) == (0, 0)
    voice = f"voice: {xw.public_recording} 0:01 --> 0:02.5"
    good = client.post(
        page,
        data=form({"chapters": f"== Both\nThe pot sings.\nsteps: 1, 2\n\n== Ana\n{voice}"}),
        follow_redirects=False,
    )
    assert good.status_code == 303
    chapters = client.get(f"/api{PUB}/recipes/{rid}/experience").json()["chapters"]
    assert [(c["title"], c["text"], len(c["steps"])) for c in chapters] == [
        ("Both", "The pot sings.", 2),
        ("Ana", "", 0),
    ]
    assert chapters[1]["audio"] is not None  # the custodian is a member: consent covers them
    assert chapters[1]["audio"]["start_s"] == 1 and chapters[1]["audio"]["end_s"] == 2.5
    reset = client.post(page, data=form({"chapters": ""}), follow_redirects=False)
    assert reset.status_code == 303 and _counts(db) == (0, 0)
