"""Recipe manager export archives (Mealie, Tandoor, or zips of JSON-LD) read into `RecipeData`."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from commonpot.errors import Invalid, PayloadTooLarge
from commonpot.parsing import loads_json
from commonpot.recipes.data import RecipeData, Step
from commonpot.recipes.durations import normalise_duration
from commonpot.recipes.jsonld import recipes_in_documents
from commonpot.recipes.normalise import clean_text

MAX_MEMBERS = 5000
MAX_UNPACKED = 100 * 1024 * 1024
MAX_DEPTH = 2


def is_archive(content: bytes | str) -> bool:
    """True when the content is a zip file."""
    return isinstance(content, bytes) and content[:4] == b"PK\x03\x04"


def _names(items: Any) -> list[str]:
    out = []
    for item in items or []:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.append(name.strip())
    return out


def _amount(value: Any) -> str:
    if not isinstance(value, int | float) or value <= 0:
        return ""
    return f"{value:g}"


def _line(amount: Any, unit: Any, food: Any, note: Any) -> str:
    parts = [
        _amount(amount),
        (unit or {}).get("name", "") if isinstance(unit, dict) else "",
        (food or {}).get("name", "") if isinstance(food, dict) else "",
    ]
    text = " ".join(p for p in parts if p)
    if note:
        text = f"{text}, {note}" if text else str(note)
    return clean_text(text)


def from_mealie(doc: dict[str, Any]) -> RecipeData:
    """One recipe from a Mealie export (`recipe_ingredient` lines, `recipe_instructions`)."""
    lines = []
    for item in doc.get("recipe_ingredient") or doc.get("recipeIngredient") or []:
        if isinstance(item, str):
            lines.append(clean_text(item))
        elif isinstance(item, dict):
            given = item.get("original_text") or item.get("originalText") or item.get("display")
            unit, food = item.get("unit"), item.get("food")
            lines.append(
                clean_text(given) or _line(item.get("quantity"), unit, food, item.get("note"))
            )
    steps = []
    for item in doc.get("recipe_instructions") or doc.get("recipeInstructions") or []:
        text = clean_text(item.get("text") if isinstance(item, dict) else item)
        if text:
            steps.append(Step(text=text))
    return RecipeData(
        name=clean_text(doc.get("name")),
        description=clean_text(doc.get("description")) or None,
        ingredients=tuple(line for line in lines if line),
        instructions=tuple(steps),
        recipe_yield=clean_text(doc.get("recipe_yield") or doc.get("recipeYield")) or None,
        prep_time=normalise_duration(clean_text(doc.get("prep_time") or doc.get("prepTime"))),
        cook_time=normalise_duration(clean_text(doc.get("perform_time") or doc.get("cookTime"))),
        total_time=normalise_duration(clean_text(doc.get("total_time") or doc.get("totalTime"))),
        keywords=", ".join(_names(doc.get("tags")) + _names(doc.get("recipe_category"))) or None,
        url=clean_text(doc.get("org_url") or doc.get("orgURL")) or None,
    )


def from_tandoor(doc: dict[str, Any]) -> RecipeData:
    """One recipe from a Tandoor export (`steps`, each with its own ingredients)."""
    lines, steps = [], []
    for step in doc.get("steps") or []:
        if not isinstance(step, dict):
            continue
        for item in step.get("ingredients") or []:
            if isinstance(item, dict) and not item.get("is_header"):
                given = clean_text(item.get("original_text"))
                line = given or _line(
                    item.get("amount"), item.get("unit"), item.get("food"), item.get("note")
                )
                if line:
                    lines.append(line)
        text = clean_text(step.get("instruction"))
        if text:
            steps.append(Step(text=text, name=clean_text(step.get("name")) or None))
    working, waiting = doc.get("working_time") or 0, doc.get("waiting_time") or 0
    servings = doc.get("servings")
    return RecipeData(
        name=clean_text(doc.get("name")),
        description=clean_text(doc.get("description")) or None,
        ingredients=tuple(lines),
        instructions=tuple(steps),
        recipe_yield=(
            f"{servings} {clean_text(doc.get('servings_text')) or 'servings'}" if servings else None
        ),
        prep_time=normalise_duration(str(working)) if working else None,
        total_time=normalise_duration(str(working + waiting)) if working or waiting else None,
        keywords=", ".join(_names(doc.get("keywords"))) or None,
        url=clean_text(doc.get("source_url")) or None,
    )


def _from_json(doc: Any) -> list[RecipeData]:
    if isinstance(doc, dict) and "steps" in doc and "keywords" in doc and doc.get("name"):
        return [from_tandoor(doc)]
    if (
        isinstance(doc, dict)
        and doc.get("name")
        and ("recipe_ingredient" in doc or "recipe_instructions" in doc)
    ):
        return [from_mealie(doc)]
    return recipes_in_documents([doc])


def recipes_from_archive(content: bytes, depth: int = 0) -> list[RecipeData]:
    """Every recipe in a zip of Mealie or Tandoor exports or JSON-LD files (nested zips too)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise Invalid("the archive is not a readable zip file") from exc
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise PayloadTooLarge(f"the archive holds {len(members)} files; the limit is {MAX_MEMBERS}")
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise PayloadTooLarge("the archive unpacks to more than 100 MB")
    found: list[RecipeData] = []
    for member in members:
        name = member.filename.lower()
        data = archive.read(member)
        if name.endswith(".zip") and depth < MAX_DEPTH:
            found.extend(recipes_from_archive(data, depth + 1))
        elif name.endswith((".json", ".jsonld")):
            try:
                doc = loads_json(data, limit=MAX_UNPACKED)
            except Invalid as exc:
                raise Invalid(
                    f"{member.filename} in the archive is not valid JSON ({exc.detail})"
                ) from exc
            found.extend(r for r in _from_json(doc) if r.name)
    return found
