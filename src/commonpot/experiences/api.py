"""Experiences JSON API: a recipe's scene data, recordings' voices, arranged chapters."""

from __future__ import annotations

from fastapi import Request

from commonpot.communities.scope import CommunityScope, Here
from commonpot.experiences import service
from commonpot.experiences.schemas import (
    AudioOut,
    ChapterOut,
    ChaptersIn,
    CueIn,
    ExperienceOut,
    GenerationOut,
    IngredientOut,
    RecipeRef,
    RecordingOut,
    VoiceIn,
    VoiceOut,
)
from commonpot.experiences.service import Experience
from commonpot.http import api_router_for
from commonpot.params import Id
from commonpot.templating import reader, reader_locale, translations_for

router = api_router_for("experiences")
RECIPE = "/communities/{slug}/recipes/{recipe_id}"
RECORDING = "/communities/{slug}/recordings/{recording_id}"


def gettext(request: Request, message: str) -> str:
    """A message in the reader's language."""
    return str(translations_for(reader_locale(request)).gettext(message))


def chapter_labels(request: Request) -> dict[str, str]:
    """The default chapters' titles in the reader's language."""
    return {
        "step": gettext(request, "Step {n}"),
        "lineage": gettext(request, "The generations"),
    }


def read_experience(request: Request, here: Here, recipe_id: int) -> Experience:
    """The recipe's experience as the request's viewer may see it, in the reader's words."""
    return service.experience(
        here.session,
        here.community,
        here.viewer,
        recipe_id,
        chapter_labels(request),
        reader(request),
    )


def experience_out(found: Experience, slug: str) -> ExperienceOut:
    """The scene's data: chapters with their audio and captions, table, path, recordings."""
    recipe = found.recipe
    base = f"/communities/{slug}/recipes/{recipe.id}"
    recording = f"/communities/{slug}/recordings"
    voices = {v.id: v for v in found.source.voices}
    chapters = []
    for chapter in found.story.chapters:
        audio = captions = None
        if chapter.recording_id is not None:
            audio = AudioOut(
                url=f"{recording}/{chapter.recording_id}/audio",
                start_s=chapter.start_s or 0.0,
                end_s=chapter.end_s,
            )
            captions = f"{recording}/{chapter.recording_id}/captions.vtt"
        chapters.append(
            ChapterOut(
                title=chapter.title,
                text=chapter.text,
                steps=list(chapter.steps),
                audio=audio,
                captions=captions,
                focus=chapter.focus,
                ingredients=list(chapter.ingredients),
                generation=chapter.generation,
                recording_id=chapter.recording_id,
            )
        )
    return ExperienceOut(
        recipe=RecipeRef(id=recipe.id, name=recipe.name, url=base),
        chapters=chapters,
        ingredients=[IngredientOut(line=i.line, food=i.food) for i in found.source.ingredients],
        lineage=[
            GenerationOut(
                name=p.name,
                generation=p.generation,
                relation=p.relation,
                place=p.place,
                period=p.period,
            )
            for p in found.source.lineage
        ],
        recordings=[
            RecordingOut(
                id=v.id,
                title=v.title,
                narrator=v.narrator,
                transcript=v.transcript,
                playable=voices[v.id].playable,
                captions=f"{recording}/{v.id}/captions.vtt",
            )
            for v in found.source.voices
        ],
        photo=f"{base}/photo" if recipe.photo_file else None,
        notices=list(found.notices),
        sensitive=found.sensitive,
        text_url=f"{base}/experience/text",
    )


@router.get(RECIPE + "/experience", response_model=ExperienceOut)
def get_experience(recipe_id: Id, request: Request, here: CommunityScope) -> ExperienceOut:
    """A recipe's experience: chapters, ingredients, lineage, recordings (as the recipe is seen)."""
    found = read_experience(request, here, recipe_id)
    return experience_out(found, here.community.slug)


@router.put(RECIPE + "/experience/chapters", response_model=ExperienceOut)
def arrange_chapters(
    recipe_id: Id, body: ChaptersIn, request: Request, here: CommunityScope
) -> ExperienceOut:
    """Arrange the chapters by hand (stewards, custodians); an empty list restores the default."""
    service.arrange(here.session, here.community, here.viewer, recipe_id, body)
    found = read_experience(request, here, recipe_id)
    return experience_out(found, here.community.slug)


def _voice_out(recording_id: int, listeners: str, cues: tuple[object, ...]) -> VoiceOut:
    return VoiceOut.model_validate(
        {"recording_id": recording_id, "listeners": listeners, "cues": [vars(c) for c in cues]}
    )


@router.get(RECORDING + "/voice", response_model=VoiceOut)
def get_voice(recording_id: Id, here: CommunityScope) -> VoiceOut:
    """Who may hear a recording in experiences and its timed transcript."""
    return _voice_out(*service.voice_of(here.session, here.community, here.viewer, recording_id))


@router.put(RECORDING + "/voice", response_model=VoiceOut)
def set_voice(recording_id: Id, body: VoiceIn, here: CommunityScope) -> VoiceOut:
    """Set who may hear a recording (the teller's consent) and time its transcript (keepers)."""
    voice = service.set_voice(here.session, here.community, here.viewer, recording_id, body)
    return VoiceOut(
        recording_id=voice.recording_id,
        listeners=voice.listeners,
        cues=[CueIn(**c) for c in voice.cues],
    )
