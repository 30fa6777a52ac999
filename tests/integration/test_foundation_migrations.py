"""`alembic upgrade head` builds exactly the schema the models describe, on both databases;
0020 backfills the stored ledger nodes; 0023 moves class sizes from settings onto events."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select

from commonpot import migrate
from commonpot.communities.models import Community
from commonpot.governance import ledger
from commonpot.governance.models import LedgerNode
from commonpot.models import load_all
from commonpot.wiring import open_database
from tests.conftest import create_pg_database, drop_pg_database
from tests.factories.accounts import make_community, make_user


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_head_matches_models(backend: str, tmp_path: pytest.TempPathFactory) -> None:
    url = f"sqlite:///{tmp_path}/m.db" if backend == "sqlite" else create_pg_database("cp_mig")
    try:
        migrate.upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, load_all().metadata)
        engine.dispose()
        assert differences == [], f"models and migrations differ: {differences}"
    finally:
        if backend == "postgresql":
            drop_pg_database(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0020_backfills_the_nodes_of_existing_ledgers(
    backend: str, tmp_path: pytest.TempPathFactory
) -> None:
    """Upgrading a database whose ledgers predate stored nodes stores what appends would."""
    url = f"sqlite:///{tmp_path}/n.db" if backend == "sqlite" else create_pg_database("cp_mig")
    try:
        migrate.upgrade(url)
        db = open_database(url)
        with db.unit_of_work() as s:
            steward = make_user(s)
            ids = [make_community(s, steward).id for _ in range(2)]
        for cid, count in zip(ids, (37, 5), strict=True):
            with db.unit_of_work() as s:
                community = s.get_one(Community, cid)
                for i in range(count):
                    ledger.append(s, community, "test.note", {"note": i})

        def nodes() -> list[tuple[int, int, int, str]]:
            with db.unit_of_work(write=False) as s:
                rows = s.execute(
                    select(
                        LedgerNode.community_id,
                        LedgerNode.level,
                        LedgerNode.position,
                        LedgerNode.hash,
                    ).order_by(LedgerNode.community_id, LedgerNode.level, LedgerNode.position)
                )
                return [(c, lv, p, h) for c, lv, p, h in rows]

        appended = nodes()
        assert {c for c, *_ in appended} == set(ids)
        db.dispose()
        command.downgrade(migrate.alembic_config(url), "0019")
        migrate.upgrade(url)
        db = open_database(url)
        assert nodes() == appended
        db.dispose()
    finally:
        if backend == "postgresql":
            drop_pg_database(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0023_moves_class_sizes_from_settings_onto_events_and_back(
    backend: str, tmp_path: pytest.TempPathFactory
) -> None:
    """Class sizes kept as community settings become the events' column, and back again."""
    import sqlalchemy as sa

    from commonpot.events.models import Event
    from tests.factories.events import make_event

    url = f"sqlite:///{tmp_path}/c.db" if backend == "sqlite" else create_pg_database("cp_mig")
    communities = sa.table("communities", sa.column("id"), sa.column("settings", sa.JSON()))
    try:
        migrate.upgrade(url)
        db = open_database(url)
        with db.unit_of_work() as s:
            steward = make_user(s)
            here, there = make_community(s, steward), make_community(s, steward)
            sized, plain = make_event(s, here, steward), make_event(s, here, steward)
            elsewhere = make_event(s, there, steward)
            sized.learners_per_elder = 3
            elsewhere.learners_per_elder = 20
            ids = (here.id, there.id, sized.id, plain.id, elsewhere.id)
        db.dispose()
        here_id, there_id, sized_id, plain_id, elsewhere_id = ids
        key = "events.learners_per_elder."
        engine = sa.create_engine(url)

        def settings() -> dict[int, dict[str, object]]:
            with engine.connect() as conn:
                rows = conn.execute(sa.select(communities.c.id, communities.c.settings))
                return {int(i): dict(v or {}) for i, v in rows}

        command.downgrade(migrate.alembic_config(url), "0022")
        after_down = settings()
        assert after_down[here_id] == {f"{key}{sized_id}": 3}  # size 1 is the default: no key
        assert after_down[there_id] == {f"{key}{elsewhere_id}": 20}
        with engine.begin() as conn:  # what older versions may have left behind
            conn.execute(
                communities.update()
                .where(communities.c.id == here_id)
                .values(
                    settings={
                        **after_down[here_id],
                        f"{key}{plain_id}": 99,  # out of range: dropped, the size reads 1
                        f"{key}{elsewhere_id}": 5,  # another community's event: not touched
                        f"{key}999999": 4,  # an event that no longer exists
                        "seed_bank_balance": 500,
                    }
                )
            )
        engine.dispose()
        migrate.upgrade(url)
        engine = sa.create_engine(url)
        assert settings() == {here_id: {"seed_bank_balance": 500}, there_id: {}}
        engine.dispose()
        db = open_database(url)
        with db.unit_of_work(write=False) as s:
            rows = s.execute(select(Event.id, Event.learners_per_elder))
            sizes = {int(i): int(n) for i, n in rows}
        db.dispose()
        assert sizes == {sized_id: 3, plain_id: 1, elsewhere_id: 20}
    finally:
        if backend == "postgresql":
            drop_pg_database(url)
