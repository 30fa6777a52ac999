"""Demo recipes: a dozen ancestral dishes in riverside, with lineage, variant and translation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.demo import DemoContext
from commonpot.recipes import heritage, service
from commonpot.recipes.schemas import (
    LineageIn,
    OralHistoryIn,
    RecipeIn,
    SectionIn,
    TranslationIn,
)
from commonpot.words import said

DATA = Path(__file__).with_name("demo_recipes.json")


def _recipes() -> tuple[dict[str, list[list[Any]]], list[dict[str, Any]]]:
    """The demo's families and recipes (demo_recipes.json: data, not code)."""
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    return doc["families"], doc["recipes"]


def _sections(lines: list[str]) -> list[SectionIn]:
    sections = [SectionIn(name=None, steps=[])]
    for line in lines:
        if line.startswith("## "):
            sections.append(SectionIn(name=line[3:], steps=[]))
        else:
            sections[-1].steps.append(line)
    return [s for s in sections if s.steps]


def load(session: Session, ctx: DemoContext) -> None:
    """Add the demo recipes to riverside (and one to hillside)."""
    riverside = ctx.communities["riverside"]
    families, recipes = _recipes()
    ids: dict[str, int] = {}
    for entry in recipes:
        key, cook, ingredients, steps = (
            entry["key"],
            entry["cook"],
            entry["ingredients"],
            entry["steps"],
        )
        data = dict(entry["fields"])
        based_on = data.pop("based_on", None)
        people = data.pop("lineage", [])
        lineage = [
            LineageIn(name=n, generation=g, relation=r, place=p, period=t)
            for n, g, r, p, t in (families[people] if isinstance(people, str) else people)
        ]
        recipe = service.create_recipe(
            session,
            riverside,
            Viewer(user=ctx.users[cook]),
            RecipeIn(
                **data,
                ingredients=ingredients,
                sections=_sections(steps),
                lineage=lineage,
                based_on_id=ids[based_on] if based_on else None,
            ),
        )
        ids[key] = recipe.id
    rosa = Viewer(user=ctx.users["rosa"])
    service.save_translation(
        session,
        riverside,
        rosa,
        ids["pozole"],
        TranslationIn(
            language="en",
            name="Grandmother Carmen's red pozole",
            description="Hominy and pork stew with guajillo chile, for Christmas Eve.",
            story="My grandmother Carmen cooked it in a clay pot big enough to hold a child."
            " The whole street came with their bowls on Christmas Eve.",
            translated_by="Lina Delgado",
        ),
    )
    heritage.add_oral_history(
        session,
        riverside,
        rosa,
        ids["pozole"],
        OralHistoryIn(
            title="How Carmen cooked for the street",
            narrator="Rosa Delgado",
            recorded_by="Lina Delgado",
            recorded_on="2025-12-20",
            transcript="Mija, first you listen to the pot. When the bubbles get lazy, the meat is"
            " ready. My grandmother never used a clock...",
            consent_by="Rosa Delgado",
            consent_scope="Members of Riverside may listen; not to be published elsewhere.",
            consent_on="2025-12-20",
        ),
        audio=None,
        data_dir=_unused_dir(),
        max_bytes=0,
    )
    hillside = ctx.communities["hillside"]
    service.create_recipe(
        session,
        hillside,
        Viewer(user=ctx.users["jonah"]),
        RecipeIn(
            name="Lola Pining's adobo",
            description="Chicken and pork adobo, dark with vinegar and bay.",
            servings=6,
            cuisine="Filipino",
            origin_place="Batangas",
            storytellers="Jonah Reyes",
            story="Lola cooked it on Sundays and it was better on Monday.",
            ingredients=["1 kg chicken thighs", "½ cup cane vinegar", "⅓ cup soy sauce"],
            sections=[SectionIn(steps=["Marinate.", "Simmer until dark and glossy."])],
            lineage=[LineageIn(name="Pining Reyes", generation=1, relation="grandmother")],
        ),
    )
    ctx.notes.append(
        said(
            "recipes: %(count)s in riverside (try /communities/riverside/recipes), 1 in hillside",
            count=len(recipes),
        )
    )


def _unused_dir() -> Path:
    return Path("/nonexistent")  # no audio file is written for transcript-only stories
