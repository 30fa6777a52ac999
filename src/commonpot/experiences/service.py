"""Experience use cases: a recipe's experience as the viewer may see it, recordings' voices
(consent to play, timed transcript), and chapters arranged by the recipe's keepers.

Every read starts from `recipes.get_recipe`, so an experience, its captions and its audio
answer exactly as the recipe does: NotFound to whoever may not see the recipe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from commonpot import recipes
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Forbidden, Invalid, NotFound
from commonpot.experiences import story
from commonpot.experiences.models import ExperienceChapter, Listeners, RecordingVoice
from commonpot.experiences.schemas import ChaptersIn, VoiceIn
from commonpot.tenancy import find_scoped
from commonpot.words import ENGLISH, Words


@dataclass(frozen=True)
class Experience:
    """A recipe's experience for one viewer: the recipe, its source data and its chapters."""

    recipe: recipes.Recipe
    source: story.Source
    story: story.Story
    notices: tuple[str, ...]
    sensitive: bool


def _voices(session: Session, community: Community, ids: list[int]) -> dict[int, RecordingVoice]:
    if not ids:
        return {}
    rows = session.scalars(
        select(RecordingVoice).where(
            RecordingVoice.community_id == community.id, RecordingVoice.recording_id.in_(ids)
        )
    )
    return {row.recording_id: row for row in rows}


def may_hear(member: bool, voice: RecordingVoice | None) -> bool:
    """Whether the teller's consent lets this viewer hear the recording (members by default)."""
    return _consents(member, voice.listeners if voice is not None else None)


def _consents(member: bool, listeners: str | None) -> bool:
    if listeners is None:
        listeners = Listeners.MEMBERS.value  # no consent recorded: members only
    if listeners == Listeners.ANYONE.value:
        return True
    return listeners == Listeners.MEMBERS.value and member


# every recipe page asks it: one statement object, built once per process
_LISTENERS = select(RecordingVoice.recording_id, RecordingVoice.listeners).where(
    RecordingVoice.community_id == bindparam("community_id"),
    RecordingVoice.recording_id.in_(bindparam("ids", expanding=True)),
)


def audible_recordings(
    session: Session, community: Community, viewer: Viewer, recording_ids: Sequence[int]
) -> set[int]:
    """Of these recordings, those the teller's consent lets this viewer hear (the same rule
    as the experience's audio path; the recipes domain asks through its listening gate)."""
    ids = list(recording_ids)
    if not ids:
        return set()
    member = recipes.access(session, community, viewer).member
    rows = session.execute(_LISTENERS, {"community_id": community.id, "ids": ids})
    listeners: dict[int, str] = {row[0]: row[1] for row in rows}
    return {i for i in ids if _consents(member, listeners.get(i))}


def _cues(item: recipes.OralHistory, voice: RecordingVoice | None) -> tuple[story.Cue, ...]:
    if voice is not None and voice.cues:
        return tuple(story.Cue(c["start_s"], c["end_s"], c["text"]) for c in voice.cues)
    return story.estimated_cues(item.transcript)


def experience(
    session: Session,
    community: Community,
    viewer: Viewer,
    recipe_id: int,
    labels: dict[str, str],
    words: Words = ENGLISH,
) -> Experience:
    """The recipe's experience as this viewer may see it (NotFound where the recipe is hidden);
    its notices in the reader's `words`."""
    recipe = recipes.get_recipe(session, community, viewer, recipe_id)
    member = recipes.access(session, community, viewer).member
    voices = _voices(session, community, [h.id for h in recipe.oral_histories])
    arranged = session.scalars(
        select(ExperienceChapter)
        .where(
            ExperienceChapter.community_id == community.id,
            ExperienceChapter.recipe_id == recipe.id,
        )
        .order_by(ExperienceChapter.position)
    )
    origin = ", ".join(x for x in (recipe.origin_place, recipe.origin_region) if x)
    source = story.Source(
        name=recipe.name,
        description=recipe.description,
        origin=origin,
        story=recipe.story,
        sections=tuple((s.get("name") or None, tuple(s.get("steps", []))) for s in recipe.steps),
        ingredients=tuple(story.Ingredient(i.line, i.food) for i in recipe.ingredients),
        lineage=tuple(
            story.Generation(
                p.name, p.generation, recipes.relation_words(p.relation, words), p.place, p.period
            )
            for p in recipe.lineage
        ),
        voices=tuple(
            story.Voice(
                id=h.id,
                title=h.title,
                narrator=h.narrator,
                transcript=h.transcript,
                playable=bool(h.audio_file) and may_hear(member, voices.get(h.id)),
                cues=_cues(h, voices.get(h.id)),
            )
            for h in recipe.oral_histories
        ),
        arranged=tuple(
            story.Arranged(
                title=c.title,
                text=c.text,
                steps=tuple(c.steps),
                generation=c.generation,
                focus=c.focus,
                recording_id=c.recording_id,
                start_s=c.start_s,
                end_s=c.end_s,
            )
            for c in arranged
        ),
    )
    return Experience(
        recipe=recipe,
        source=source,
        story=story.build(source, labels),
        notices=tuple(recipes.notices(recipe, community, words)),
        sensitive="TK CS" in recipe.labels,
    )


def _recording(
    session: Session, community: Community, viewer: Viewer, recording_id: int
) -> tuple[recipes.OralHistory, recipes.Recipe]:
    item = find_scoped(session, recipes.OralHistory, recording_id, community.id)
    if item is None:
        raise NotFound("No recording %(id)s here.", id=str(recording_id))
    try:
        recipe = recipes.get_recipe(session, community, viewer, item.recipe_id)
    except NotFound:
        raise NotFound("No recording %(id)s here.", id=str(recording_id)) from None
    return item, recipe


def recording_audio(
    session: Session, community: Community, viewer: Viewer, recording_id: int, data_dir: Path
) -> tuple[Path, str]:
    """A recording's audio file and type, for a viewer who may see its recipe and whom the
    teller's consent covers; NotFound otherwise, as for a missing recording."""
    item, _recipe = _recording(session, community, viewer, recording_id)
    member = recipes.access(session, community, viewer).member
    voice = _voices(session, community, [item.id]).get(item.id)
    if not item.audio_file or not item.audio_type or not may_hear(member, voice):
        raise NotFound("No recording %(id)s here.", id=str(recording_id))
    path = recipes.audio_dir(data_dir) / item.audio_file
    if not path.is_file():
        raise NotFound("No recording %(id)s here.", id=str(recording_id))
    return path, item.audio_type


def recording_durations(
    session: Session, community: Community, recording_ids: Sequence[int], data_dir: Path
) -> dict[int, float]:
    """How long the community's recordings last, decoded from each file's headers (any format
    an upload accepts); unreadable files are left out."""
    ids = sorted(set(recording_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(recipes.OralHistory.id, recipes.OralHistory.audio_file).where(
            recipes.OralHistory.community_id == community.id,
            recipes.OralHistory.id.in_(ids),
            recipes.OralHistory.audio_file.is_not(None),
        )
    )
    found: dict[int, float] = {}
    for recording_id, audio_file in rows:
        seconds = recipes.audio_seconds(recipes.audio_dir(data_dir) / str(audio_file))
        if seconds is not None:
            found[int(recording_id)] = seconds
    return found


def captions(session: Session, community: Community, viewer: Viewer, recording_id: int) -> str:
    """The recording's timed transcript as WebVTT (estimated timing where none was set)."""
    item, _recipe = _recording(session, community, viewer, recording_id)
    voice = _voices(session, community, [item.id]).get(item.id)
    return story.webvtt(_cues(item, voice), item.narrator)


def voice_of(
    session: Session, community: Community, viewer: Viewer, recording_id: int
) -> tuple[int, str, tuple[story.Cue, ...]]:
    """A recording's settings: id, who may hear it, its cues (stored or estimated)."""
    item, _recipe = _recording(session, community, viewer, recording_id)
    voice = _voices(session, community, [item.id]).get(item.id)
    listeners = voice.listeners if voice is not None else Listeners.MEMBERS.value
    return item.id, listeners, _cues(item, voice)


KeeperTask = Literal["set how a recording plays", "arrange an experience"]


def _require_keeper(
    session: Session, community: Community, viewer: Viewer, what: KeeperTask
) -> None:
    if recipes.access(session, community, viewer).keeper:
        return
    if what == "arrange an experience":
        raise Forbidden("Only the community's stewards and custodians can arrange an experience.")
    raise Forbidden("Only the community's stewards and custodians can set how a recording plays.")


def set_voice(
    session: Session, community: Community, viewer: Viewer, recording_id: int, data: VoiceIn
) -> RecordingVoice:
    """Record who may hear a recording in experiences and time its transcript (keepers)."""
    item, _recipe = _recording(session, community, viewer, recording_id)
    _require_keeper(session, community, viewer, "set how a recording plays")
    try:
        cues = story.check_cues([(c.start_s, c.end_s, c.text) for c in data.cues])
    except ValueError as exc:
        raise Invalid(
            "The timed transcript is not valid: %(problem)s.", field="cues", problem=str(exc)
        ) from None
    voice = _voices(session, community, [item.id]).get(item.id)
    if voice is None:
        voice = RecordingVoice(community_id=community.id, recording_id=item.id)
        session.add(voice)
    voice.listeners = data.listeners.value
    voice.cues = [{"start_s": c.start_s, "end_s": c.end_s, "text": c.text} for c in cues]
    voice.updated_by_id = viewer.user_id
    voice.updated_at = utcnow()
    session.flush()
    return voice


def arrange(
    session: Session, community: Community, viewer: Viewer, recipe_id: int, data: ChaptersIn
) -> int:
    """Replace a recipe's arranged chapters (keepers); an empty list returns to the default."""
    recipe = recipes.get_recipe(session, community, viewer, recipe_id)
    _require_keeper(session, community, viewer, "arrange an experience")
    steps = sum(len(s.get("steps", [])) for s in recipe.steps)
    recordings = {h.id for h in recipe.oral_histories}
    for number, chapter in enumerate(data.chapters, start=1):
        if any(not 1 <= n <= steps for n in chapter.steps):
            raise Invalid(
                "Chapter %(number)s names a step the recipe does not have.",
                field="steps",
                number=str(number),
            )
        if chapter.recording_id is not None and chapter.recording_id not in recordings:
            raise Invalid(
                "Chapter %(number)s names a recording of another recipe.",
                field="recording_id",
                number=str(number),
            )
        start, end = chapter.start_s, chapter.end_s
        if start is not None and end is not None and end <= start:
            raise Invalid(
                "Chapter %(number)s ends before it starts.", field="end_s", number=str(number)
            )
    session.execute(
        delete(ExperienceChapter).where(
            ExperienceChapter.community_id == community.id,
            ExperienceChapter.recipe_id == recipe.id,
        )
    )
    for position, chapter in enumerate(data.chapters):
        session.add(
            ExperienceChapter(
                community_id=community.id,
                recipe_id=recipe.id,
                position=position,
                title=chapter.title.strip(),
                text=chapter.text.strip(),
                steps=list(chapter.steps),
                generation=chapter.generation,
                focus=chapter.focus,
                recording_id=chapter.recording_id,
                start_s=chapter.start_s,
                end_s=chapter.end_s,
            )
        )
    session.flush()
    return len(data.chapters)


@dataclass(frozen=True)
class RecordingView:
    """A recording's page: the telling, who may hear it, its timing, and what the viewer may do."""

    item: recipes.OralHistory
    recipe: recipes.Recipe
    listeners: str
    cues: tuple[story.Cue, ...]
    timed: bool  # the cues were set by a keeper (else estimated from the transcript)
    playable: bool
    keeper: bool


def recording_view(
    session: Session, community: Community, viewer: Viewer, recording_id: int
) -> RecordingView:
    """What the recording page shows (NotFound where the recipe is hidden)."""
    item, recipe = _recording(session, community, viewer, recording_id)
    who = recipes.access(session, community, viewer)
    voice = _voices(session, community, [item.id]).get(item.id)
    return RecordingView(
        item=item,
        recipe=recipe,
        listeners=voice.listeners if voice is not None else Listeners.MEMBERS.value,
        cues=_cues(item, voice),
        timed=voice is not None and bool(voice.cues),
        playable=bool(item.audio_file) and may_hear(who.member, voice),
        keeper=who.keeper,
    )


def require_keeper(
    session: Session, community: Community, viewer: Viewer, what: KeeperTask
) -> None:
    """Forbidden unless the viewer is a steward or custodian of the community."""
    _require_keeper(session, community, viewer, what)
