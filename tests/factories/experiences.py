"""Factories for experiences: recipes with recordings in every position of the protocol matrix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from commonpot.accounts.service import Viewer
from commonpot.db import Database
from commonpot.recipes import heritage
from commonpot.recipes.schemas import OralHistoryIn
from tests.factories.recipes import RecipeWorld, make_recipe, make_recipe_world, wav_bytes


@dataclass
class ExperienceWorld:
    """A RecipeWorld plus a sensitive recipe and a recording with audio on each recipe."""

    rw: RecipeWorld
    sensitive_recipe: int
    public_recording: int
    community_recording: int
    private_recording: int


def _record(db: Database, community: object, user: object, recipe_id: int, tmp: Path) -> int:
    with db.unit_of_work() as s:
        item = heritage.add_oral_history(
            s,
            community,  # type: ignore[arg-type]
            Viewer(user=user),  # type: ignore[arg-type]
            recipe_id,
            OralHistoryIn(
                title="How it was made",
                narrator="Elder Ana",
                recorded_by="Custodian",
                transcript="First you wash the corn. Then you wait for the pot to sing!",
                consent_by="Elder Ana",
                consent_scope="members may listen",
                consent_on="2026-01-01",
            ),
            audio=wav_bytes(3.0),
            data_dir=tmp,
            max_bytes=10**7,
        )
        return item.id


def make_experience_world(db: Database, data_dir: Path) -> ExperienceWorld:
    """Recordings (with real WAV audio) on the public, community-only and private recipes."""
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        sensitive = make_recipe(
            s, w.public, w.custodian, name="Ceremony tamales", labels=["TK CS"]
        ).id
    return ExperienceWorld(
        rw=rw,
        sensitive_recipe=sensitive,
        public_recording=_record(db, w.public, w.member, rw.public_recipe, data_dir),
        community_recording=_record(db, w.public, w.custodian, rw.community_recipe, data_dir),
        private_recording=_record(db, w.private, w.private_member, rw.private_recipe, data_dir),
    )
