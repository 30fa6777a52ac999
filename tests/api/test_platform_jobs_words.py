"""A job's title, progress note and error reach each reader in their language: the API by
Accept-Language, the job page and its live stream in the viewer's language."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from commonpot import jobs
from commonpot.db import Database
from commonpot.errors import Invalid
from commonpot.i18n import Reader
from commonpot.words import said, said_n
from tests.factories.accounts import make_world, sign_in

TITLE = said("Impact assessment: %(title)s", title="North Dome")
NOTE = said_n("Comparing %(num)s place", "Comparing %(num)s places", 3)
REFUSAL = ("%(place)s: %(planted)s m² planted is more than its %(area)s m².", 12.5)


def _words_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    ctx.progress(40, NOTE)
    text, planted = REFUSAL
    raise Invalid(text, field="file", place="North Dome", planted=planted, area=10)


def _failed_job(client: TestClient, db: Database) -> int:
    w = make_world(db)
    jobs.REGISTRY.register(jobs.JobSpec("test.words", _words_job, max_attempts=1))
    with client.app.state.db.unit_of_work() as s:  # type: ignore[attr-defined]
        job_id = jobs.enqueue(
            s, "test.words", {}, community_id=w.public.id, created_by=w.steward.id, title=TITLE
        ).id
    client.app.state.jobs.drain()  # type: ignore[attr-defined]
    sign_in(client, db, w.steward)
    return job_id


def _expected(locale: str) -> dict[str, str]:
    words = Reader(locale)
    text, planted = REFUSAL
    error = words.gettext(text) % {
        "place": "North Dome",
        "planted": words.number(planted, 2),
        "area": words.number(10, 0),
    }
    return {"title": TITLE.words(words), "message": NOTE.words(words), "error": error}


def test_the_api_words_a_jobs_texts_by_accept_language(client: TestClient, db: Database) -> None:
    job_id = _failed_job(client, db)
    english, spanish = _expected("en"), _expected("es")
    assert english["title"] == "Impact assessment: North Dome"
    assert english["message"] == "Comparing 3 places"
    assert english["error"] == "North Dome: 12.5 m² planted is more than its 10 m²."
    for key in english:  # the catalog has every one of them in Spanish
        assert spanish[key] != english[key], key
    assert "12,5" in spanish["error"]  # numbers as a Spanish reader writes them
    shown = client.get(f"/api/jobs/{job_id}").json()
    assert shown["state"] == "failed"
    assert {k: shown[k] for k in english} == english
    es = client.get(f"/api/jobs/{job_id}", headers={"Accept-Language": "es-ES,es;q=0.9"}).json()
    assert {k: es[k] for k in spanish} == spanish
    listed = client.get(
        "/api/communities/publicville/jobs", headers={"Accept-Language": "es"}
    ).json()
    mine = [(j["title"], j["error"]) for j in listed if j["id"] == job_id]
    assert mine == [(spanish["title"], spanish["error"])]


def test_the_job_page_and_its_live_stream_speak_the_viewers_language(
    client: TestClient, db: Database
) -> None:
    job_id = _failed_job(client, db)
    spanish = _expected("es")
    page = client.get(f"/jobs/{job_id}", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    for text in spanish.values():
        assert text in page.text
    assert "Comparing 3 places" not in page.text
    listed = client.get("/communities/publicville/jobs", headers={"Accept-Language": "es"})
    assert spanish["title"] in listed.text and spanish["error"] in listed.text
    live = client.get(f"/jobs/{job_id}/live", headers={"Accept-Language": "es"})
    message = json.loads(live.text.split("data: ", 1)[1].split("\n", 1)[0])
    assert (message["state"], message["message"], message["error"]) == (
        "failed",
        spanish["message"],
        spanish["error"],
    )
    english = client.get(f"/jobs/{job_id}/live")
    message = json.loads(english.text.split("data: ", 1)[1].split("\n", 1)[0])
    assert message["error"] == _expected("en")["error"]
