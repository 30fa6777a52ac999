"""Jobs over HTTP: an allocation run starts in the background (202), is watched, retried."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot import jobs
from commonpot.db import Database
from commonpot.jobs.models import Job
from tests.factories.accounts import csrf_headers, form, make_world, sign_in

RUNS = "/api/communities/publicville/network/runs/jobs"


def _offer_and_need(client: TestClient) -> None:
    page = "/communities/publicville/network"
    client.post(
        f"{page}/offers", data=form({"category": "pears", "quantity": "3", "lat": "52", "lon": "5"})
    )
    client.post(
        f"{page}/needs", data=form({"category": "pears", "quantity": "3", "lat": "52", "lon": "5"})
    )


def test_allocation_job_over_the_api_and_its_live_progress(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    _offer_and_need(client)
    assert client.post(RUNS, json={}, headers=csrf_headers()).status_code == 403
    sign_in(client, db, w.steward)
    bad = client.post(RUNS, json={"objective": "nope"}, headers=csrf_headers())
    assert bad.status_code == 422
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(Job.id))) == 0  # nothing queued
    started = client.post(RUNS, json={"objective": "default"}, headers=csrf_headers())
    assert started.status_code == 202
    job = started.json()
    assert started.headers["location"] == f"/jobs/{job['id']}"
    assert job["state"] == "queued"
    assert client.app.state.jobs.drain() == 1  # type: ignore[attr-defined]
    done = client.get(f"/api/jobs/{job['id']}").json()
    assert done["state"] == "done"
    assert done["progress"] == 100
    run = client.get(done["result_url"])
    assert "Fairness report" in run.text
    live = client.get(f"/jobs/{job['id']}/live")
    assert live.headers["content-type"].startswith("text/event-stream")
    message = json.loads(live.text.split("data: ", 1)[1].split("\n", 1)[0])
    assert (message["state"], message["result_url"]) == ("done", done["result_url"])
    listed = client.get("/communities/publicville/jobs")
    assert listed.status_code == 200
    assert f'href="/jobs/{job["id"]}"' in listed.text
    sign_in(client, db, w.outsider)
    assert client.get(f"/api/jobs/{job['id']}").status_code == 404
    assert client.get(f"/jobs/{job['id']}/live").status_code == 404
    assert client.get("/communities/publicville/jobs").status_code == 403


def test_a_failed_job_is_retried_by_a_steward_only(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with client.app.state.db.unit_of_work() as s:  # type: ignore[attr-defined]
        job_id = jobs.enqueue(
            s, "no.such.job", {}, community_id=w.public.id, max_attempts=1, title="Broken"
        ).id
    client.app.state.jobs.drain()  # type: ignore[attr-defined]
    sign_in(client, db, w.member)
    retry = f"/api/communities/publicville/jobs/{job_id}/retry"
    assert client.post(retry, headers=csrf_headers()).status_code == 403
    sign_in(client, db, w.steward)
    failed = client.get(f"/api/jobs/{job_id}").json()
    assert failed["state"] == "failed"
    assert "no job function is registered" in failed["error"]
    page = client.get("/communities/publicville/jobs")
    assert "Retry" in page.text
    again = client.post(retry, headers=csrf_headers())
    assert again.status_code == 202
    assert again.json()["state"] == "queued"
    assert client.post(retry, headers=csrf_headers()).status_code == 409  # only failed ones
    sign_in(client, db, w.private_steward)  # another community's steward
    assert client.get(f"/api/jobs/{job_id}").status_code == 404


def test_the_jobs_page_retry_button_requeues_for_stewards_only(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    with client.app.state.db.unit_of_work() as s:  # type: ignore[attr-defined]
        job_id = jobs.enqueue(
            s, "no.such.job", {}, community_id=w.public.id, max_attempts=1, title="Broken"
        ).id
    client.app.state.jobs.drain()  # type: ignore[attr-defined]
    button = f"/communities/publicville/jobs/{job_id}/retry"
    sign_in(client, db, w.member)
    assert client.post(button, data=form({})).status_code == 403
    sign_in(client, db, w.private_steward)  # another community's steward
    assert client.post(button, data=form({})).status_code == 403
    with db.unit_of_work(write=False) as s:
        assert s.get_one(Job, job_id).state == "failed"  # nothing changed
    sign_in(client, db, w.steward)
    page = client.get("/communities/publicville/jobs")
    assert f'action="{button}"' in page.text
    done = client.post(button, data=form({}), follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/jobs/{job_id}"
    with db.unit_of_work(write=False) as s:
        assert s.get_one(Job, job_id).attempts == 1
    client.app.state.jobs.drain()  # type: ignore[attr-defined]
    with db.unit_of_work(write=False) as s:
        again = s.get_one(Job, job_id)
        assert (again.state, again.attempts) == ("failed", 2)  # it ran again (and failed again)


def test_a_refused_cancel_or_retry_names_the_state_in_the_readers_language(
    client: TestClient, db: Database
) -> None:
    from commonpot.i18n import Reader

    w = make_world(db)
    with client.app.state.db.unit_of_work() as s:  # type: ignore[attr-defined]
        job_id = jobs.enqueue(
            s, "no.such.job", {}, community_id=w.public.id, max_attempts=1, title="Broken"
        ).id
    client.app.state.jobs.drain()  # type: ignore[attr-defined]
    sign_in(client, db, w.steward)
    es, spanish = Reader("es"), {"accept-language": "es-ES,es;q=0.9"}
    cancel = "Only a queued or running job can be cancelled; this one is %(state)s."
    refused = client.post(f"/jobs/{job_id}/cancel", data=form({}), headers=spanish)
    assert refused.status_code == 409
    assert es.gettext("failed") != "failed"
    assert es.gettext(cancel) % {"state": es.gettext("failed")} in refused.text
    english = client.post(f"/jobs/{job_id}/cancel", data=form({}))
    assert (cancel % {"state": "failed"}) in english.text
    problem = client.post(f"/api/jobs/{job_id}/cancel", headers={**csrf_headers(), **spanish})
    assert problem.json()["detail"] == cancel % {"state": "failed"}  # problem JSON: English
    button = f"/communities/publicville/jobs/{job_id}/retry"
    assert client.post(button, data=form({}), follow_redirects=False).status_code == 303
    retry = "Only a failed job can be retried; this one is %(state)s."
    again = client.post(button, data=form({}), headers=spanish)
    assert again.status_code == 409
    assert es.gettext(retry) % {"state": es.gettext("queued")} in again.text
    with db.unit_of_work(write=False) as s:
        assert s.get_one(Job, job_id).state == "queued"  # the refusals changed nothing
