"""Notification use cases: the inbox, preferences, unsubscribing, and fanning a notice out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.db import utcnow
from commonpot.errors import Invalid, NotFound
from commonpot.notifications.kinds import CHANNELS, KINDS
from commonpot.notifications.models import Notification, NotificationPreference

UNSUBSCRIBE_SALT = "commonpot.unsubscribe"
_T = TypeVar("_T")


def inbox(session: Session, viewer: Viewer, *, limit: int = 50) -> list[Notification]:
    """The viewer's notifications, newest first."""
    user = viewer.require_user()
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def unread_count(session: Session, viewer: Viewer) -> int:
    """How many of the viewer's notifications are unread (0 for visitors)."""
    if viewer.user_id is None:
        return 0
    query = select(func.count(Notification.id)).where(
        Notification.user_id == viewer.user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def mark_read(session: Session, viewer: Viewer, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) read; how many changed."""
    user = viewer.require_user()
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        if session.get(Notification, notification_id) is None:
            raise NotFound("No such notification.")
        query = query.where(Notification.id == notification_id)
    result = session.execute(query.values(read_at=utcnow()))
    changed: int = result.rowcount  # type: ignore[attr-defined]
    if notification_id is not None and changed == 0:
        found = session.get(Notification, notification_id)
        if found is None or found.user_id != user.id:
            raise NotFound("No such notification.")
    return changed


def preferences(session: Session, user_id: int) -> dict[str, str]:
    """The person's channel for every kind (their choice, else the kind's default)."""
    chosen = dict(
        session.execute(
            select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {name: chosen.get(name, kind.default) for name, kind in KINDS.items()}


def set_preferences(session: Session, viewer: Viewer, choices: dict[str, str]) -> dict[str, str]:
    """Change how the viewer hears about some kinds; Invalid names the bad field."""
    user = viewer.require_user()
    for kind, channel in choices.items():
        if kind not in KINDS:
            raise Invalid("%(kind)s: no such kind of notification", field=kind, kind=kind)
        if channel not in CHANNELS:
            raise Invalid(
                "%(kind)s: must be one of %(channels)s",
                field=kind,
                kind=kind,
                channels=", ".join(CHANNELS),
            )
    for kind, channel in choices.items():
        _set(session, user.id, kind, channel)
    session.flush()
    return preferences(session, user.id)


def _set(session: Session, user_id: int, kind: str, channel: str) -> None:
    found = session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    if found is None:
        session.add(NotificationPreference(user_id=user_id, kind=kind, channel=channel))
    else:
        found.channel = channel


def unsubscribe_token(secret: str, user_id: int, kind: str) -> str:
    """A signed token that turns one kind off for one person, no sign-in needed."""
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps([user_id, kind])


def read_unsubscribe(secret: str, token: str) -> tuple[int, str]:
    """Who and what an unsubscribe token is for; NotFound when it was tampered with."""
    try:
        user_id, kind = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise NotFound("This unsubscribe link is not valid.") from exc
    if not isinstance(user_id, int) or kind not in KINDS:
        raise NotFound("This unsubscribe link is not valid.")
    return user_id, kind


def unsubscribe(session: Session, secret: str, token: str) -> tuple[int, str]:
    """Turn the token's kind off for its person."""
    user_id, kind = read_unsubscribe(secret, token)
    _set(session, user_id, kind, "off")
    session.flush()
    return user_id, kind


def fan_out(
    session: Session,
    kind: str,
    user_ids: Iterable[int],
    params: dict[str, Any],
    *,
    url: str = "",
    community_id: int | None = None,
) -> list[int]:
    """Record a notice for every recipient by their preference; the ids to e-mail now."""
    recipients = sorted(set(user_ids))
    if not recipients:
        return []
    default = KINDS[kind].default
    chosen: dict[int, str] = {}
    for chunk in _chunks(recipients, 1000):
        chosen.update(
            session.execute(
                select(NotificationPreference.user_id, NotificationPreference.channel).where(
                    NotificationPreference.kind == kind,
                    NotificationPreference.user_id.in_(chunk),
                )
            ).all()
        )
    now = utcnow()
    rows = []
    for user_id in recipients:
        channel = chosen.get(user_id, default)
        if channel == "off":
            continue
        rows.append(
            {
                "user_id": user_id,
                "community_id": community_id,
                "kind": kind,
                "params": params,
                "url": url,
                "created_at": now,
                "channel": channel,
            }
        )
    # only the e-mailed rows' ids are needed: the rest go in without RETURNING (a plain
    # executemany, several times faster for a big community on PostgreSQL)
    quiet = [row for row in rows if row["channel"] != "email"]
    loud = [row for row in rows if row["channel"] == "email"]
    for batch in _chunks(quiet, 5000):
        session.execute(insert(Notification), list(batch))
    if not loud:
        return []
    return list(
        session.scalars(
            insert(Notification).returning(Notification.id, sort_by_parameter_order=True), loud
        )
    )


def pending_digest(session: Session) -> dict[int, list[Notification]]:
    """Digest notifications not yet e-mailed, by person."""
    found: dict[int, list[Notification]] = {}
    query = (
        select(Notification)
        .where(Notification.channel == "digest", Notification.emailed_at.is_(None))
        .order_by(Notification.user_id, Notification.id)
    )
    for item in session.scalars(query):
        found.setdefault(item.user_id, []).append(item)
    return found


def _chunks(items: Sequence[_T], size: int) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
