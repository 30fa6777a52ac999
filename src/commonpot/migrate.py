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


def behind(url: str) -> str | None:
    """Where the database's schema stands when it is behind this code's migrations: its
    revision, or "" when it has none (a new database); None when it is up to date, or at a
    revision this code does not know (a newer release's: it is not refused for that).

    Raises `Invalid` (field `database`) when the database cannot be reached."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from commonpot.errors import Invalid, system_words

    script = ScriptDirectory.from_config(alembic_config(url))
    heads = set(script.get_heads())
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise Invalid(
            "cannot reach the database: %(reason)s", field="database", reason=system_words(reason)
        ) from None
    finally:
        engine.dispose()
    if found == heads:
        return None
    known = {each.revision for each in script.walk_revisions()}
    if not found:
        return ""
    return ", ".join(sorted(found)) if found <= known else None


def require_current(url: str) -> None:
    """Refuse (`Invalid`, field `database`) to serve a database whose schema is behind the
    code: every page and job would fail on a missing table or column."""
    from commonpot.errors import Invalid

    found = behind(url)
    if found == "":
        raise Invalid(
            "the database has no tables yet: run 'commonpot db upgrade' first", field="database"
        )
    if found is not None:
        raise Invalid(
            "the database's schema is at revision %(revision)s, older than this version of "
            "commonpot: run 'commonpot db upgrade' first",
            field="database",
            revision=found,
        )


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
