"""The cached read view of a recipe: its child rows as plain JSON on the recipe row itself."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.recipes.models import (
    LineagePerson,
    OralHistory,
    Recipe,
    RecipeIngredient,
    RecipeTag,
    RecipeTranslation,
)

VIEW_VERSION = 1
CHILDREN = ("ingredients", "tags", "lineage", "oral_histories", "translations")
_CHILD_FIELDS = {
    "ingredients": ("line", "quantity", "quantity_max", "unit", "food", "note"),
    "tags": ("tag",),
    "lineage": ("id", "name", "generation", "relation", "place", "period", "note"),
    "oral_histories": (
        "id", "title", "narrator", "recorded_by", "recorded_on", "transcript",
        "consent_by", "consent_scope", "consent_on", "audio_file", "audio_type",
    ),
    "translations": (
        "language", "name", "description", "ingredients", "steps", "story", "translated_by",
    ),
}  # fmt: skip


def refresh_view_cache(session: Session, recipe: Recipe) -> None:
    """Rewrite the recipe's cached read view from its (flushed) children."""
    session.flush()
    cache: dict[str, Any] = {"version": VIEW_VERSION}
    for name, fields in _CHILD_FIELDS.items():
        items = sorted(getattr(recipe, name), key=_CHILD_ORDER[name])
        cache[name] = [{f: getattr(item, f) for f in fields} for item in items]
    recipe.view_cache = cache


_CHILD_ORDER: dict[str, Any] = {
    "ingredients": lambda i: i.position,
    "tags": lambda t: t.tag,
    "lineage": lambda p: p.position,
    "oral_histories": lambda h: h.id,
    "translations": lambda t: t.language,
}


def view_from_row(session: Session, row: Any) -> Any:
    """A namespace with the recipe's columns and child lists (from the cache, else queried)."""
    view = SimpleNamespace(**row._asdict())
    cache = view.view_cache or {}
    if cache.get("version") == VIEW_VERSION:
        for name in CHILDREN:
            setattr(view, name, [SimpleNamespace(**item) for item in cache[name]])
        return view
    children = (
        ("ingredients", RecipeIngredient, RecipeIngredient.position),
        ("tags", RecipeTag, RecipeTag.tag),
        ("lineage", LineagePerson, LineagePerson.position),
        ("oral_histories", OralHistory, OralHistory.id),
        ("translations", RecipeTranslation, RecipeTranslation.language),
    )
    for name, model, order in children:
        columns = model.__table__.c
        child = select(*columns).where(columns.recipe_id == view.id).order_by(order)
        setattr(view, name, list(session.execute(child)))
    return view
