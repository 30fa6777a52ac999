"""`commonpot federation approval|requests|accept|reject` against a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commonpot.communities import Community
from commonpot.db import Database
from commonpot.federation import service
from commonpot.federation.models import Activity, Follower, Policy
from tests.factories.accounts import make_world
from tests.factories.cli import run_cli


def test_follow_requests_from_the_command_line(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_world(cli_db)
    with cli_db.unit_of_work() as s:
        for name in ("ann", "ben"):
            s.add(
                Follower(
                    community_id=world.public.id,
                    actor_id=f"https://far.example/users/{name}",
                    inbox=f"https://far.example/users/{name}/inbox",
                    domain="far.example",
                    follow_id=f"https://far.example/follows/{name}",
                    state="pending",
                )
            )
    code, out, err = run_cli(capsys, "federation", "approval", "publicville", "--on")
    assert code == 0, err
    with cli_db.unit_of_work(write=False) as s:
        assert s.scalars(select(Policy.approve_followers)).all() == [True]
        public = s.get(Community, world.public.id)
        assert service.follower_count(s, public) == 0  # asking is not following

    code, out, err = run_cli(capsys, "federation", "requests", "publicville")
    assert code == 0, err
    rows = [line.split("\t") for line in out.strip().splitlines()]
    assert [r[1] for r in rows] == [
        "https://far.example/users/ann",
        "https://far.example/users/ben",
    ]
    ann, ben = rows[0][0], rows[1][0]

    assert run_cli(capsys, "federation", "accept", "publicville", ann)[0] == 0
    code, _out, err = run_cli(capsys, "federation", "accept", "publicville", ann)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "already" in err
    assert run_cli(capsys, "federation", "reject", "publicville", ben)[0] == 0
    code, _out, err = run_cli(capsys, "federation", "reject", "privatehill", ann)
    assert code == 2  # another community's request is not found there
    with cli_db.unit_of_work(write=False) as s:
        assert s.scalars(select(Follower.state)).all() == ["accepted"]
        public = s.get(Community, world.public.id)
        assert service.follower_count(s, public) == len(service.followers(s, public)) == 1
        sent = s.scalars(select(Activity).order_by(Activity.id)).all()
        assert [(a.verb, a.target_inbox) for a in sent] == [
            ("Accept", "https://far.example/users/ann/inbox"),
            ("Reject", "https://far.example/users/ben/inbox"),
        ]
        assert sent[0].document is not None
        assert sent[0].document["object"]["id"] == "https://far.example/follows/ann"
