"""Schema migrations (Alembic), driven from code so no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at commonpot's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to the given revision."""
    command.upgrade(alembic_config(url), revision)


def revision(
    url: str, message: str, *, autogenerate: bool = True, rev_id: str | None = None
) -> None:
    """Write a new migration file comparing the models with the database."""
    command.revision(alembic_config(url), message=message, autogenerate=autogenerate, rev_id=rev_id)


def current(url: str) -> None:
    """Print the database's current revision."""
    command.current(alembic_config(url))


def diff(url: str) -> str:
    """Python for the Alembic operations that would bring the database up to the models."""
    from alembic.autogenerate import produce_migrations, render_python_code
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from commonpot.models import load_all

    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"render_as_batch": True})
        script = produce_migrations(context, load_all().metadata)
    engine.dispose()
    if script.upgrade_ops is None:
        return "pass"
    return render_python_code(script.upgrade_ops, render_as_batch=True)
