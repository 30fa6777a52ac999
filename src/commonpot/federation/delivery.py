"""Delivery: turn queued activities into one signed POST per inbox, retried with back-off.

`deliver(session, fed)` is one pass (fan out, then send what is due); the CLI runs it
(`commonpot federation deliver`) and the every-minute job (`federation.jobs`) run it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commonpot import experiences
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.federation.client import FetchError
from commonpot.federation.handles import domain_of
from commonpot.federation.instance import Fed
from commonpot.federation.models import Activity, Delivery, DomainBlock, Follower, Published
from commonpot.federation.outbox import kept_announcement
from commonpot.federation.sharing import (
    event_document,
    gathering_document,
    recipe_document,
    shareable_event,
    shareable_gathering,
    shareable_recipe,
)
from commonpot.federation.signatures import sign_cavage
from commonpot.federation.vocab import activity, tombstone

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)
KEEP = timedelta(days=14)
BATCH = 1000
WORKERS = 8


@dataclass
class Report:
    """What one delivery pass did."""

    fanned_out: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts` (1 min, 2, 4 ... at most 6 h)."""
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY)


def _change_document(session: Session, fed: Fed, row: Activity) -> dict[str, Any] | None:
    community = session.get(Community, row.community_id) if row.community_id else None
    if community is None or row.local_id is None:
        return None
    marker = session.scalar(
        select(Published).where(
            Published.community_id == community.id,
            Published.kind == row.kind,
            Published.local_id == row.local_id,
        )
    )
    current: Any = None
    if row.verb == "change" and community.is_public:
        if row.kind == "recipe":
            current = shareable_recipe(session, community, row.local_id)
        elif row.kind == "gathering":
            current = shareable_gathering(session, community, row.local_id)
        else:
            current = shareable_event(session, community, row.local_id)
    actor = fed.urls.actor(community.slug)
    activity_id = fed.urls.activity(row.id)
    if current is not None:
        if row.kind == "recipe":
            obj = recipe_document(session, fed, community, current)
        elif row.kind == "gathering":
            obj = gathering_document(session, fed, community, current)
        else:
            obj = event_document(fed, community, current)
        if marker is None:
            session.add(Published(community_id=community.id, kind=row.kind, local_id=row.local_id))
        return activity("Create" if marker is None else "Update", activity_id, actor, obj)
    if marker is None:
        return None  # never left the instance: nothing to take back
    session.delete(marker)
    url = {"recipe": fed.urls.recipe, "gathering": fed.urls.gathering}.get(row.kind, fed.urls.event)
    former = "Article" if row.kind == "recipe" else "Event"
    return activity(
        "Delete", activity_id, actor, tombstone(url(community.slug, row.local_id), former, utcnow())
    )


def _inboxes(session: Session, community_id: int) -> list[str]:
    blocked = set(
        session.scalars(
            select(DomainBlock.domain).where(
                (DomainBlock.community_id.is_(None)) | (DomainBlock.community_id == community_id)
            )
        )
    )
    rows = session.execute(
        select(Follower.inbox, Follower.shared_inbox, Follower.domain).where(
            Follower.community_id == community_id, Follower.state == "accepted"
        )
    )
    return sorted({shared or inbox for inbox, shared, domain in rows if domain not in blocked})


def fan_out(session: Session, fed: Fed) -> int:
    """Turn queued activities into deliveries, once per shared inbox; returns how many."""
    count = 0
    pending = session.scalars(
        select(Activity).where(Activity.fanned_out.is_(False)).order_by(Activity.id).limit(BATCH)
    ).all()
    seen: set[tuple[int | None, str, int | None, str]] = set()
    for row in pending:
        row.fanned_out = True
        if row.document is None:
            key = (row.community_id, row.kind, row.local_id, row.verb)
            if key in seen:  # one activity per object per pass: built from its current state
                continue
            seen.add(key)
            row.document = _change_document(session, fed, row)
            if row.document is None:
                continue
            row.verb = str(row.document["type"])
        if row.target_inbox:
            inboxes = [row.target_inbox]
        elif row.community_id is not None:
            inboxes = _inboxes(session, row.community_id)
        else:
            inboxes = []
        for inbox in inboxes:
            session.add(Delivery(activity_id=row.id, inbox=inbox))
            count += 1
    session.flush()
    return count


def _signed(
    fed: Fed, slugs: dict[int, str], row: Activity, inbox: str, now: datetime
) -> tuple[bytes, dict[str, str]]:
    slug = slugs.get(row.community_id) if row.community_id is not None else None
    key_id, key = fed.key_for(slug)
    body = json.dumps(row.document, separators=(",", ":")).encode("utf-8")
    headers = {"content-type": "application/activity+json"}
    headers.update(sign_cavage("POST", inbox, body, key_id, key, now))
    return body, headers


def _post(fed: Fed, slugs: dict[int, str], row: Activity, inbox: str) -> tuple[int, str]:
    try:
        body, headers = _signed(fed, slugs, row, inbox, utcnow())
        status = fed.client.post(inbox, body, headers)
    except FetchError as exc:
        return 0, str(exc)[:300]
    return status, "" if 200 <= status < 300 else f"answered {status}"


def deliver_due(
    session: Session, fed: Fed, *, limit: int = BATCH, workers: int = WORKERS
) -> Report:
    """Send the deliveries that are due; retry failures later, give up on old ones."""
    report = Report()
    now = utcnow()
    due = session.scalars(
        select(Delivery)
        .where(Delivery.state == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    ).all()
    if not due:
        return report
    acts = {
        a.id: a
        for a in session.scalars(
            select(Activity).where(Activity.id.in_({d.activity_id for d in due}))
        )
    }
    slugs: dict[int, str] = {
        row[0]: row[1] for row in session.execute(select(Community.id, Community.slug))
    }
    blocked = set(
        session.scalars(select(DomainBlock.domain).where(DomainBlock.community_id.is_(None)))
    )

    def send(row: Delivery) -> tuple[int, str]:
        if domain_of(row.inbox) in blocked:
            return -1, "blocked"
        return _post(fed, slugs, acts[row.activity_id], row.inbox)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(send, due))
    for row, (status, error) in zip(due, results, strict=True):
        _record(row, status, error, now, report)
    session.flush()
    return report


def _record(row: Delivery, status: int, error: str, now: datetime, report: Report) -> None:
    row.attempts += 1
    row.last_error = error
    if 200 <= status < 300:
        row.state = "done"
        report.delivered += 1
        return
    permanent = status == -1 or (400 <= status < 500 and status not in {401, 408, 429})
    if permanent or now - row.created_at >= GIVE_UP_AFTER:
        row.state = "failed"
        report.failed += 1
        return
    row.next_attempt_at = now + backoff(row.attempts)
    report.retrying += 1


def deliver(session: Session, fed: Fed, *, limit: int = BATCH, workers: int = WORKERS) -> Report:
    """One pass: fan out queued activities, then send what is due, then forget old work."""
    fanned = fan_out(session, fed)
    report = deliver_due(session, fed, limit=limit, workers=workers)
    report.fanned_out = fanned
    prune(session, utcnow())
    return report


def prune(session: Session, now: datetime) -> None:
    """Drop finished deliveries and sent activities older than KEEP (the log stays small),
    except the announcements of existing gatherings, which the outbox lists as delivered."""
    cutoff = now - KEEP
    session.execute(
        delete(Delivery).where(Delivery.state != "pending", Delivery.created_at < cutoff)
    )
    pending = select(Delivery.activity_id).where(Delivery.state == "pending")
    session.execute(
        delete(Activity).where(
            Activity.fanned_out.is_(True),
            Activity.created_at < cutoff,
            Activity.id.not_in(pending),
            ~kept_announcement(),
        )
    )


def queue_changes(session: Session, changes: Iterable[tuple[str, int, int, str]]) -> None:
    """Queue changes of recipes, events and gatherings (kind, community id, local id,
    change|delete); whether each may leave is decided when the activity is built."""
    for kind, community_id, local_id, verb in changes:
        community = session.get(Community, community_id)
        if community is None or not community.is_public:
            continue
        session.add(Activity(community_id=community_id, verb=verb, kind=kind, local_id=local_id))
        if kind == "recipe":
            # a recipe that may no longer leave takes its announced gatherings back with it
            announced = session.scalars(
                select(Published.local_id).where(
                    Published.community_id == community_id,
                    Published.kind == "gathering",
                    Published.local_id.in_(
                        select(experiences.Gathering.id).where(
                            experiences.Gathering.community_id == community_id,
                            experiences.Gathering.recipe_id == local_id,
                        )
                    ),
                )
            ).all()
            for gathering_id in announced:
                session.add(
                    Activity(
                        community_id=community_id,
                        verb="change",
                        kind="gathering",
                        local_id=gathering_id,
                    )
                )
