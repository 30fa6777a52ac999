"""HTML form <-> recipe input: textareas of lines, sections marked "## ", lineage rows."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from commonpot.errors import Invalid
from commonpot.parsing import is_digits
from commonpot.recipes.models import Recipe
from commonpot.recipes.schemas import LineageIn, OralHistoryIn, RecipeIn, SectionIn, TranslationIn

TEXT_FIELDS = (
    "name",
    "description",
    "language",
    "recipe_yield",
    "servings",
    "prep_time",
    "cook_time",
    "total_time",
    "cuisine",
    "tags",
    "image_url",
    "origin_place",
    "origin_region",
    "storytellers",
    "story",
    "credit_text",
    "based_on_id",
    "reach",
    "season_start",
    "season_end",
    "ingredients",
    "steps",
)

LINEAGE_FIELDS = ("name", "generation", "relation", "place", "period")
MAX_LINEAGE_ROWS = 30
BLANK_LINEAGE_ROWS = 3


def form_values(form: FormData) -> dict[str, Any]:
    """The submitted values, to fill the form again after an error."""
    values: dict[str, Any] = {k: str(form.get(k, "")) for k in TEXT_FIELDS}
    values["labels"] = [str(v) for v in form.getlist("labels")]
    values["lineage"] = lineage_rows(form)
    return values


def lineage_rows(form: FormData) -> list[dict[str, str]]:
    """The lineage table's rows as typed (`lineage-<i>-<field>`), blank rows dropped."""
    rows = []
    for i in range(MAX_LINEAGE_ROWS):
        row = {f: str(form.get(f"lineage-{i}-{f}", "")).strip() for f in LINEAGE_FIELDS}
        if any(row[f] for f in LINEAGE_FIELDS if f != "generation"):
            rows.append(row)
    return rows


def parse_sections(text: str) -> list[SectionIn]:
    """Steps, one per line; a line starting with "## " begins a named section."""
    sections: list[SectionIn] = [SectionIn(name=None, steps=[])]
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            sections.append(SectionIn(name=line.lstrip("#").strip() or None, steps=[]))
        else:
            sections[-1].steps.append(line)
    return [s for s in sections if s.steps]


def sections_text(steps: list[Any]) -> str:
    """Stored sections back to the textarea form."""
    lines: list[str] = []
    for section in steps:
        if section.get("name"):
            lines.append(f"## {section['name']}")
        lines.extend(section.get("steps", []))
    return "\n".join(lines)


def parse_lineage(rows: list[dict[str, str]]) -> list[LineageIn]:
    """Lineage people from the table's rows, oldest generation first; Invalid names the cell."""
    people: list[LineageIn] = []
    for i, row in enumerate(rows):
        if not row["name"]:
            raise Invalid("Give each person in the lineage a name.", field=f"lineage-{i}-name")
        generation = row["generation"] or "1"
        if not is_digits(generation) or not 1 <= int(generation) <= 20:
            raise Invalid("Generation is a number from 1 to 20.", field=f"lineage-{i}-generation")
        people.append(
            LineageIn(
                name=row["name"],
                generation=int(generation),
                relation=row["relation"],
                place=row["place"],
                period=row["period"],
            )
        )
    return sorted(people, key=lambda p: p.generation)


def lineage_values(recipe: Recipe) -> list[dict[str, str]]:
    """Stored lineage back to the table's rows."""
    return [
        {
            "name": p.name,
            "generation": str(p.generation),
            "relation": p.relation,
            "place": p.place,
            "period": p.period,
        }
        for p in recipe.lineage
    ]


def _optional_int(value: str) -> int | None:
    return int(value) if is_digits(value.strip()) else None


def recipe_in_from_form(form: FormData) -> RecipeIn:
    """Build the recipe input from the editor's form (validation errors name the field)."""
    v = form_values(form)
    return RecipeIn(
        name=v["name"].strip(),
        description=v["description"],
        language=v["language"].strip() or "en",
        ingredients=[line for line in v["ingredients"].splitlines() if line.strip()],
        sections=parse_sections(v["steps"]),
        recipe_yield=v["recipe_yield"],
        servings=_optional_int(v["servings"]),
        prep_time=v["prep_time"] or None,
        cook_time=v["cook_time"] or None,
        total_time=v["total_time"] or None,
        cuisine=v["cuisine"],
        tags=[t for t in v["tags"].split(",") if t.strip()],
        image_url=v["image_url"].strip() or None,
        origin_place=v["origin_place"],
        origin_region=v["origin_region"],
        storytellers=v["storytellers"],
        story=v["story"],
        credit_text=v["credit_text"],
        based_on_id=_optional_int(v["based_on_id"]),
        reach="community" if v["reach"] == "community" else "public",
        labels=v["labels"],
        season_start=_optional_int(v["season_start"]),
        season_end=_optional_int(v["season_end"]),
        lineage=parse_lineage(v["lineage"]),
    )


def recipe_form_values(recipe: Recipe) -> dict[str, Any]:
    """A stored recipe as editor form values."""
    values: dict[str, Any] = {
        k: getattr(recipe, k) or ""
        for k in TEXT_FIELDS
        if k not in {"tags", "ingredients", "steps"}
    }
    values.update(
        tags=", ".join(t.tag for t in recipe.tags),
        ingredients="\n".join(i.line for i in recipe.ingredients),
        steps=sections_text(recipe.steps),
        lineage=lineage_values(recipe),
        labels=list(recipe.labels),
    )
    return values


def oral_history_from_form(form: FormData) -> OralHistoryIn:
    """The recording's details and consent record from the form."""
    fields = (
        "title",
        "narrator",
        "recorded_by",
        "recorded_on",
        "transcript",
        "consent_by",
        "consent_scope",
        "consent_on",
    )
    try:
        return OralHistoryIn(**{k: str(form.get(k, "")).strip() for k in fields})
    except ValueError as exc:
        raise Invalid(
            "Record who recorded it, who consented, to what, and when: consent is required.",
            field="consent_by",
        ) from exc


def translation_from_form(form: FormData) -> TranslationIn:
    """A translation from its form; a missing language or name is Invalid."""
    values = {k: str(form.get(k, "")) for k in ("language", "name", "description", "story")}
    try:
        return TranslationIn(
            language=values["language"].strip(),
            name=values["name"].strip(),
            description=values["description"],
            story=values["story"],
            ingredients=[x for x in str(form.get("ingredients", "")).splitlines() if x.strip()],
            sections=parse_sections(str(form.get("steps", ""))),
            translated_by=str(form.get("translated_by", "")).strip(),
        )
    except ValueError as exc:
        raise Invalid(
            "Give the translation a language code (e.g. en, es) and a name.", field="language"
        ) from exc
