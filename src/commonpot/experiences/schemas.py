"""Experience inputs and outputs: the scene's data, recordings' timing and consent, chapters."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from commonpot.experiences.models import Listeners


class CueIn(BaseModel):
    """A timed segment of a recording's transcript."""

    model_config = ConfigDict(extra="forbid")

    start_s: float = Field(ge=0, le=3 * 3600)
    end_s: float = Field(gt=0, le=3 * 3600)
    text: str = Field(min_length=1, max_length=2000)


class VoiceIn(BaseModel):
    """Who may hear a recording in experiences (the teller's consent) and its timed transcript."""

    model_config = ConfigDict(extra="forbid")

    listeners: Listeners = Listeners.MEMBERS
    cues: list[CueIn] = Field(default_factory=list, max_length=500)


class ChapterIn(BaseModel):
    """One arranged chapter: steps grouped, story text, a stretch of a recording."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=10000)
    steps: list[int] = Field(default_factory=list, max_length=200)
    generation: int | None = Field(default=None, ge=1, le=50)
    focus: Literal["hearth", "table", "lineage"] | None = None
    recording_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    start_s: float | None = Field(default=None, ge=0, le=3 * 3600)
    end_s: float | None = Field(default=None, gt=0, le=3 * 3600)


class ChaptersIn(BaseModel):
    """A recipe's arranged chapters, in order; an empty list returns to the default."""

    model_config = ConfigDict(extra="forbid")

    chapters: list[ChapterIn] = Field(default_factory=list, max_length=100)


class RecipeRef(BaseModel):
    """The recipe an experience tells."""

    id: int
    name: str
    url: str


class AudioOut(BaseModel):
    """The stretch of a recording a chapter plays."""

    url: str
    start_s: float
    end_s: float | None


class ChapterOut(BaseModel):
    """One chapter as the scene draws it."""

    title: str
    text: str
    steps: list[str]
    audio: AudioOut | None
    captions: str | None
    focus: str
    ingredients: list[int]
    generation: int | None
    recording_id: int | None


class IngredientOut(BaseModel):
    """An ingredient on the table."""

    line: str
    food: str


class GenerationOut(BaseModel):
    """A person on the path of generations."""

    name: str
    generation: int
    relation: str
    place: str
    period: str


class RecordingOut(BaseModel):
    """A recording: who tells it, its transcript, and whether its voice plays for this viewer."""

    id: int
    title: str
    narrator: str
    transcript: str
    playable: bool
    captions: str


class ExperienceOut(BaseModel):
    """Everything the scene needs, and the address of its accessible twin."""

    recipe: RecipeRef
    chapters: list[ChapterOut]
    ingredients: list[IngredientOut]
    lineage: list[GenerationOut]
    recordings: list[RecordingOut]
    photo: str | None
    notices: list[str]
    sensitive: bool
    text_url: str


class VoiceOut(BaseModel):
    """A recording's experience settings as stored."""

    recording_id: int
    listeners: Listeners
    cues: list[CueIn]


class LeadIn(BaseModel):
    """Where the host of a gathering is (the voice's position in seconds of its recording)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    chapter: int = Field(ge=0, le=1000)
    audio_s: float = Field(default=0.0, ge=0, le=3 * 3600)
    playing: bool = False


class PresenceIn(BaseModel):
    """An open page in a gathering, saying it is still there."""

    model_config = ConfigDict(extra="forbid")

    client: str = Field(min_length=1, max_length=64)
    chapter: int = Field(default=0, ge=0, le=1000)
    guest_pass: str | None = Field(default=None, max_length=1000)


class PresenceOut(BaseModel):
    """Who is present: how many pages, the vouched guests, the anonymous ones."""

    count: int
    guests: list[str] = Field(default_factory=list)
    anonymous: int = 0
