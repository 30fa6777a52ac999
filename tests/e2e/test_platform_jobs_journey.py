"""A steward watches a background job in the browser: the bar moves live (static/app/jobs.js
following server-sent events), the link to the result appears, and Cancel stops another job.

The job function is registered for this test only and waits on the test between steps, so
that what the page shows can be checked at each step; everything else (queue, embedded
consumer, bus, live stream, page script) is the server's own.
"""

from __future__ import annotations

import threading
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from commonpot import jobs
from commonpot.bus import MemoryBus
from commonpot.jobs.models import Job
from commonpot.wiring import start_jobs
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_user

GATES: dict[str, tuple[threading.Event, threading.Event]] = {}


def _gated(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Waits for the test to say "go" before each half; cancelling stops it at a report."""
    start, finish = GATES[payload["gate"]]
    while not start.wait(0.2):
        ctx.check_cancelled()
    ctx.progress(40, "Halfway through the seed bank")
    while not finish.wait(0.2):
        ctx.progress(40, "Halfway through the seed bank")  # raises once cancelled
    ctx.progress(90, "Writing it down")
    return f"/communities/{payload['slug']}"


def _state(live_server: LiveServer, job_id: int) -> tuple[str, str | None]:
    with live_server.db.unit_of_work(write=False) as s:
        row = s.execute(select(Job.state, Job.result_url).where(Job.id == job_id)).one()
        return str(row[0]), row[1]


def test_job_page_follows_progress_links_the_result_and_cancels(
    live_server: LiveServer, page: Page
) -> None:
    jobs.REGISTRY.register(jobs.JobSpec("e2e.gated", _gated, max_attempts=1))
    GATES.update(
        one=(threading.Event(), threading.Event()), two=(threading.Event(), threading.Event())
    )
    # a second runtime on the server's queue (SQLite in its data folder): what this test
    # enqueues is handed to the server's embedded consumer after commit
    start_jobs(live_server.settings, live_server.db, MemoryBus())
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
        ids = [
            jobs.enqueue(
                s,
                "e2e.gated",
                {"gate": gate, "slug": community.slug},
                community_id=community.id,
                created_by=steward.id,
                title=f"Sharing seed ({gate})",
            ).id
            for gate in ("one", "two")
        ]
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)

    page.goto(f"{live_server.url}/jobs/{ids[0]}")
    expect(page.get_by_role("heading", name="Sharing seed (one)")).to_be_visible()
    expect(page.locator("#job-state")).to_have_text("running", timeout=30_000)
    assert page.locator("#job-percent").inner_text() == "0%"
    GATES["one"][0].set()
    # no reload: the script moves the bar when the server reports progress
    expect(page.locator("#job-percent")).to_have_text("40%", timeout=30_000)
    expect(page.locator("#job-message")).to_have_text("Halfway through the seed bank")
    expect(page.locator("#job-progress")).to_have_attribute("value", "40")
    expect(page.get_by_role("link", name="Open the result")).to_be_hidden()
    assert axe_violations(page) == []
    shot(page, "jobs-01-running")
    GATES["one"][1].set()
    result = page.get_by_role("link", name="Open the result")
    expect(result).to_be_visible(timeout=30_000)
    expect(result).to_have_attribute("href", "/communities/riverbank")
    expect(page.locator("#job-state")).to_have_text("done")
    expect(page.get_by_role("button", name="Cancel this job")).to_have_count(0)
    shot(page, "jobs-02-done")
    result.click()
    expect(page).to_have_url(f"{live_server.url}/communities/riverbank")
    assert _state(live_server, ids[0]) == ("done", "/communities/riverbank")

    page.goto(f"{live_server.url}/jobs/{ids[1]}")
    GATES["two"][0].set()
    expect(page.locator("#job-percent")).to_have_text("40%", timeout=30_000)
    page.once("dialog", lambda dialog: dialog.accept())  # a destructive action asks first
    page.get_by_role("button", name="Cancel this job").click()
    expect(page.locator("#job-state")).to_have_text("cancelled", timeout=30_000)
    expect(page.get_by_role("button", name="Cancel this job")).to_have_count(0)
    expect(page.get_by_role("link", name="Open the result")).to_be_hidden()
    assert axe_violations(page) == []
    shot(page, "jobs-03-cancelled")
    assert _state(live_server, ids[1]) == ("cancelled", None)
    GATES["two"][1].set()  # even if it were still waiting, it would not finish now
