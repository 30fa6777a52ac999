"""`alembic upgrade head` builds exactly the schema the models describe, on both databases;
0020 backfills the stored ledger nodes."""

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
