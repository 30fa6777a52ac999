"""Heritage use cases: oral history recordings with consent, protocol notices, heritage export."""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community, require_member
from commonpot.errors import Forbidden, Invalid, NotFound, PayloadTooLarge
from commonpot.recipes.audio import probe
from commonpot.recipes.data import Heritage, RecipeData, Section, Step
from commonpot.recipes.data import LineagePerson as LineageData
from commonpot.recipes.listening import audible
from commonpot.recipes.models import OralHistory, Recipe
from commonpot.recipes.protocols import conditions_text, label, protocol_labels
from commonpot.recipes.read_cache import refresh_view_cache
from commonpot.recipes.schemas import OralHistoryIn
from commonpot.recipes.service import access, get_recipe, may_edit
from commonpot.words import ENGLISH, Words, said

# audio types a browser can play, by the bytes a file of that type starts with
AUDIO_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "audio/mpeg": (".mp3", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "audio/ogg": (".ogg", (b"OggS",)),
    "audio/wav": (".wav", (b"RIFF",)),
    "audio/webm": (".webm", (b"\x1a\x45\xdf\xa3",)),
    "audio/mp4": (".m4a", (b"ftyp",)),
    "audio/flac": (".flac", (b"fLaC",)),
}


def N_(message: str) -> str:  # noqa: N802 (the gettext name for marked strings)
    """Mark a message for extraction; it is translated where it is shown."""
    return message


MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip


IMAGE_TYPES: dict[str, tuple[str, bytes]] = {
    "image/jpeg": (".jpg", b"\xff\xd8\xff"),
    "image/png": (".png", b"\x89PNG\r\n\x1a\n"),
    "image/gif": (".gif", b"GIF8"),
}


def sniff_image(content: bytes) -> str | None:
    """The image type of a photo from its first bytes (JPEG, PNG, GIF, WebP), else None."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return next((t for t, (_e, magic) in IMAGE_TYPES.items() if content.startswith(magic)), None)


def photo_dir(data_dir: Path) -> Path:
    """Where recipe photos are kept (served through an access check, like recordings)."""
    return data_dir / "recipes" / "photos"


def set_photo(
    session: Session,
    community: Community,
    viewer: Viewer,
    recipe_id: int,
    content: bytes,
    *,
    data_dir: Path,
    max_bytes: int,
) -> Recipe:
    """Give a recipe its photo (the recipe's editors); the old file is replaced."""
    require_member(session, community, viewer)
    recipe = get_recipe(session, community, viewer, recipe_id)
    if not may_edit(access(session, community, viewer), recipe):
        raise Forbidden("Only the recipe's author, a steward or a custodian can change its photo.")
    if len(content) > max_bytes:
        raise PayloadTooLarge("The photo is over %(mb)s MB.", mb=max_bytes // (1024 * 1024))
    media_type = sniff_image(content)
    if media_type is None:
        raise Invalid("That file is not a photo we can show (JPEG, PNG, GIF, WebP).", field="photo")
    folder = photo_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    extension = IMAGE_TYPES.get(media_type, (".webp", b""))[0]
    name = secrets.token_hex(16) + extension
    (folder / name).write_bytes(content)
    if recipe.photo_file:
        (folder / recipe.photo_file).unlink(missing_ok=True)
    recipe.photo_file, recipe.photo_type = name, media_type
    session.flush()
    return recipe


def photo_for(
    session: Session, community: Community, viewer: Viewer, recipe_id: int, data_dir: Path
) -> tuple[Path, str]:
    """The photo file of a recipe the viewer may see, with its media type."""
    recipe = get_recipe(session, community, viewer, recipe_id)
    if not recipe.photo_file or not recipe.photo_type:
        raise NotFound("This recipe has no photo.")
    path = photo_dir(data_dir) / recipe.photo_file
    if not path.is_file():
        raise NotFound("The photo's file is missing.")
    return path, recipe.photo_type


def audio_dir(data_dir: Path) -> Path:
    """Where recordings are kept (outside the static folder: every play is access-checked)."""
    return data_dir / "recipes" / "audio"


def audio_seconds(path: Path) -> float | None:
    """How long a stored recording lasts, decoded from its own headers (any accepted format);
    None when the file is missing or unreadable. Kept per file version (path, size, time)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _audio_seconds(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _audio_seconds(path: str, _size: int, _mtime_ns: int) -> float | None:
    try:
        return probe(Path(path).read_bytes()).seconds
    except (OSError, Invalid):
        return None


def sniff_audio(content: bytes) -> str | None:
    """The audio type of a recording from its first bytes, or None when it is not audio."""
    for media_type, (_ext, magics) in AUDIO_TYPES.items():
        head = content[4:12] if media_type == "audio/mp4" else content[:4]
        if any(head.startswith(m) or (media_type == "audio/mp4" and m in head) for m in magics):
            return media_type
    return None


def add_oral_history(
    session: Session,
    community: Community,
    viewer: Viewer,
    recipe_id: int,
    data: OralHistoryIn,
    *,
    audio: bytes | None,
    data_dir: Path,
    max_bytes: int,
) -> OralHistory:
    """Attach a recorded story (the recipe's editors); the teller's consent must be recorded."""
    require_member(session, community, viewer)
    recipe = get_recipe(session, community, viewer, recipe_id)
    if not may_edit(access(session, community, viewer), recipe):
        raise Forbidden("Only the recipe's author, a steward or a custodian can add recordings.")
    if not audio and not data.transcript.strip():
        raise Invalid("Attach an audio file or write the transcript.", field="audio")
    item = OralHistory(
        community_id=community.id,
        recipe_id=recipe.id,
        created_by_id=viewer.user_id,
        **{k: v.strip() for k, v in data.model_dump().items()},
    )
    if audio:
        if len(audio) > max_bytes:
            raise PayloadTooLarge("The recording is over %(mb)s MB.", mb=max_bytes // (1024 * 1024))
        # the header is decoded and the duration read: a renamed file or a lying header is refused
        found = probe(audio)
        folder = audio_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + found.extension
        (folder / name).write_bytes(audio)
        item.audio_file, item.audio_type = name, found.media_type
    recipe.oral_histories.append(item)
    refresh_view_cache(session, recipe)
    session.flush()
    return item


def audio_for(
    session: Session,
    community: Community,
    viewer: Viewer,
    recipe_id: int,
    history_id: int,
    data_dir: Path,
) -> tuple[Path, str]:
    """The audio file of a recording the viewer may hear, with its media type."""
    recipe = get_recipe(session, community, viewer, recipe_id)
    item = next((h for h in recipe.oral_histories if h.id == history_id), None)
    if item is None or not item.audio_file or not item.audio_type:
        raise NotFound("No such recording.")
    if item.id not in audible(session, community, viewer, [item.id]):
        raise NotFound("No such recording.")  # the teller's consent does not cover this viewer
    path = audio_dir(data_dir) / item.audio_file
    if not path.is_file():
        raise NotFound("The recording's file is missing.")
    return path, item.audio_type


def season_text(recipe: Recipe, words: Words = ENGLISH) -> str | None:
    """ "May to August" for a seasonal recipe (in the reader's `words`), else None."""
    if recipe.season_start is None or recipe.season_end is None:
        return None
    return words.gettext("%(start)s to %(end)s") % {
        "start": words.gettext(MONTHS[recipe.season_start - 1]),
        "end": words.gettext(MONTHS[recipe.season_end - 1]),
    }


# the one lineage relation the software writes itself (federation's adaptations, in English
# before their adopter's language was stored); any other relation is the teller's own words
ORIGIN_RELATION = "Community of origin"


def relation_words(relation: str, words: Words = ENGLISH) -> str:
    """A lineage relation as the reader reads it: the software's own phrase in the reader's
    language, a relation people wrote as they wrote it."""
    return words.gettext(ORIGIN_RELATION) if relation == ORIGIN_RELATION else relation


def notices(recipe: Recipe, community: Community, words: Words = ENGLISH) -> list[str]:
    """What must be shown with the recipe on every view and export: attribution, protocol.

    Worded with the reader's `words` (English by default).
    """
    out: list[str] = []
    codes = set(recipe.labels)
    credit = recipe.credit_text or recipe.storytellers
    if credit:
        out.append(
            words.gettext("Attribution: %(credit)s (%(community)s).")
            % {"credit": credit, "community": community.name}
        )
    if "TK CS" in codes:
        out.append(
            words.gettext(
                "Culturally sensitive: read with respect; ask before sharing or cooking it for "
                "others."
            )
        )
    if "TK SS" in codes:
        out.append(words.gettext("Secret / sacred: kept within the community by its custodians."))
    if "TK NC" in codes or "BC NC" in codes:
        out.append(
            words.gettext("Non-commercial: not to be sold, or used in a business, without consent.")
        )
    season = season_text(recipe, words)
    if season:
        out.append(
            words.gettext("Seasonal: shared and cooked from %(season)s.") % {"season": season}
        )
    if recipe.reach == "community":
        out.append(
            words.gettext("Community only: for members of %(community)s.")
            % {"community": community.name}
        )
    return out


def recipe_data(
    recipe: Recipe, community: Community, url: str | None = None, words: Words = ENGLISH
) -> RecipeData:
    """The recipe as plain data for JSON-LD export, heritage and protocol included.

    Its conditions of access are in the reader's `words` (English for files).
    """
    sections: list[Step | Section] = []
    for section in recipe.steps:
        steps = tuple(Step(text=s) for s in section.get("steps", []))
        if section.get("name"):
            sections.append(Section(name=section["name"], steps=steps))
        else:
            sections.extend(steps)
    if any(isinstance(s, Section) for s in sections):
        sections = [s if isinstance(s, Section) else Section(None, (s,)) for s in sections]
    codes = list(recipe.labels)
    labels = protocol_labels(codes)
    usage = labels[0].url if labels else None
    heritage = Heritage(
        is_based_on=f"{url.rsplit('/', 1)[0]}/{recipe.based_on_id}"
        if url and recipe.based_on_id
        else None,
        credit_text=recipe.credit_text or recipe.storytellers or None,
        conditions_of_access=conditions_text(codes, community.name, words)
        or (
            said("Community only: members of %(community)s.", community=community.name).words(words)
            if recipe.reach == "community"
            else None
        ),
        usage_info=usage,
        community=community.name,
        lineage=tuple(
            LineageData(
                name=p.name,
                relation=p.relation or None,
                place=p.place or None,
                period=p.period or None,
                note=p.note or None,
            )
            for p in recipe.lineage
        ),
        labels=labels,
    )
    return RecipeData(
        name=recipe.name,
        ingredients=tuple(i.line for i in recipe.ingredients),
        instructions=tuple(sections),
        description=recipe.description or None,
        recipe_yield=recipe.recipe_yield or (str(recipe.servings) if recipe.servings else None),
        prep_time=recipe.prep_time,
        cook_time=recipe.cook_time,
        total_time=recipe.total_time,
        cuisine=recipe.cuisine or None,
        keywords=", ".join(t.tag for t in recipe.tags) or None,
        authors=tuple(n.strip() for n in recipe.storytellers.split(",") if n.strip()),
        image=f"{url}/photo" if url and recipe.photo_file else recipe.image_url,
        url=url,
        in_language=recipe.language,
        heritage=heritage,
    )


def label_details(recipe: Recipe) -> list[dict[str, str]]:
    """The recipe's labels with their names and Local Contexts pages."""
    return [
        {"code": label(c).code, "name": label(c).name, "url": label(c).url} for c in recipe.labels
    ]
