"""Turn a raw schema.org Recipe node (from JSON-LD or microdata) into `RecipeData`."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from commonpot.errors import Invalid
from commonpot.recipes.data import (
    Heritage,
    LineagePerson,
    ProtocolLabel,
    RecipeData,
    Section,
    Step,
)
from commonpot.recipes.durations import normalise_duration

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/li|/div|/h\d)\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
# "1. Preheat", "2) Stir", "Step 3: Bake" -- but never "10-15 minutes" or "1.5 kg"
_STEP_NUMBER = re.compile(
    r"^\s*(?:step\s*\d{1,2}\s*[.):-]?|\d{1,2}\s*[.)])\s+(?=\S)", re.IGNORECASE
)


def clean_text(value: Any) -> str:
    """Strip tags, unescape entities (twice-escaped too) and collapse whitespace to one line."""
    return " ".join(clean_lines(value))


def clean_lines(value: Any) -> list[str]:
    """Like `clean_text` but keep line breaks (from newlines or <br>/<p>) as separate lines."""
    if value is None:
        return []
    text = value if isinstance(value, str) else str(value)
    text = html.unescape(html.unescape(text)) if "&" in text else text
    text = _TAG.sub(" ", _BREAK.sub("\n", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def as_list(value: Any) -> list[Any]:
    """Flatten nested lists; wrap a single value; drop None."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        return [value]
    out: list[Any] = []
    for item in value:
        out.extend(as_list(item))
    return out


def types_of(node: dict[str, Any]) -> set[str]:
    """Return the bare type names of a node: "schema:Recipe" and full IRIs become "Recipe"."""
    names = set()
    for item in as_list(node.get("@type")):
        if isinstance(item, str):
            names.add(item.rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1])
    return names


def _first_text(value: Any, *keys: str) -> str | None:
    for item in as_list(value):
        if isinstance(item, dict):
            for key in keys:
                found = _first_text(item.get(key), *keys)
                if found:
                    return found
        else:
            text = clean_text(item)
            if text:
                return text
    return None


def _joined(value: Any) -> str | None:
    parts: list[str] = []
    for item in as_list(value):
        text = _first_text(item, "name")
        if text:
            parts.extend(p.strip() for p in text.split(",") if p.strip())
    unique = list(dict.fromkeys(parts))
    return ", ".join(unique) if unique else None


def _image(value: Any, base_url: str | None) -> str | None:
    url = _first_text(value, "url", "contentUrl", "@id")
    if url is None:
        return None
    return urljoin(base_url, url) if base_url else url


def _authors(value: Any) -> tuple[str, ...]:
    names: list[str] = []
    for item in as_list(value):
        name = _first_text(item, "name", "alternateName")
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _recipe_yield(value: Any) -> str | None:
    items = [clean_text(v) for v in as_list(value) if not isinstance(v, dict)]
    items = [i for i in items if i]
    if not items:
        return None
    for item in items:
        if not re.fullmatch(r"[\d.,\s]+", item):
            return item
    return items[0]


def _ingredients(node: dict[str, Any]) -> tuple[str, ...]:
    raw = node.get("recipeIngredient")
    if raw is None:
        raw = node.get("ingredients")
    lines: list[str] = []
    for item in as_list(raw):
        if isinstance(item, dict):
            text = _first_text(item, "text", "name")
            if text:
                lines.append(text)
        else:
            lines.extend(clean_lines(item))
    return tuple(lines)


def _steps_from_text(value: Any) -> Iterator[Step]:
    for line in clean_lines(value):
        text = _STEP_NUMBER.sub("", line).strip()
        if text:
            yield Step(text=text)


def _steps(value: Any) -> Iterator[Step | Section]:
    for item in as_list(value):
        if not isinstance(item, dict):
            yield from _steps_from_text(item)
            continue
        kinds = types_of(item)
        children = item.get("itemListElement")
        if "HowToSection" in kinds or ("ItemList" in kinds and item.get("name")):
            flat = [s for part in _steps(children) for s in _flatten(part)]
            if flat:
                yield Section(name=clean_text(item.get("name")) or None, steps=tuple(flat))
        elif children is not None and not item.get("text"):
            yield from _steps(children)
        else:
            text = clean_text(item.get("text")) or clean_text(item.get("name"))
            name = clean_text(item.get("name")) or None
            if text:
                text = _STEP_NUMBER.sub("", text).strip()
                yield Step(text=text, name=name if name and name != text else None)


def _flatten(item: Step | Section) -> tuple[Step, ...]:
    return item.steps if isinstance(item, Section) else (item,)


def _instructions(value: Any) -> tuple[Step | Section, ...]:
    items = list(_steps(value))
    if not any(isinstance(i, Section) for i in items):
        return tuple(items)
    # a mix of loose steps and sections: loose runs become unnamed sections
    out: list[Step | Section] = []
    loose: list[Step] = []
    for item in items:
        if isinstance(item, Section):
            if loose:
                out.append(Section(name=None, steps=tuple(loose)))
                loose = []
            out.append(item)
        else:
            loose.append(item)
    if loose:
        out.append(Section(name=None, steps=tuple(loose)))
    return tuple(out)


def _nutrition(value: Any) -> dict[str, str]:
    node = next((v for v in as_list(value) if isinstance(v, dict)), None)
    if node is None:
        return {}
    out: dict[str, str] = {}
    for key, raw in node.items():
        if key.startswith("@") or isinstance(raw, dict | list):
            continue
        text = clean_text(raw)
        if text:
            out[key] = text
    return out


def _heritage(node: dict[str, Any]) -> Heritage | None:
    lineage = tuple(
        LineagePerson(
            name=clean_text(p.get("name")),
            relation=clean_text(p.get("commonpot:relation")) or None,
            place=clean_text(p.get("commonpot:place")) or None,
            period=clean_text(p.get("commonpot:period")) or None,
            note=clean_text(p.get("description")) or None,
        )
        for p in as_list(node.get("commonpot:lineage"))
        if isinstance(p, dict) and clean_text(p.get("name"))
    )
    labels = tuple(
        ProtocolLabel(
            code=clean_text(lab.get("commonpot:code")),
            name=clean_text(lab.get("name")),
            url=clean_text(lab.get("url")) or None,
        )
        for lab in as_list(node.get("commonpot:protocolLabels"))
        if isinstance(lab, dict) and clean_text(lab.get("commonpot:code"))
    )
    heritage = Heritage(
        is_based_on=_first_text(node.get("isBasedOn"), "url", "@id", "name"),
        credit_text=clean_text(node.get("creditText")) or None,
        conditions_of_access=clean_text(node.get("conditionsOfAccess")) or None,
        usage_info=_first_text(node.get("usageInfo"), "url", "@id"),
        community=_first_text(node.get("commonpot:community"), "name"),
        lineage=lineage,
        labels=labels,
    )
    return None if heritage == Heritage() else heritage


def recipe_from_node(node: dict[str, Any], *, base_url: str | None = None) -> RecipeData:
    """Normalise one schema.org Recipe node; a node without a name is `Invalid`."""
    name = _first_text(node.get("name")) or _first_text(node.get("headline"))
    if not name:
        raise Invalid("the recipe has no name", field="name")
    url = _first_text(node.get("url"), "@id")
    return RecipeData(
        name=name,
        ingredients=_ingredients(node),
        instructions=_instructions(node.get("recipeInstructions")),
        description=clean_text(node.get("description")) or None,
        recipe_yield=_recipe_yield(node.get("recipeYield") or node.get("yield")),
        prep_time=normalise_duration(_first_text(node.get("prepTime"))),
        cook_time=normalise_duration(_first_text(node.get("cookTime"))),
        total_time=normalise_duration(_first_text(node.get("totalTime"))),
        cuisine=_joined(node.get("recipeCuisine")),
        category=_joined(node.get("recipeCategory")),
        keywords=_joined(node.get("keywords")),
        authors=_authors(node.get("author")),
        image=_image(node.get("image") or node.get("thumbnailUrl"), base_url),
        url=urljoin(base_url, url) if url and base_url else url,
        in_language=_first_text(node.get("inLanguage"), "alternateName", "name"),
        nutrition=_nutrition(node.get("nutrition")),
        heritage=_heritage(node),
    )
