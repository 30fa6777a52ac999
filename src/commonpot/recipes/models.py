"""Recipe tables: heritage recipes, ingredient lines, tags, lineage, recordings, translations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonpot.db import Base, utcnow


class RecipeReach(enum.StrEnum):
    """Who may see a recipe: anyone who may read the community, or its members only."""

    PUBLIC = "public"
    COMMUNITY = "community"


class Recipe(Base):
    """A community's recipe: the kitchen part, its origin and story, and its protocol."""

    __tablename__ = "recipes"
    # newest-first listing and search within one community walk this index
    __table_args__ = (Index("ix_recipes_community_newest", "community_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(35), default="en")
    # [{"name": str | None, "steps": [str, ...]}, ...]; one unnamed section when there are none
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    recipe_yield: Mapped[str] = mapped_column(String(100), default="")
    servings: Mapped[int | None] = mapped_column(Integer, default=None)
    prep_time: Mapped[str | None] = mapped_column(String(32), default=None)
    cook_time: Mapped[str | None] = mapped_column(String(32), default=None)
    total_time: Mapped[str | None] = mapped_column(String(32), default=None)
    cuisine: Mapped[str] = mapped_column(String(100), default="")
    image_url: Mapped[str | None] = mapped_column(String(500), default=None)
    photo_file: Mapped[str | None] = mapped_column(String(200), default=None)
    photo_type: Mapped[str | None] = mapped_column(String(32), default=None)
    source_url: Mapped[str | None] = mapped_column(String(500), default=None)
    # heritage
    origin_place: Mapped[str] = mapped_column(String(200), default="")
    origin_region: Mapped[str] = mapped_column(String(200), default="")
    storytellers: Mapped[str] = mapped_column(String(300), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    credit_text: Mapped[str] = mapped_column(String(300), default="")
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipes.id", ondelete="SET NULL"), default=None, index=True
    )
    # protocol
    reach: Mapped[str] = mapped_column(String(16), default=RecipeReach.PUBLIC.value, index=True)
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    season_start: Mapped[int | None] = mapped_column(Integer, default=None)
    season_end: Mapped[int | None] = mapped_column(Integer, default=None)
    # name, ingredients, story, origin, tags and translations, kept for full-text search
    search_text: Mapped[str] = mapped_column(Text, default="")
    # the recipe's lines, tags, lineage, recordings and translations as plain JSON, rewritten
    # by every service write, so the hot read path is one row instead of six queries
    view_cache: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    ingredients: Mapped[list[RecipeIngredient]] = relationship(
        order_by="RecipeIngredient.position", cascade="all, delete-orphan"
    )
    tags: Mapped[list[RecipeTag]] = relationship(
        order_by="RecipeTag.tag", cascade="all, delete-orphan"
    )
    lineage: Mapped[list[LineagePerson]] = relationship(
        order_by="LineagePerson.position", cascade="all, delete-orphan"
    )
    oral_histories: Mapped[list[OralHistory]] = relationship(
        order_by="OralHistory.id", cascade="all, delete-orphan"
    )
    translations: Mapped[list[RecipeTranslation]] = relationship(
        order_by="RecipeTranslation.language", cascade="all, delete-orphan"
    )


class RecipeIngredient(Base):
    """One ingredient line, verbatim, with what the parser read from it."""

    __tablename__ = "recipe_ingredients"
    # ingredient search is `food_key LIKE '%key%'`: on PostgreSQL a trigram GIN index
    # answers it (and equality) without scanning; on SQLite the same name is a plain index
    __table_args__ = (
        Index(
            "ix_recipe_ingredients_food_key",
            "food_key",
            postgresql_using="gin",
            postgresql_ops={"food_key": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[str | None] = mapped_column(String(32), default=None)
    quantity_max: Mapped[str | None] = mapped_column(String(32), default=None)
    unit: Mapped[str | None] = mapped_column(String(32), default=None)
    food: Mapped[str] = mapped_column(String(300), default="")
    food_key: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str | None] = mapped_column(String(300), default=None)


class RecipeTag(Base):
    """A tag on a recipe ("harvest", "feast", "vegan"), lower case."""

    __tablename__ = "recipe_tags"
    __table_args__ = (UniqueConstraint("community_id", "recipe_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(60), index=True)


class LineagePerson(Base):
    """Someone a recipe passed through; often an elder without an account."""

    __tablename__ = "recipe_lineage"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    relation: Mapped[str] = mapped_column(String(100), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    period: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class OralHistory(Base):
    """A recorded telling of the recipe's story: audio, transcript, and the teller's consent."""

    __tablename__ = "recipe_oral_histories"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    narrator: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_on: Mapped[str] = mapped_column(String(32), default="")
    audio_file: Mapped[str | None] = mapped_column(String(200), default=None)
    audio_type: Mapped[str | None] = mapped_column(String(64), default=None)
    transcript: Mapped[str] = mapped_column(Text, default="")
    consent_by: Mapped[str] = mapped_column(String(200))
    consent_scope: Mapped[str] = mapped_column(String(300))
    consent_on: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecipeTranslation(Base):
    """The same recipe in another language: one recipe, many languages, never a copy."""

    __tablename__ = "recipe_translations"
    __table_args__ = (UniqueConstraint("community_id", "recipe_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(35))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    ingredients: Mapped[list[str]] = mapped_column(JSON, default=list)
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    story: Mapped[str] = mapped_column(Text, default="")
    translated_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
