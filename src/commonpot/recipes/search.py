"""Full-text search over recipes: SQLite FTS5 or PostgreSQL text search on `recipes.search_text`.

The FTS5 table (and its triggers) and the PostgreSQL GIN index live outside the SQLAlchemy
metadata, so Alembic's model comparison cannot see them; they are created idempotently by
`ensure_search_index` inside the first write transaction that stores a recipe.
"""

# The only SQL built from strings below interpolates module constants (table and index
# names); every value a person types is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    column,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Session

from commonpot.recipes.models import Recipe

FTS_TABLE = "recipe_fts"
PG_INDEX = "ix_recipes_search_text_fts"
_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, "
    "content='recipes', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON recipes BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON recipes BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_text ON recipes BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
)
_PG_DDL = (
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON recipes "
    "USING gin (to_tsvector('simple', search_text))"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


_KNOWN: set[str] = set()  # databases whose index exists (it is never dropped once made)


def has_search_index(session: Session) -> bool:
    """True when the full-text index exists in this database."""
    key = str(session.get_bind().engine.url)
    if key in _KNOWN:
        return True
    found = _index_exists(session)
    if found:
        _KNOWN.add(key)
    return found


def _index_exists(session: Session) -> bool:
    if _is_sqlite(session):
        sql = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=:n"
        return session.execute(text(sql), {"n": FTS_TABLE}).first() is not None
    sql = "SELECT 1 FROM pg_indexes WHERE indexname = :n"
    return session.execute(text(sql), {"n": PG_INDEX}).first() is not None


def ensure_search_index(session: Session) -> None:
    """Create the full-text index (and fill it from existing recipes) if it is missing."""
    if has_search_index(session):
        return
    if _is_sqlite(session):
        for statement in _SQLITE_DDL:
            session.execute(text(statement))
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    else:
        session.execute(text(_PG_DDL))


def fts_query(terms: str) -> str:
    """Turn what a person typed into a safe FTS5 query: every word must match, as a prefix."""
    return " ".join(f'"{w}"*' for w in _WORD.findall(terms.lower())[:12])


def _like_all(words: list[str]) -> ColumnElement[bool]:
    return and_(*(Recipe.search_text.ilike(f"%{w}%") for w in words))


def apply_text_search(
    session: Session, query: Select[*tuple[Any, ...]], terms: str | None
) -> Select[*tuple[Any, ...]]:
    """Keep recipes whose text holds every word of `terms`, best matches first."""
    words = _WORD.findall((terms or "").lower())[:12]
    if not words:
        return query
    if _is_sqlite(session):
        if not has_search_index(session):
            return query.where(_like_all(words))
        matches = (
            text(
                f"SELECT rowid AS rid, rank AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts"
            )
            .bindparams(fts=fts_query(terms or ""))
            .columns(column("rid", Integer), column("score", Float))
            .subquery("fts")
        )
        return query.join(matches, matches.c.rid == Recipe.id).order_by(matches.c.score)
    # psycopg prepares repeated statements, and PostgreSQL's generic plan for them cannot
    # see that a common word is best found by walking the newest rows: re-plan every time
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    # the configuration must be a literal, not a bound parameter, for the planner to match
    # the expression index `to_tsvector('simple', search_text)`
    simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
    tsquery = func.to_tsquery(simple, " & ".join(f"{w}:*" for w in words))
    vector = func.to_tsvector(simple, Recipe.search_text)
    # no ts_rank: it would rebuild every matching row's tsvector (there is no stored column);
    # PostgreSQL results come newest first, ordered by the caller
    return query.where(vector.op("@@")(tsquery))


def raw_fts_ids(session: Session, terms: str, limit: int = 50) -> list[int]:
    """Matching ids straight from the full-text index, no visibility: the benchmark baseline.

    Ordered as the service orders them: by FTS5 rank on SQLite, newest first on PostgreSQL.
    """
    if _is_sqlite(session):
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q ORDER BY rank LIMIT :n"
        rows = session.execute(text(sql), {"q": fts_query(terms), "n": limit})
    else:
        words = _WORD.findall(terms.lower())[:12]
        sql = (
            "SELECT id FROM recipes WHERE to_tsvector('simple'::regconfig, search_text) @@ "
            "to_tsquery('simple'::regconfig, :q) ORDER BY id DESC LIMIT :n"
        )
        rows = session.execute(text(sql), {"q": " & ".join(f"{w}:*" for w in words), "n": limit})
    return [int(r[0]) for r in rows]


def search_document(parts: list[Any]) -> str:
    """Join the searchable parts of a recipe into one lower-case text."""
    return "\n".join(str(p).strip() for p in parts if p and str(p).strip()).lower()
