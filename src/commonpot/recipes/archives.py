"""Recipe manager export archives (Mealie, Tandoor, or zips of JSON-LD) read into `RecipeData`."""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from typing import Any

from commonpot.errors import Invalid, PayloadTooLarge, Worded
from commonpot.parsing import loads_json
from commonpot.recipes.data import RecipeData, Step
from commonpot.recipes.durations import normalise_duration
from commonpot.recipes.jsonld import recipes_in_documents, sentence_of
from commonpot.recipes.normalise import clean_text

# Limits across every level of an archive together. Nesting: a Tandoor export is a zip of
# zips (one per recipe), so one level of inner archives is read; anything deeper is refused.
MAX_MEMBERS = 5000
MAX_UNPACKED = 64 * 1024 * 1024
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_NESTED = 500
MAX_DEPTH = 1
_CHUNK = 64 * 1024
_READ = (".zip", ".json", ".jsonld")
_DRIVE = re.compile(r"^[A-Za-z]:")


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


class _Budget:
    """What is left to read across every level of an archive: entries and unpacked bytes."""

    def __init__(self) -> None:
        self.entries = MAX_MEMBERS
        self.unpacked = MAX_UNPACKED
        self.archives = MAX_NESTED

    def take_entries(self, count: int) -> None:
        self.entries -= count
        if self.entries < 0:
            raise PayloadTooLarge("the archive holds more than %(num)s files", num=MAX_MEMBERS)

    def take_bytes(self, count: int) -> None:
        self.unpacked -= count
        if self.unpacked < 0:
            raise PayloadTooLarge(
                "the archive unpacks to more than %(mb)s MB", mb=MAX_UNPACKED // 2**20
            )


def _unsafe_name(info: zipfile.ZipInfo) -> Worded | None:
    """Why an entry's name or kind may not be read (absolute, `..`, a link, encrypted)."""
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    shown = {"name": repr(name[:200])}
    if "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return Worded("the archive holds an absolute path: %(name)s", shown)
    if ".." in parts:
        return Worded("the archive holds a path that climbs out of the archive: %(name)s", shown)
    if stat.S_ISLNK(info.external_attr >> 16):
        return Worded("the archive holds a symbolic link: %(name)s", shown)
    if info.flag_bits & 0x1:
        return Worded("the archive holds an encrypted file: %(name)s", shown)
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    """The entry's bytes, counted as they are unpacked (the header's sizes are not trusted)."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            budget.take_bytes(len(chunk))
            if size > MAX_MEMBER_BYTES:
                raise PayloadTooLarge(
                    "%(name)s in the archive unpacks to more than %(mb)s MB",
                    name=info.filename,
                    mb=MAX_MEMBER_BYTES // 2**20,
                )
            chunks.append(chunk)
    return b"".join(chunks)


def _open(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise Invalid("the archive is not a readable zip file", field="file") from exc


def _walk(content: bytes, depth: int, budget: _Budget) -> list[RecipeData]:
    archive = _open(content)
    members = [m for m in archive.infolist() if not m.is_dir()]
    budget.take_entries(len(members))
    for member in archive.infolist():  # every name is checked before anything is read
        reason = _unsafe_name(member)
        if reason:
            raise Invalid(reason, field="file")
    wanted = [m for m in members if m.filename.lower().endswith(_READ)]
    if sum(m.file_size for m in wanted) > budget.unpacked:  # a cheap early no; reads still count
        raise PayloadTooLarge(
            "the archive unpacks to more than %(mb)s MB", mb=MAX_UNPACKED // 2**20
        )
    found: list[RecipeData] = []
    for member in members:
        name = member.filename.lower()
        if name.endswith(".zip"):
            if depth >= MAX_DEPTH:
                raise Invalid(
                    "%(name)s is an archive inside an archive inside an "
                    "archive; only one level of nesting (a Tandoor export) is read",
                    field="file",
                    name=member.filename[:200],
                )
            budget.archives -= 1
            if budget.archives < 0:
                raise PayloadTooLarge(
                    "the archive holds more than %(num)s archives", num=MAX_NESTED
                )
            found.extend(_walk(_read_member(archive, member, budget), depth + 1, budget))
        elif name.endswith((".json", ".jsonld")):
            data = _read_member(archive, member, budget)
            try:
                doc = loads_json(data, limit=MAX_UNPACKED)
            except Invalid as exc:
                raise Invalid(
                    "%(name)s in the archive is not valid JSON (%(problem)s)",
                    field="file",
                    name=member.filename[:200],
                    problem=sentence_of(exc.detail),
                ) from exc
            found.extend(r for r in _from_json(doc) if r.name)
    return found


def recipes_from_archive(content: bytes, depth: int = 0) -> list[RecipeData]:
    """Every recipe in a zip of Mealie or Tandoor exports or JSON-LD files (one nested level).

    Limits hold across all levels together: entries, unpacked bytes (counted while
    unpacking), bytes per file and inner archives. Only `.json`, `.jsonld` and `.zip`
    entries are unpacked; a damaged archive (bad CRC, truncated) is `Invalid`.
    """
    try:
        return _walk(content, depth, _Budget())
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ) as exc:
        raise Invalid(
            "the archive is damaged: %(problem)s", field="file", problem=str(exc)[:200]
        ) from exc
    except OSError as exc:
        raise Invalid("the archive is damaged", field="file") from exc
