"""Gatherings: the live, shared version of an experience (use cases, no web framework).

A steward or custodian opens a gathering for a recipe (optionally attached to an event);
whoever may see the recipe may join. The host's chapter and voice position go out on the
bus (`gathering:<id>`) after commit, and everyone present follows; each open page reports
itself every few seconds, and the count of recently seen pages is the presence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commonpot import events, recipes
from commonpot.accounts import Viewer
from commonpot.bus import queue_after_commit
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Forbidden, Invalid, NotFound
from commonpot.experiences.models import Gathering, GatheringPresence
from commonpot.tenancy import find_scoped

PRESENT_SECONDS = 15  # a page not heard from for this long has left
FORGET_AFTER = timedelta(minutes=10)  # presence rows older than this are deleted
LONGEST_VOICE_S = 3 * 3600.0  # a recording whose length is unknown is taken to last this long
GUEST_PASS_SALT = "experiences.gathering-guest"  # noqa: S105 - a salt
GUEST_PASS_SECONDS = 12 * 3600  # a vouched visitor's pass is good for this long
MAX_GUESTS_SHOWN = 50


def channel(gathering_id: int) -> str:
    """The bus channel of one gathering."""
    return f"gathering:{gathering_id}"


@dataclass(frozen=True)
class Lead:
    """Where the host is."""

    chapter: int
    audio_s: float
    playing: bool


@dataclass(frozen=True)
class ChapterVoice:
    """What one chapter may play to the host: its recording and that recording's length."""

    recording_id: int | None
    duration_s: float | None = None  # None: the length is not known (LONGEST_VOICE_S applies)


def position(gathering: Gathering, now: datetime) -> float:
    """Where the host's voice is now: the last report, moved on by the time since if playing."""
    if not gathering.playing:
        return gathering.audio_s
    elapsed = max(0.0, (now - gathering.led_at).total_seconds())
    return min(gathering.audio_s + elapsed, LONGEST_VOICE_S)


def _check_lead(where: Lead, voices: Sequence[ChapterVoice]) -> ChapterVoice:
    if not 0 <= where.chapter < max(len(voices), 1):
        raise Invalid("There is no such chapter.", field="chapter")
    voice = voices[where.chapter] if voices else ChapterVoice(None)
    if not math.isfinite(where.audio_s) or where.audio_s < 0:
        raise Invalid("The voice's position must be a number of seconds from 0.", field="audio_s")
    if voice.recording_id is None:
        if where.playing or where.audio_s > 0:
            raise Invalid("This chapter has no voice to play.", field="audio_s")
        return voice
    longest = voice.duration_s if voice.duration_s is not None else LONGEST_VOICE_S
    if where.audio_s > longest:
        raise Invalid(
            "The voice's position is past the end of the recording (%(length)s s).",
            field="audio_s",
            length=round(float(longest), 1),
        )
    return voice


@dataclass(frozen=True)
class Presence:
    """Who is in a gathering now: how many pages, the vouched guests, the anonymous ones."""

    count: int
    guests: tuple[str, ...] = ()  # visitors from other instances, as their community vouched
    anonymous: int = 0  # pages of nobody signed in here and vouched for by no one


def guest_pass(secret: str, gathering_id: int, label: str) -> str:
    """A pass naming a visitor whom another instance's community vouched for (signed here)."""
    return str(URLSafeTimedSerializer(secret, salt=GUEST_PASS_SALT).dumps([gathering_id, label]))


def guest_of(secret: str, gathering_id: int, token: str | None) -> str | None:
    """The visitor a pass names, if it is this gathering's, signed here and not expired."""
    if not token:
        return None
    try:
        found = URLSafeTimedSerializer(secret, salt=GUEST_PASS_SALT).loads(
            token, max_age=GUEST_PASS_SECONDS
        )
    except BadSignature:
        return None
    if (
        not isinstance(found, list)
        or len(found) != 2
        or found[0] != gathering_id
        or not isinstance(found[1], str)
    ):
        return None
    return found[1][:300] or None


def get_gathering(
    session: Session, community: Community, viewer: Viewer, gathering_id: int
) -> Gathering:
    """A gathering whose recipe the viewer may see (NotFound otherwise, as for a missing one)."""
    found = find_scoped(session, Gathering, gathering_id, community.id)
    if found is None:
        raise NotFound("No gathering %(id)s here.", id=str(gathering_id))
    try:
        recipes.get_recipe(session, community, viewer, found.recipe_id)
    except NotFound:
        raise NotFound("No gathering %(id)s here.", id=str(gathering_id)) from None
    return found


def open_gathering(
    session: Session,
    community: Community,
    viewer: Viewer,
    recipe_id: int,
    *,
    title: str,
    event_id: int | None = None,
    starts_at: datetime | None = None,
) -> Gathering:
    """Open a gathering for a recipe's experience (stewards and custodians lead them)."""
    recipe = recipes.get_recipe(session, community, viewer, recipe_id)
    if not recipes.access(session, community, viewer).keeper or viewer.user_id is None:
        raise Forbidden("Only the community's stewards and custodians can open a gathering.")
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise Invalid("Give the gathering a title (at most 200 characters).", field="title")
    if event_id is not None and find_scoped(session, events.Event, event_id, community.id) is None:
        raise Invalid("No event %(id)s in this community.", field="event_id", id=str(event_id))
    gathering = Gathering(
        community_id=community.id,
        recipe_id=recipe.id,
        host_id=viewer.user_id,
        event_id=event_id,
        title=title,
        starts_at=starts_at,
    )
    session.add(gathering)
    session.flush()
    return gathering


def lead(
    session: Session,
    community: Community,
    viewer: Viewer,
    gathering_id: int,
    where: Lead,
    voices: Sequence[ChapterVoice],
) -> Gathering:
    """The host moves on: store where they are and tell everyone present (after commit).

    `voices` are the chapters as the host sees them: only a recording the teller's consent
    lets the host hear is there, and the position must lie inside that recording. Each
    follower then plays it only if their own chapter holds the same recording (consent is
    checked again for every listener, by their own experience and by the audio path)."""
    gathering = get_gathering(session, community, viewer, gathering_id)
    if viewer.user_id is None or viewer.user_id != gathering.host_id:
        raise Forbidden("Only the host leads the gathering.")
    if not gathering.is_open:
        raise Invalid("This gathering has ended.", field="gathering")
    voice = _check_lead(where, voices)
    gathering.chapter, gathering.audio_s, gathering.playing = (
        where.chapter,
        where.audio_s,
        where.playing,
    )
    gathering.recording_id = voice.recording_id
    gathering.led_at = utcnow()
    session.flush()
    queue_after_commit(
        session,
        channel(gathering.id),
        {
            "type": "lead",
            "chapter": where.chapter,
            "recording_id": voice.recording_id,
            "audio_s": where.audio_s,
            "playing": where.playing,
        },
    )
    return gathering


def present(
    session: Session,
    community: Community,
    viewer: Viewer,
    gathering_id: int,
    client: str,
    chapter: int,
    guest: str | None = None,
) -> Presence:
    """Note that a page is in the gathering; returns (and tells everyone) who is.

    `guest` is a visitor another instance vouched for (the caller checked their pass); a
    page of someone signed in here is never taken for a guest."""
    gathering = get_gathering(session, community, viewer, gathering_id)
    client = client.strip()
    if not client or len(client) > 64 or not client.replace("-", "").isalnum():
        raise Invalid("The page's id must be 1 to 64 letters, digits or dashes.", field="client")
    now = utcnow()
    row = session.scalar(
        select(GatheringPresence).where(
            GatheringPresence.community_id == community.id,
            GatheringPresence.gathering_id == gathering.id,
            GatheringPresence.client == client,
        )
    )
    if row is None:
        row = GatheringPresence(community_id=community.id, gathering_id=gathering.id, client=client)
        session.add(row)
    row.user_id, row.chapter, row.seen_at = viewer.user_id, max(0, chapter), now
    row.guest = guest if viewer.user_id is None else None
    # pages that left long ago are forgotten as the others report (the periodic sweep
    # catches gatherings nobody reports to any more)
    session.execute(
        delete(GatheringPresence)
        .where(
            GatheringPresence.community_id == community.id,
            GatheringPresence.gathering_id == gathering.id,
            GatheringPresence.seen_at < now - FORGET_AFTER,
        )
        .execution_options(synchronize_session=False)
    )
    session.flush()
    here = presence(session, community, gathering.id, now)
    queue_after_commit(
        session,
        channel(gathering.id),
        {
            "type": "presence",
            "count": here.count,
            "guests": list(here.guests),
            "anonymous": here.anonymous,
        },
    )
    return here


def presence(session: Session, community: Community, gathering_id: int, now: datetime) -> Presence:
    """Who was seen in the gathering lately."""
    since = now - timedelta(seconds=PRESENT_SECONDS)
    rows = session.execute(
        select(GatheringPresence.user_id, GatheringPresence.guest).where(
            GatheringPresence.community_id == community.id,
            GatheringPresence.gathering_id == gathering_id,
            GatheringPresence.seen_at >= since,
        )
    ).all()
    guests = sorted({guest for user_id, guest in rows if user_id is None and guest})
    anonymous = sum(1 for user_id, guest in rows if user_id is None and not guest)
    return Presence(len(rows), tuple(guests[:MAX_GUESTS_SHOWN]), anonymous)


def forget_presence(session: Session, now: datetime | None = None) -> int:
    """Delete presence rows of pages gone for `FORGET_AFTER`, and all of closed gatherings'."""
    cutoff = (now or utcnow()) - FORGET_AFTER
    closed = select(Gathering.id).where(Gathering.is_open.is_(False))
    result = session.execute(
        delete(GatheringPresence)
        .where((GatheringPresence.seen_at < cutoff) | GatheringPresence.gathering_id.in_(closed))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def close(session: Session, community: Community, viewer: Viewer, gathering_id: int) -> None:
    """End a gathering (its host, or a steward or custodian)."""
    gathering = get_gathering(session, community, viewer, gathering_id)
    keeper = recipes.access(session, community, viewer).keeper
    if viewer.user_id != gathering.host_id and not keeper:
        raise Forbidden("Only the host, a steward or a custodian can end the gathering.")
    gathering.is_open = False
    session.flush()
    queue_after_commit(session, channel(gathering.id), {"type": "closed"})


def gatherings_for(session: Session, community: Community, recipe_id: int) -> list[Gathering]:
    """A recipe's open gatherings, newest first (the caller has checked the recipe is visible)."""
    return list(
        session.scalars(
            select(Gathering)
            .where(
                Gathering.community_id == community.id,
                Gathering.recipe_id == recipe_id,
                Gathering.is_open.is_(True),
            )
            .order_by(Gathering.id.desc())
        )
    )
