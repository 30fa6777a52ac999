"""A served process (`commonpot serve`) settles its heap at start-up; a test app does not.

Settling compiles every template and reads every catalog before the first request, then
freezes what the process holds out of the garbage collector's reach, so that a full
collection no longer walks the whole application while requests wait (the tail latency of
issue 18). The test app skips it: a suite builds hundreds of apps.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from commonpot.app import create_app, create_served_app
from commonpot.db import Database
from commonpot.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite runs with an ordinary heap


def _compiled(app: object) -> set[str]:
    env = app.state.templates.env  # type: ignore[attr-defined]
    return {key[1] for key in env.cache}


def test_a_served_process_is_ready_and_frozen_before_its_first_request(
    settings: Settings, db: Database, unfrozen: None
) -> None:
    app = create_served_app(settings)
    env = app.state.templates.env
    pages = env.list_templates(filter_func=lambda name: name.endswith((".html", ".xml")))
    assert len(pages) > 50
    assert gc.get_freeze_count() == 0 and not _compiled(app)
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 10_000  # the app and its libraries
        assert _compiled(app) >= set(pages)
        assert client.get("/healthz").status_code == 200
        page = client.get("/", headers={"Accept-Language": "es"})
        assert page.status_code == 200 and "Comunidades" in page.text
    app.state.db.dispose()


def test_a_test_app_is_left_as_it_is(settings: Settings, db: Database, unfrozen: None) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
    app.state.db.dispose()
