"""Ecology pages: ratings for visitors; inventory, assessments and plans for members."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.ecology.models import Assessment, CropPlan, Planting
from commonpot.governance.models import Proposal
from tests.factories.accounts import form, make_place, make_world, sign_in
from tests.factories.ecology import seed_domes

PAGE = "/communities/publicville/ecology"
GAMED = (
    "sample,Zea mays,Phaseolus vulgaris,Okra\n"
    "North Dome,190,3,0.1\nSouth Dome,140,0,0.1\nWillow Dome,110,0,0.1\n"
)


def _seeded(db: Database) -> object:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        make_place(s, c, "Enclave 7", kind="enclave", lat=51.46, lon=-2.58, population=400)
    return w


def test_visitor_sees_ratings_but_not_the_inventory(client: TestClient, db: Database) -> None:
    _seeded(db)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "least diverse place is South Dome" in page.text
    assert 'id="ecology-chart"' in page.text
    assert client.get(f"{PAGE}?level=family").status_code == 200
    hidden = client.get(f"{PAGE}/inventory", follow_redirects=False)
    assert hidden.status_code in (303, 401, 403)
    assert "Capsicum annuum" not in hidden.text


def test_member_records_imports_and_downloads(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    sign_in(client, db, w.member)  # type: ignore[attr-defined]
    page = client.get(f"{PAGE}/inventory")
    assert page.status_code == 200
    assert "Capsicum annuum" in page.text
    with db.unit_of_work(write=False) as s:
        north = s.scalar(select(Planting.place_id).where(Planting.area_m2 == 60.0))
    added = client.post(
        f"{PAGE}/plantings",
        data=form({"place_id": str(north), "crop": "Amaranthus caudatus", "area_m2": "5"}),
        follow_redirects=False,
    )
    assert added.status_code == 303
    bad = client.post(
        f"{PAGE}/plantings",
        data=form({"place_id": str(north), "crop": "Okra typed", "area_m2": "lots"}),
    )
    assert bad.status_code == 422
    assert "area_m2: must be a number" in bad.text
    # the form comes back with what was typed, the wrong field marked
    assert 'value="Okra typed"' in bad.text
    assert 'value="lots" aria-invalid="true"' in bad.text
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(Planting.id))) == 7  # six seeded + the one added
    imported = client.post(
        f"{PAGE}/inventory/import",
        data=form({"text": "sample,Zea mays\nSouth Dome,x\n"}),
    )
    assert imported.status_code == 422
    assert 'row 2, column "Zea mays": not a number' in html.unescape(imported.text)
    assert "South Dome,x" in imported.text  # the pasted text is still there
    download = client.get(f"{PAGE}/inventory.csv")
    assert download.status_code == 200
    assert "Amaranthus caudatus" in download.text.splitlines()[0]
    upload = client.post(
        f"{PAGE}/inventory/import",
        files={"file": ("inv.csv", b"sample,Zea mays\nSouth Dome,40\n", "text/csv")},
        data=form({}),
    )
    assert "Inventory imported: 1 planting." in upload.text


def test_gamed_plan_is_flagged_and_attached(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    sign_in(client, db, w.member)  # type: ignore[attr-defined]
    short = client.post(f"{PAGE}/assessments", data=form({"title": "A", "text": GAMED}))
    assert short.status_code == 422
    assert 'value="A" aria-invalid="true"' in short.text
    queued = client.post(
        f"{PAGE}/assessments",
        files={"file": ("after.csv", GAMED.encode(), "text/csv")},
        data=form({"title": "AgriCorp maize plan"}),
        follow_redirects=False,
    )
    assert queued.headers["location"].startswith("/jobs/")  # assessing runs in the background
    assert client.app.state.jobs.drain() >= 1  # type: ignore[attr-defined]
    job = client.get("/api" + queued.headers["location"]).json()
    assert job["state"] == "done", job
    made = client.get(job["result_url"])
    assert made.status_code == 200
    assert "Warning: this change looks gamed" in made.text
    assert "Okra" in made.text
    with db.unit_of_work(write=False) as s:
        assessment_id = s.scalar(select(Assessment.id))
    client.post(
        "/communities/publicville/governance/proposals",
        data=form({"title": "Accept the AgriCorp plan", "method": "majority"}),
    )
    with db.unit_of_work(write=False) as s:
        number = s.scalar(select(Proposal.number))
    attached = client.post(
        f"{PAGE}/assessments/{assessment_id}/attach", data=form({"proposal_number": str(number)})
    )
    assert f"Attached to proposal #{number}" in attached.text


def test_steward_drafts_plan_and_puts_it_to_a_vote(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    sign_in(client, db, w.steward)  # type: ignore[attr-defined]
    queued = client.post(f"{PAGE}/plans", data=form({"min_plot_area": "2"}), follow_redirects=False)
    assert queued.headers["location"].startswith("/jobs/")  # planning runs in the background
    assert client.app.state.jobs.drain() >= 1  # type: ignore[attr-defined]
    job = client.get("/api" + queued.headers["location"]).json()
    assert job["state"] == "done", job
    drafted = client.get(job["result_url"])
    assert drafted.status_code == 200
    assert "Put this plan to a vote" in drafted.text
    with db.unit_of_work(write=False) as s:
        plan_id = s.scalar(select(CropPlan.id))
    proposed = client.post(f"{PAGE}/plans/{plan_id}/propose", data=form({}), follow_redirects=False)
    assert proposed.status_code == 303
    assert "/governance/proposals/" in proposed.headers["location"]
    with db.unit_of_work(write=False) as s:
        action = s.scalar(select(Proposal.action))
    assert action == {"kind": "adopt_crop_plan", "params": {"plan_id": plan_id}}
    typed = client.post(f"{PAGE}/plans", data=form({"min_plot_area": "-3"}))
    assert typed.status_code == 422
    assert 'value="-3" aria-invalid="true"' in typed.text
    infeasible = client.post(
        f"{PAGE}/plans", data=form({"gamma_floor": "40"}), follow_redirects=False
    )
    client.app.state.jobs.drain()  # type: ignore[attr-defined]
    failed = client.get("/api" + infeasible.headers["location"]).json()
    assert failed["state"] == "failed"
    assert "below the floor" in failed["error"]


def test_member_cannot_draft_plans_and_pages_render(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    sign_in(client, db, w.member)  # type: ignore[attr-defined]
    client.post(f"{PAGE}/plans", data=form({}))
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(CropPlan.id))) == 0
    for path in ("seeds", "assessments", "plans", "food-access"):
        assert client.get(f"{PAGE}/{path}").status_code == 200, path
    access = client.get(f"{PAGE}/food-access")
    assert "Enclave 7" in access.text
    assert 'id="food-access-map"' in access.text
