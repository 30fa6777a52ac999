"""Recipes API shapes: what goes in (bounded) and what comes out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from commonpot.fields import LanguageTag, WebUrl

Text200 = Field(default="", max_length=200)


class SectionIn(BaseModel):
    """A group of steps; `name` may be empty for a recipe without sections."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    steps: list[str] = Field(default_factory=list, max_length=200)


class LineageIn(BaseModel):
    """A person the recipe passed through; generation 1 is the oldest known."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    generation: int = Field(default=1, ge=1, le=20)
    relation: str = Field(default="", max_length=100)
    place: str = Text200
    period: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=2000)


class RecipeIn(BaseModel):
    """A recipe to store: the kitchen part, its heritage and its protocol."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    language: LanguageTag = Field(
        default="en", min_length=2, max_length=35, pattern=r"^[A-Za-z0-9-]+$"
    )
    ingredients: list[str] = Field(default_factory=list, max_length=200)
    sections: list[SectionIn] = Field(default_factory=list, max_length=50)
    recipe_yield: str = Field(default="", max_length=100)
    servings: int | None = Field(default=None, ge=1, le=10000)
    prep_time: str | None = Field(default=None, max_length=32)
    cook_time: str | None = Field(default=None, max_length=32)
    total_time: str | None = Field(default=None, max_length=32)
    cuisine: str = Field(default="", max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=30)
    image_url: WebUrl | None = Field(default=None, max_length=500)
    source_url: WebUrl | None = Field(default=None, max_length=500)
    origin_place: str = Text200
    origin_region: str = Text200
    storytellers: str = Field(default="", max_length=300)
    story: str = Field(default="", max_length=50000)
    credit_text: str = Field(default="", max_length=300)
    based_on_id: int | None = None
    reach: Literal["public", "community"] = "public"
    labels: list[str] = Field(default_factory=list, max_length=20)
    season_start: int | None = Field(default=None, ge=1, le=12)
    season_end: int | None = Field(default=None, ge=1, le=12)
    lineage: list[LineageIn] = Field(default_factory=list, max_length=50)


class TranslationIn(BaseModel):
    """The recipe in another language."""

    model_config = ConfigDict(extra="forbid")

    language: LanguageTag = Field(min_length=2, max_length=35, pattern=r"^[A-Za-z0-9-]+$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    ingredients: list[str] = Field(default_factory=list, max_length=200)
    sections: list[SectionIn] = Field(default_factory=list, max_length=50)
    story: str = Field(default="", max_length=50000)
    translated_by: str = Text200


class OralHistoryIn(BaseModel):
    """A recorded story; consent (who, for what, when) is required."""

    model_config = ConfigDict(extra="forbid")

    title: str = Text200
    narrator: str = Field(min_length=1, max_length=200)
    recorded_by: str = Field(min_length=1, max_length=200)
    recorded_on: str = Field(default="", max_length=32)
    transcript: str = Field(default="", max_length=100000)
    consent_by: str = Field(min_length=1, max_length=200)
    consent_scope: str = Field(min_length=1, max_length=300)
    consent_on: str = Field(min_length=4, max_length=32)


class IngredientOut(BaseModel):
    """An ingredient line and what the parser read from it."""

    model_config = ConfigDict(from_attributes=True)

    line: str
    quantity: str | None
    quantity_max: str | None
    unit: str | None
    food: str
    note: str | None


class LineageOut(LineageIn):
    """A person in the recipe's lineage."""

    model_config = ConfigDict(from_attributes=True)

    id: int


class OralHistoryOut(BaseModel):
    """A recorded story and its consent record; `audio_url` streams the audio."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    narrator: str
    recorded_by: str
    recorded_on: str
    transcript: str
    consent_by: str
    consent_scope: str
    consent_on: str
    audio_url: str | None = None


class TranslationOut(BaseModel):
    """A translation of the recipe."""

    model_config = ConfigDict(from_attributes=True)

    language: str
    name: str
    description: str
    ingredients: list[str]
    steps: list[Any]
    story: str
    translated_by: str


class LabelOut(BaseModel):
    """A Local Contexts label on the recipe."""

    code: str
    name: str
    url: str


class RecipeSummary(BaseModel):
    """A recipe in a list or search result."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    language: str
    cuisine: str
    origin_place: str
    reach: str
    labels: list[str]


class RecipeOut(RecipeSummary):
    """A whole recipe with its heritage, protocol and notices to show with it."""

    recipe_yield: str
    servings: int | None
    prep_time: str | None
    cook_time: str | None
    total_time: str | None
    image_url: str | None
    source_url: str | None
    origin_region: str
    storytellers: str
    story: str
    credit_text: str
    based_on_id: int | None
    season_start: int | None
    season_end: int | None
    steps: list[Any]
    tags: list[str]
    ingredients: list[IngredientOut]
    lineage: list[LineageOut]
    oral_histories: list[OralHistoryOut]
    translations: list[TranslationOut]
    label_details: list[LabelOut]
    notices: list[str]
    created_at: datetime
    updated_at: datetime


class ScaledLineOut(BaseModel):
    """An ingredient scaled to the requested servings."""

    line: str
    quantity: str | None
    quantity_max: str | None
    unit: str | None
    food: str


class ScaledOut(BaseModel):
    """A recipe's ingredients at a number of servings."""

    recipe_id: int
    servings: int
    ingredients: list[ScaledLineOut]


class ShoppingItemIn(BaseModel):
    """One recipe and how many it should feed."""

    model_config = ConfigDict(extra="forbid")

    recipe_id: int
    servings: int = Field(ge=1, le=10000)


class ShoppingIn(BaseModel):
    """Recipes and head counts to shop for."""

    model_config = ConfigDict(extra="forbid")

    items: list[ShoppingItemIn] = Field(min_length=1, max_length=50)


class ShoppingLineOut(BaseModel):
    """One line of the shopping list."""

    food: str
    quantity: str | None
    quantity_max: str | None
    unit: str | None
    display: str
    note: str | None
    recipes: list[str]


class ImportUrlIn(BaseModel):
    """A page to import a recipe from (public http/https addresses only)."""

    model_config = ConfigDict(extra="forbid")

    url: WebUrl = Field(min_length=8, max_length=2000)


class ImportHtmlIn(BaseModel):
    """A page's HTML (or a JSON-LD document) pasted in, when the server may not fetch it."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=5 * 1024 * 1024)
    source_url: WebUrl | None = Field(default=None, max_length=2000)


class VariantNodeOut(BaseModel):
    """A recipe in the variants family tree, with the variants based on it."""

    id: int
    name: str
    children: list[VariantNodeOut]


class ConversionOut(BaseModel):
    """A converted amount: exact value (a fraction) and a line to show."""

    amount: str
    unit: str
    display: str
