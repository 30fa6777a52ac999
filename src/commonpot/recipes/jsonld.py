"""Find a schema.org Recipe in an HTML page or JSON-LD file, and write recipes back as JSON-LD."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from commonpot.errors import Invalid, PayloadTooLarge, Worded
from commonpot.parsing import loads_json
from commonpot.recipes.data import Heritage, RecipeData, Section, Step
from commonpot.recipes.normalise import recipe_from_node, types_of

MAX_INPUT_BYTES = 5 * 1024 * 1024
SCHEMA = "https://schema.org"
COMMONPOT_NS = "https://w3id.org/commonpot/ns#"
EXPORT_CONTEXT: list[Any] = [SCHEMA, {"commonpot": COMMONPOT_NS}]

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_LD_TYPE = re.compile(r"""type\s*=\s*["']?\s*application/ld\+json""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def sentence_of(detail: str) -> Worded:
    """An error's detail as a sentence inside another: a page words it in the reader's language."""
    return detail if isinstance(detail, Worded) else Worded(detail, {})


def decode(content: bytes | str) -> str:
    """Decode a page: BOM or UTF-8 first, then the page's own meta charset, then Windows-1252."""
    if isinstance(content, str):
        return content
    if len(content) > MAX_INPUT_BYTES:
        raise PayloadTooLarge(
            "the file is %(size)s bytes; recipes are read up to %(limit)s bytes",
            size=len(content),
            limit=MAX_INPUT_BYTES,
        )
    if b"\x00" in content[:4096]:
        raise Invalid("the file is binary, not an HTML page or JSON-LD file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(content[:4096])
    if meta:
        try:
            return content.decode(meta.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return content.decode("cp1252", errors="replace")


def _load_json(text: str) -> Any:
    try:
        return loads_json(text, strict=False, limit=MAX_INPUT_BYTES)
    except Invalid:
        repaired = _TRAILING_COMMA.sub(r"\1", _WRAPPERS.sub("", text.strip()))
        return loads_json(repaired, strict=False, limit=MAX_INPUT_BYTES)


def script_blocks(page: str) -> Iterator[str]:
    """Yield the text of each `<script type="application/ld+json">` block, in page order."""
    for match in _SCRIPT.finditer(page):
        if _LD_TYPE.search(match.group(1)):
            yield match.group(2)


def _index(value: Any, index: dict[str, dict[str, Any]]) -> None:
    if isinstance(value, list):
        for item in value:
            _index(item, index)
    elif isinstance(value, dict):
        node_id = value.get("@id")
        if isinstance(node_id, str) and len(value) > 1:
            index.setdefault(node_id, value)
        for item in value.values():
            _index(item, index)


def _resolve(value: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> Any:
    """Replace `{"@id": ...}` references by the nodes they name, a few levels deep."""
    if depth > 4:
        return value
    if isinstance(value, list):
        return [_resolve(v, index, depth + 1) for v in value]
    if isinstance(value, dict):
        ref = value.get("@id")
        if len(value) == 1 and isinstance(ref, str) and ref in index:
            value = index[ref]
        return {k: _resolve(v, index, depth + 1) for k, v in value.items()}
    return value


def _recipe_nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _recipe_nodes(item)
    elif isinstance(value, dict):
        if "Recipe" in types_of(value) or "recipe" in {t.lower() for t in types_of(value)}:
            yield value
            return
        for item in value.values():
            yield from _recipe_nodes(item)


def recipes_in_documents(documents: list[Any], base_url: str | None = None) -> list[RecipeData]:
    """Normalise every Recipe found in parsed JSON-LD documents (`@graph`, nesting, `@id` refs)."""
    index: dict[str, dict[str, Any]] = {}
    _index(documents, index)
    found: list[RecipeData] = []
    seen: set[int] = set()
    for node in _recipe_nodes(documents):
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.append(recipe_from_node(_resolve(node, index), base_url=base_url))
    return found


def _microdata(page: str, base_url: str | None) -> list[Any]:
    import extruct
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(page)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise Invalid("the HTML could not be read: %(problem)s", problem=str(exc)) from exc
    data = extruct.extract(
        tree, base_url=base_url, syntaxes=["microdata"], uniform=True, errors="ignore"
    )
    return list(data.get("microdata", []))


def extract_recipes(content: bytes | str, *, base_url: str | None = None) -> list[RecipeData]:
    """Return every recipe in an HTML page or JSON-LD file; JSON-LD first, microdata otherwise."""
    if isinstance(content, str) and len(content) > MAX_INPUT_BYTES:
        raise PayloadTooLarge(
            "the file has %(size)s characters; the limit is %(limit)s",
            size=len(content),
            limit=MAX_INPUT_BYTES,
        )
    text = decode(content).lstrip("\ufeff \t\r\n")
    if not text:
        raise Invalid("the file is empty")
    if text[0] in "[{":
        try:
            document = loads_json(text, strict=False, limit=MAX_INPUT_BYTES)
        except Invalid as exc:
            raise Invalid(
                "the JSON-LD file is not valid JSON (%(problem)s)", problem=sentence_of(exc.detail)
            ) from exc
        return recipes_in_documents([document], base_url)
    if "<" not in text:
        raise Invalid("the file is neither an HTML page nor a JSON-LD file")
    documents: list[Any] = []
    broken: str | None = None
    for block in script_blocks(text):
        try:
            documents.append(_load_json(block))
        except Invalid as exc:
            broken = broken or exc.detail
    recipes = recipes_in_documents(documents, base_url)
    if not recipes:
        recipes = recipes_in_documents(_microdata(text, base_url), base_url)
    if not recipes and broken:
        raise Invalid(
            "no recipe found: a JSON-LD block is not valid JSON (%(problem)s)",
            problem=sentence_of(broken),
        )
    return recipes


def extract_recipe(content: bytes | str, *, base_url: str | None = None) -> RecipeData:
    """Return the first recipe of a page or JSON-LD file; no recipe is `Invalid`."""
    recipes = extract_recipes(content, base_url=base_url)
    if not recipes:
        raise Invalid("no schema.org Recipe found in the page (neither JSON-LD nor microdata)")
    return recipes[0]


def _step(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "HowToStep", "text": step.text}
    if step.name:
        out["name"] = step.name
    return out


def _instructions(items: tuple[Step | Section, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Step):
            out.append(_step(item))
            continue
        section: dict[str, Any] = {"@type": "HowToSection"}
        if item.name:
            section["name"] = item.name
        section["itemListElement"] = [_step(s) for s in item.steps]
        out.append(section)
    return out


def _heritage(heritage: Heritage) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if heritage.is_based_on:
        out["isBasedOn"] = heritage.is_based_on
    if heritage.credit_text:
        out["creditText"] = heritage.credit_text
    if heritage.conditions_of_access:
        out["conditionsOfAccess"] = heritage.conditions_of_access
    if heritage.usage_info:
        out["usageInfo"] = heritage.usage_info
    if heritage.community:
        out["commonpot:community"] = {"@type": "Organization", "name": heritage.community}
    if heritage.lineage:
        people = []
        for p in heritage.lineage:
            person: dict[str, Any] = {"@type": "Person", "name": p.name}
            for key, value in (
                ("commonpot:relation", p.relation),
                ("commonpot:place", p.place),
                ("commonpot:period", p.period),
                ("description", p.note),
            ):
                if value:
                    person[key] = value
            people.append(person)
        out["commonpot:lineage"] = people
    if heritage.labels:
        out["commonpot:protocolLabels"] = [
            {"@type": "commonpot:ProtocolLabel", "commonpot:code": lab.code, "name": lab.name}
            | ({"url": lab.url} if lab.url else {})
            for lab in heritage.labels
        ]
    return out


def to_jsonld(recipe: RecipeData) -> dict[str, Any]:
    """Write a recipe as schema.org JSON-LD; heritage goes in standard terms and `commonpot:`."""
    out: dict[str, Any] = {
        "@context": EXPORT_CONTEXT if recipe.heritage else SCHEMA,
        "@type": "Recipe",
        "name": recipe.name,
    }
    optional: list[tuple[str, Any]] = [
        ("description", recipe.description),
        ("author", [{"@type": "Person", "name": a} for a in recipe.authors]),
        ("image", recipe.image),
        ("url", recipe.url),
        ("inLanguage", recipe.in_language),
        ("recipeYield", recipe.recipe_yield),
        ("prepTime", recipe.prep_time),
        ("cookTime", recipe.cook_time),
        ("totalTime", recipe.total_time),
        ("recipeCuisine", recipe.cuisine),
        ("recipeCategory", recipe.category),
        ("keywords", recipe.keywords),
    ]
    out.update((k, v) for k, v in optional if v)
    out["recipeIngredient"] = list(recipe.ingredients)
    out["recipeInstructions"] = _instructions(recipe.instructions)
    if recipe.nutrition:
        out["nutrition"] = {"@type": "NutritionInformation", **recipe.nutrition}
    if recipe.heritage:
        out.update(_heritage(recipe.heritage))
    return out


def parse_recipe(content: bytes | str, *, base_url: str | None = None) -> dict[str, Any]:
    """Read a page or JSON-LD file and return its first recipe as normalised JSON-LD."""
    return to_jsonld(extract_recipe(content, base_url=base_url))
