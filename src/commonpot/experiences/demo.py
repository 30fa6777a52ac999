"""Demo experiences: the pozole tells its four generations in Rosa's voice, with captions.

Rosa is a demo character, so her recording is a stand-in: her transcript spoken by a speech
synthesiser (`demo_voice/telling.ogg`, made by scripts/make-demo-voice.sh), with each
sentence a timed caption. Every other demo recipe gets its default experience.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import recipes
from commonpot.accounts import Viewer
from commonpot.experiences import service
from commonpot.experiences.models import Listeners
from commonpot.experiences.schemas import ChapterIn, ChaptersIn, CueIn, VoiceIn
from commonpot.words import said

if TYPE_CHECKING:
    from commonpot.demo import DemoContext

VOICE = Path(__file__).with_name("demo_voice") / "telling.ogg"
# (start, end, sentence) in VOICE (printed by scripts/make-demo-voice.sh, which makes it)
TELLING: tuple[tuple[float, float, str], ...] = (
    (0.0, 5.58, "This pozole has fed our family for four generations."),
    (
        5.58,
        13.62,
        "My grandmother Carmen made it in Chilapa, in a clay pot big enough for a child.",
    ),
    (13.62, 20.05, "I learned it watching her hands, and I carried it to Riverside."),
    (20.05, 26.37, "My son Tomás made it his own, green, with tomatillo."),
    (26.37, 32.15, "Now Lina cooks it with me, and writes it all down."),
    (32.15, 39.09, "Listen to the pot: when the bubbles get lazy, the meat is ready."),
)


def load(session: Session, ctx: DemoContext) -> None:
    """Give the pozole its voiced, arranged experience (the other recipes keep the default)."""
    riverside = ctx.communities["riverside"]
    rosa = Viewer(user=ctx.users["rosa"])
    pozole = session.scalar(
        select(recipes.Recipe.id).where(
            recipes.Recipe.community_id == riverside.id,
            recipes.Recipe.name == "Pozole rojo de la abuela Carmen",
        )
    )
    if pozole is None:
        return
    audio = VOICE.read_bytes() if ctx.data_dir is not None else None
    recording = recipes.add_oral_history(
        session,
        riverside,
        rosa,
        pozole,
        recipes.OralHistoryIn(
            title="Four generations of pozole",
            narrator="Rosa Delgado",
            recorded_by="Lina Delgado",
            recorded_on="2025-12-21",
            transcript=" ".join(text for _s, _e, text in TELLING),
            consent_by="Rosa Delgado",
            consent_scope="Anyone who may see the recipe may listen in its experience.",
            consent_on="2025-12-21",
        ),
        audio=audio,
        data_dir=ctx.data_dir or Path("/nonexistent"),
        max_bytes=10 * 1024 * 1024,
    )
    service.set_voice(
        session,
        riverside,
        rosa,
        recording.id,
        VoiceIn(
            listeners=Listeners.ANYONE,
            cues=[CueIn(start_s=s, end_s=e, text=t) for s, e, t in TELLING],
        ),
    )
    people = [("Carmen Ruiz", 1), ("Rosa Delgado", 2), ("Tomás Delgado", 3), ("Lina Delgado", 4)]
    chapters = [
        ChapterIn(
            title="Pozole rojo de la abuela Carmen",
            text="Caldo de maíz cacahuazintle y cerdo con chile guajillo, para Nochebuena.",
            recording_id=recording.id,
            start_s=TELLING[0][0],
            end_s=TELLING[0][1],
        )
    ]
    for (name, generation), (start, end, text) in zip(people, TELLING[1:5], strict=True):
        chapters.append(
            ChapterIn(
                title=name,
                text=text,
                generation=generation,
                recording_id=recording.id,
                start_s=start,
                end_s=end,
            )
        )
    chapters += [
        ChapterIn(
            title="El caldo",
            steps=[1, 2],
            recording_id=recording.id,
            start_s=TELLING[5][0],
            end_s=TELLING[5][1],
        ),
        ChapterIn(title="El chile", steps=[3, 4, 5]),
    ]
    service.arrange(session, riverside, rosa, pozole, ChaptersIn(chapters=chapters))
    ctx.notes.append(
        said(
            "experiences: every recipe has one (…/recipes/<id>/experience and "
            "/experience/text); the pozole is told by Rosa in four generations"
        )
    )
