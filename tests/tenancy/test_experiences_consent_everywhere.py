"""The teller's consent applies on the recipe's own audio route and page exactly as on the
experience's; presence rows of pages that left are forgotten (heartbeat and periodic job)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from commonpot import jobs
from commonpot.accounts.service import Viewer
from commonpot.bus import MemoryBus
from commonpot.communities.models import Community
from commonpot.db import Database, utcnow
from commonpot.experiences import gatherings
from commonpot.experiences.jobs import PRESENCE_SWEEP_JOB
from commonpot.experiences.models import GatheringPresence
from commonpot.settings import Settings
from commonpot.wiring import start_jobs
from tests.factories.accounts import bearer
from tests.factories.experiences import ExperienceWorld, make_experience_world

PUB = "/communities/publicville"


@pytest.fixture
def xw(db: Database, settings: Settings) -> ExperienceWorld:
    return make_experience_world(db, settings.data_dir)


def test_the_recipe_audio_route_follows_the_tellers_consent(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    rid, rec = xw.rw.public_recipe, xw.public_recording
    old = f"/api{PUB}/recipes/{rid}/oral-histories/{rec}/audio"
    new = f"{PUB}/recordings/{rec}/audio"
    member = bearer(db, xw.rw.world.member)
    custodian = bearer(db, xw.rw.world.custodian)
    outsider = bearer(db, xw.rw.world.outsider)
    page, api = f"{PUB}/recipes/{rid}", f"/api{PUB}/recipes/{rid}"

    def heard() -> dict[str, tuple[int, int]]:
        """Who hears the recording on the old route and on the experience's route."""
        return {
            who: (
                client.get(old, headers=headers).status_code,
                client.get(new, headers=headers).status_code,
            )
            for who, headers in (("anonymous", {}), ("outsider", outsider), ("member", member))
        }

    # the default: the community's members only, on both routes alike
    assert heard() == {"anonymous": (404, 404), "outsider": (404, 404), "member": (200, 200)}
    assert client.get(api).json()["oral_histories"][0]["audio_url"] is None
    assert client.get(api, headers=member).json()["oral_histories"][0]["audio_url"] == old
    assert old not in client.get(page).text  # the page offers no player it would refuse

    voice = f"/api{PUB}/recordings/{rec}/voice"
    assert client.put(voice, json={"listeners": "anyone"}, headers=custodian).status_code == 200
    assert heard() == {"anonymous": (200, 200), "outsider": (200, 200), "member": (200, 200)}
    assert old in client.get(page).text
    assert client.get(api).json()["oral_histories"][0]["audio_url"] == old

    assert client.put(voice, json={"listeners": "nobody"}, headers=custodian).status_code == 200
    assert heard() == {"anonymous": (404, 404), "outsider": (404, 404), "member": (404, 404)}
    keeper = client.get(old, headers=custodian)
    assert keeper.status_code == 404  # withdrawn consent binds the keepers too
    assert client.get(api, headers=member).json()["oral_histories"][0]["audio_url"] is None
    member_page = client.get(page, headers=member)
    assert old not in member_page.text
    assert "Elder Ana" in member_page.text  # the transcript and its teller stay


def _present_rows(db: Database) -> list[str]:
    with db.unit_of_work(write=False) as s:
        return sorted(s.scalars(select(GatheringPresence.client)))


def _open_with_pages(db: Database, xw: ExperienceWorld) -> int:
    with db.unit_of_work() as s:
        community = s.get(Community, xw.rw.world.public.id)
        assert community is not None
        custodian = Viewer(user=xw.rw.world.custodian)
        gathering = gatherings.open_gathering(
            s, community, custodian, xw.rw.public_recipe, title="Telling"
        )
        for client_id in ("page-a", "page-b"):
            gatherings.present(s, community, custodian, gathering.id, client_id, 0)
        return gathering.id


def _age(db: Database, client_id: str, minutes: int) -> None:
    with db.unit_of_work() as s:
        s.execute(
            update(GatheringPresence)
            .where(GatheringPresence.client == client_id)
            .values(seen_at=utcnow() - timedelta(minutes=minutes))
        )


def test_a_heartbeat_forgets_pages_that_left_long_ago(db: Database, xw: ExperienceWorld) -> None:
    gid = _open_with_pages(db, xw)
    _age(db, "page-a", 11)
    _age(db, "page-b", 5)  # gone from the count, but not yet forgotten
    with db.unit_of_work() as s:
        community = s.get(Community, xw.rw.world.public.id)
        assert community is not None
        viewer = Viewer(user=xw.rw.world.member)
        assert gatherings.present(s, community, viewer, gid, "page-c", 1).count == 1
    assert _present_rows(db) == ["page-b", "page-c"]


def test_the_periodic_sweep_forgets_stale_and_closed_presence(
    db: Database, xw: ExperienceWorld, tmp_path: Path
) -> None:
    first = _open_with_pages(db, xw)
    _age(db, "page-a", 30)
    settings = Settings(
        database_url=db.url,
        data_dir=tmp_path,
        jobs_backend="memory",
        jobs_queue=f"presence{id(tmp_path)}",
        secret_key="k" * 40,
    )
    runtime = start_jobs(settings, db, MemoryBus())
    assert any(p.job == PRESENCE_SWEEP_JOB for p in jobs.REGISTRY.periodic)
    with db.unit_of_work() as s:
        jobs.enqueue(s, PRESENCE_SWEEP_JOB, {}, key="sweep-1")
    runtime.drain()
    assert _present_rows(db) == ["page-b"]  # page-b is recent and its gathering open

    with db.unit_of_work() as s:
        community = s.get(Community, xw.rw.world.public.id)
        assert community is not None
        gatherings.close(s, community, Viewer(user=xw.rw.world.custodian), first)
        jobs.enqueue(s, PRESENCE_SWEEP_JOB, {}, key="sweep-2")
    runtime.drain()
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(GatheringPresence.id))) == 0
        job = s.scalar(select(jobs.Job).where(jobs.Job.key == "sweep-2"))
        assert job is not None and job.state == "done"
