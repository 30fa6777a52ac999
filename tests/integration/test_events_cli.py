"""`commonpot events list|feed|pairs` against a real database."""

from __future__ import annotations

import icalendar
import pytest

from commonpot.communities.models import Community
from commonpot.db import Database
from tests.factories.accounts import make_world
from tests.factories.cli import run_cli as _run
from tests.factories.events import make_event


def test_list_feed_and_errors(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(cli_db)
    with cli_db.unit_of_work() as s:
        make_event(
            s, s.get(Community, world.private.id), world.private_steward, title="Hill supper"
        )
    code, out, _ = _run(capsys, "events", "list", "privatehill")
    assert code == 0 and "Hill supper" in out and "0 (+0 waiting)" in out
    code, out, _ = _run(capsys, "events", "feed", "privatehill")
    assert code == 0
    (vevent,) = icalendar.Calendar.from_ical(out.strip()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Hill supper"
    code, _, err = _run(capsys, "events", "pairs", "privatehill", "424242")
    assert code == 2 and "No event 424242" in err
