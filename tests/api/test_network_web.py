"""Network pages: a member offers and asks, a steward proposes, reviews and commits a plan."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.network.models import AllocationRun, Need, Offer
from commonpot.network.staples import pantry_staples
from tests.factories.accounts import form, make_world, sign_in

PAGE = "/communities/publicville/network"


def test_member_offers_and_asks_steward_commits(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Offer food" in page.text
    posted = client.post(
        f"{PAGE}/offers",
        data=form(
            {"category": "Pears", "quantity": "4", "lat": "52", "lon": "5", "expires_in_hours": "6"}
        ),
        follow_redirects=False,
    )
    assert posted.status_code == 303
    client.post(
        f"{PAGE}/needs",
        data=form({"category": "pears", "quantity": "3", "lat": "52.01", "lon": "5"}),
    )
    bad = client.post(
        f"{PAGE}/needs",
        data=form({"category": "pears", "quantity": "lots", "lat": "52", "lon": "5"}),
    )
    assert "quantity: must be a number" in bad.text
    assert "pears" in client.get(PAGE).text
    assert client.get(f"{PAGE}/runs").status_code == 403

    sign_in(client, db, w.steward)
    proposed = client.post(
        f"{PAGE}/runs", data=form({"objective": "default"}), follow_redirects=False
    )
    assert proposed.status_code == 303
    job_url = proposed.headers["location"]
    assert job_url.startswith("/jobs/")  # solving runs in the background
    assert "<progress" in client.get(job_url).text
    assert client.app.state.jobs.drain() >= 1  # type: ignore[attr-defined]
    done = re.search(
        r'id="job-result-link" class="button" href="([^"]+)"', client.get(job_url).text
    )
    assert done is not None
    run_url = done.group(1)
    report = client.get(run_url)
    assert "Fairness report" in report.text
    assert re.search(r"Units allocated</th><td>3</td><td>3</td>", report.text)
    client.post(f"{run_url}/commit", data=form({}))
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(AllocationRun.status)) == "committed"
        assert s.scalar(select(Offer.allocated)) == 3
        assert s.scalar(select(Need.status)) == "filled"
    assert "ll carry it" in client.get(run_url).text


def test_outsider_sees_no_network_data(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    client.post(
        f"{PAGE}/offers",
        data=form({"category": "secret-figs", "quantity": "4", "lat": "52", "lon": "5"}),
    )
    sign_in(client, db, w.outsider)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "secret-figs" not in page.text
    assert "for members of this community" in page.text
    assert client.get(f"{PAGE}/patches").status_code == 403
    private = client.get("/communities/privatehill/network")
    assert private.status_code == 404


def test_patches_page_logs_harvest(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    client.post(
        f"{PAGE}/patches",
        data=form(
            {
                "name": "Hazel copse",
                "species": "hazel",
                "sustainable_yield_kg": "5",
                "season_start_month": "8",
                "lat": "52",
                "lon": "5",
            }
        ),
    )
    page = client.get(f"{PAGE}/patches")
    assert "Hazel copse" in page.text
    patch_id = re.search(r"/patches/(\d+)/harvests", page.text).group(1)  # type: ignore[union-attr]
    client.post(f"{PAGE}/patches/{patch_id}/harvests", data=form({"quantity_kg": "2"}))
    over = client.post(f"{PAGE}/patches/{patch_id}/harvests", data=form({"quantity_kg": "4"}))
    assert "sustainable yield left" in over.text


def test_failed_forms_come_back_with_what_was_typed(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    bad = client.post(
        f"{PAGE}/offers",
        data=form(
            {"category": "Quinces", "quantity": "7", "lat": "95", "lon": "5", "description": "ripe"}
        ),
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert 'id="offer-error"' in bad.text
    assert "lat: must be between -90 and 90" in bad.text
    assert 'value="Quinces"' in bad.text and 'value="ripe"' in bad.text
    assert re.search(r'name="lat"[^>]*value="95"[^>]*aria-invalid="true"', bad.text)
    # the other form is not marked
    assert 'id="need-error"' not in bad.text
    with db.session() as session:
        assert session.scalars(select(Offer)).all() == []  # nothing stored

    need = client.post(
        f"{PAGE}/needs",
        data=form({"category": "rice", "quantity": "0", "lat": "52", "lon": "5"}),
        follow_redirects=False,
    )
    assert need.status_code == 422
    assert 'id="need-error"' in need.text and 'value="rice"' in need.text
    assert re.search(r'name="quantity"[^>]*value="0"[^>]*aria-invalid="true"', need.text)

    patch = client.post(
        f"{PAGE}/patches",
        data=form(
            {
                "name": "Elder hedge",
                "species": "Sambucus nigra",
                "lat": "52",
                "lon": "5",
                "sustainable_yield_kg": "many",
                "season_start_month": "6",
                "notes": "north side",
            }
        ),
        follow_redirects=False,
    )
    assert patch.status_code == 422
    assert 'value="Elder hedge"' in patch.text and "north side" in patch.text
    assert re.search(r'name="sustainable_yield_kg"[^>]*aria-invalid="true"', patch.text)


def test_stewards_edit_pantry_staples(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    assert "olive oil" in client.get(f"{PAGE}/runs").text  # the default list
    saved = client.post(
        f"{PAGE}/staples", data=form({"staples": "Salt\nrice, ghee"}), follow_redirects=False
    )
    assert saved.status_code == 303
    with db.unit_of_work(write=False) as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        assert pantry_staples(community) == ["ghee", "rice", "salt"]
    sign_in(client, db, w.member)
    refused = client.post(f"{PAGE}/staples", data=form({"staples": "everything"}))
    assert refused.status_code == 403
