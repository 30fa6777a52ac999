"""Crop plans and assessments as jobs over the API: 202 and the job, 422/403 queue nothing,
the job's result is the plan; cancelling is for those who may see the job, once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.jobs.models import Job
from tests.factories.accounts import bearer, make_world
from tests.factories.ecology import seed_domes

API = "/api/communities/publicville/ecology"
GAMED = (
    "sample,Zea mays,Phaseolus vulgaris,Okra\n"
    "North Dome,190,3,0.1\nSouth Dome,140,0,0.1\nWillow Dome,110,0,0.1\n"
)


def _queued(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count(Job.id))) or 0)


def test_plan_job_over_the_api(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.public), w.steward)
    steward, member = bearer(db, w.steward), bearer(db, w.member)
    assert client.post(f"{API}/plans/jobs", json={}, headers=member).status_code == 403
    bad = client.post(f"{API}/plans/jobs", json={"min_plot_area": -1}, headers=steward)
    assert bad.status_code == 422
    assert bad.json()["field"] == "min_plot_area"
    assert _queued(db) == 0
    started = client.post(f"{API}/plans/jobs", json={"min_plot_area": 2}, headers=steward)
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == job["url"] == f"/jobs/{job['id']}"
    assert job["state"] == "queued"
    assert client.app.state.jobs.drain() >= 1  # type: ignore[attr-defined]
    done = client.get(f"/api/jobs/{job['id']}", headers=steward).json()
    assert done["state"] == "done", done
    plan_id = int(done["result_url"].rsplit("/", 1)[1])
    plan = client.get(f"{API}/plans/{plan_id}", headers=steward).json()
    assert plan["params"]["min_plot_area"] == 2
    assert plan["after"]["min_hill_1"] > plan["before"]["min_hill_1"]


def test_assessment_job_and_cancelling(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.public), w.steward)
    member, outsider = bearer(db, w.member), bearer(db, w.outsider)
    body = {"title": "AgriCorp", "after_csv": GAMED}
    assert client.post(f"{API}/assessments/jobs", json=body, headers=outsider).status_code == 403
    bad = client.post(
        f"{API}/assessments/jobs", json={**body, "after_csv": "sample\nx,y\n"}, headers=member
    )
    assert bad.status_code == 422
    assert _queued(db) == 0
    first = client.post(f"{API}/assessments/jobs", json=body, headers=member).json()
    second = client.post(f"{API}/assessments/jobs", json=body, headers=member).json()
    cancel = f"/api/jobs/{second['id']}/cancel"
    assert client.post(cancel, headers=outsider).status_code == 404  # not theirs to see
    cancelled = client.post(cancel, headers=member)
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert client.post(cancel, headers=member).status_code == 409  # once
    client.app.state.jobs.drain()  # type: ignore[attr-defined]
    done = client.get(f"/api/jobs/{first['id']}", headers=member).json()
    assert done["state"] == "done", done
    found = client.get("/api" + done["result_url"], headers=member)  # the same path
    assert found.status_code == 200
    assert found.json()["gamed"] is True
    listed = client.get(f"{API}/assessments", headers=member).json()
    assert [a["title"] for a in listed] == ["AgriCorp"]  # the cancelled one stored nothing
    assert client.post(f"/api/jobs/{first['id']}/cancel", headers=member).status_code == 409
