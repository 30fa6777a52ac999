"""Stored alert episodes: followed as readings arrive and by the periodic check, read by pages.

An episode opens once (it is stored, pushed to open pages and announced to the stewards
by the `AlertOpened` signal, which the notifications domain turns into notices), grows its
peak while it holds and closes when it clears. Writers of one device are serialised by the
device row lock (PostgreSQL) or by SQLite's single writer, so an episode never opens twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import signals
from commonpot.biotumblers import episodes, readings, verdicts
from commonpot.biotumblers.episodes import Episode
from commonpot.biotumblers.models import AlertEpisode, Batch, Biotumbler
from commonpot.biotumblers.models import Reading as ReadingRow
from commonpot.biotumblers.service import live_channel, lock_devices
from commonpot.biotumblers.signals import AlertOpened
from commonpot.bus import queue_after_commit
from commonpot.db import utcnow

# New readings of a device, and the time of the newest one stored before them.
Arrival = tuple[Biotumbler, Sequence[readings.Reading], datetime | None]


def max_gap(device: Biotumbler) -> timedelta:
    """How long the device may stay silent (its expected interval; the spec's 30 min default)."""
    return timedelta(seconds=device.expected_every_s or 1800)


def open_episodes(
    session: Session, device_ids: Sequence[int]
) -> dict[int, dict[tuple[str, str], AlertEpisode]]:
    """The open episodes of these devices, by device and (kind, level)."""
    found: dict[int, dict[tuple[str, str], AlertEpisode]] = {}
    if not device_ids:
        return found
    query = select(AlertEpisode).where(
        AlertEpisode.device_id.in_(sorted(set(device_ids))), AlertEpisode.ended_at.is_(None)
    )
    for row in session.scalars(query):
        found.setdefault(row.device_id, {})[(row.kind, row.level)] = row
    return found


def episode_json(device: Biotumbler, row: AlertEpisode) -> dict[str, Any]:
    """An episode as pages, the API and live streams show it (the spec's keys plus more)."""
    return {
        "device": device.device,
        "id": row.id,
        "kind": row.kind,
        "level": row.level,
        "from": readings.format_time(row.started_at),
        "to": None if row.ended_at is None else readings.format_time(row.ended_at),
        "peak": row.peak,
        "notified": row.notified,
    }


def _announce(
    session: Session, device: Biotumbler, row: AlertEpisode, *, notify: bool, live: bool
) -> None:
    if live:
        message = {"type": "biotumbler.alert", **episode_json(device, row)}
        queue_after_commit(session, live_channel(device.community_id), message)
    if notify and row.ended_at is None and not row.notified:
        row.notified = True
        signals.emit(
            session,
            AlertOpened(
                community_id=device.community_id,
                episode_id=row.id,
                device=device.device,
                device_name=device.name,
                kind=row.kind,
                level=row.level,
                since=readings.format_time(row.started_at),
                peak=row.peak,
            ),
        )


def _apply(
    session: Session,
    device: Biotumbler,
    changes: Sequence[Episode],
    stored: dict[tuple[str, str], AlertEpisode],
    *,
    notify: bool,
    live: bool,
) -> list[AlertEpisode]:
    touched: list[tuple[AlertEpisode, bool]] = []
    for change in changes:
        row = None if change.opened else stored.get(change.key)
        if row is None:
            row = AlertEpisode(
                community_id=device.community_id,
                device_id=device.id,
                kind=change.kind,
                level=change.level,
                started_at=change.start,
                ended_at=change.end,
                peak=change.peak,
            )
            session.add(row)
            news = change.end is None  # one that began and ended in the past is only recorded
        else:
            news = row.ended_at is None and change.end is not None  # it closed
            row.ended_at, row.peak = change.end, change.peak
        if row.ended_at is None:
            stored[change.key] = row
        else:
            stored.pop(change.key, None)
        touched.append((row, news))
    if touched:
        session.flush()
    for row, news in touched:
        if news:  # opened or closed: a worse peak alone tells nobody again
            _announce(session, device, row, notify=notify, live=live)
    return [row for row, _ in touched]


def follow(
    session: Session, arrivals: Sequence[Arrival], *, notify: bool = True, live: bool = True
) -> list[AlertEpisode]:
    """Open, worsen and close episodes for newly stored readings (one query for all devices)."""
    fresh = [
        (device, [r for r in new if before is None or r.t > before], before)
        for device, new, before in arrivals
    ]
    fresh = [item for item in fresh if item[1]]
    if not fresh:
        return []
    stored = open_episodes(session, [device.id for device, _, _ in fresh])
    touched: list[AlertEpisode] = []
    for device, new, before in fresh:
        mine = stored.get(device.id, {})
        current = {
            key: Episode(row.kind, row.level, row.started_at, None, row.peak)
            for key, row in mine.items()
        }
        changes = episodes.track(current, new, last_before=before, max_gap=max_gap(device))
        touched += _apply(session, device, changes, mine, notify=notify, live=live)
    return touched


def _open(
    session: Session,
    device: Biotumbler,
    key: tuple[str, str],
    start: datetime,
    peak: float | None,
    stored: dict[tuple[str, str], AlertEpisode],
) -> list[AlertEpisode]:
    change = Episode(*key, start, None, peak, opened=True)
    return _apply(session, device, [change], stored, notify=True, live=True)


def _lowest_hot(session: Session, device: Biotumbler, since: datetime) -> float | None:
    temps = session.scalars(
        select(ReadingRow.temperature_c).where(
            ReadingRow.device_id == device.id, ReadingRow.t >= since
        )
    )
    lows = [max(t.values()) for t in temps if t]
    return min(lows) if lows else None


def check(session: Session, *, now: datetime | None = None) -> list[AlertEpisode]:
    """The periodic check: devices silent for longer than expected, and stalled batches.

    A device that has sent nothing for its expected interval gets an open `silent` episode
    (its peak: minutes so far); the spec's `stalled` rule is judged over each open batch.
    """
    now = now or utcnow()
    devices = list(
        session.scalars(select(Biotumbler).where(Biotumbler.last_reading_at.is_not(None)))
    )
    silent = {d.id for d in devices if now - d.last_reading_at > max_gap(d)}  # type: ignore[operator]
    filling = set(
        session.scalars(select(Batch.device_id).where(Batch.ended_at.is_(None)).distinct())
    )
    wanted = [d for d in devices if d.id in silent or d.id in filling]
    if not wanted:
        return []
    lock_devices(session, [d.id for d in wanted])
    for device in wanted:  # what arrived while we waited for the lock counts
        session.refresh(device, ["last_reading_at"])
    stored = open_episodes(session, [d.id for d in wanted])
    touched: list[AlertEpisode] = []
    for device in wanted:
        mine = stored.setdefault(device.id, {})
        last = device.last_reading_at
        assert last is not None
        if now - last > max_gap(device):
            minutes = episodes.silent_minutes(last, now)
            row = mine.get(episodes.SILENT)
            if row is None:
                touched += _open(session, device, episodes.SILENT, last, minutes, mine)
            elif row.peak != minutes:
                row.peak = minutes
        if device.id in filling:
            touched += _check_stall(session, device, mine)
    session.flush()
    return touched


def _check_stall(
    session: Session, device: Biotumbler, mine: dict[tuple[str, str], AlertEpisode]
) -> list[AlertEpisode]:
    batch = session.scalar(
        select(Batch)
        .where(Batch.device_id == device.id, Batch.ended_at.is_(None))
        .order_by(Batch.started_at.desc())
        .limit(1)
    )
    if batch is None:
        return []
    # the same (kept per revision) verdict the pages show: no reread while nothing arrived
    verdict = verdicts.judge(session, device, batch=batch, max_gap=max_gap(device))
    stalls = [a for a in verdict.alerts if a.kind == "stalled"]
    still = next((a for a in stalls if a.end is None), None)
    row = mine.get(episodes.STALLED)
    if still is not None and row is None:
        low = _lowest_hot(session, device, still.start)
        return _open(session, device, episodes.STALLED, still.start, low, mine)
    if still is None and row is not None:
        ended = next((a.end for a in stalls if a.start == row.started_at), None)
        change = Episode(*episodes.STALLED, row.started_at, ended or verdict.last_t, row.peak)
        return _apply(session, device, [change], mine, notify=False, live=True)
    return []


def history(session: Session, device: Biotumbler, *, limit: int = 100) -> list[AlertEpisode]:
    """The device's stored episodes, newest first."""
    query = (
        select(AlertEpisode)
        .where(AlertEpisode.device_id == device.id)
        .order_by(AlertEpisode.started_at.desc(), AlertEpisode.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def open_for(session: Session, device_ids: Sequence[int]) -> dict[int, list[AlertEpisode]]:
    """The open episodes of these devices (for the overview), oldest first."""
    found: dict[int, list[AlertEpisode]] = {}
    for device_id, mine in open_episodes(session, device_ids).items():
        found[device_id] = sorted(mine.values(), key=lambda r: (r.started_at, r.kind))
    return found
