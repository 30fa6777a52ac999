"""`alembic upgrade head` builds exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from commonpot import migrate
from commonpot.models import load_all
from tests.conftest import create_pg_database, drop_pg_database


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
