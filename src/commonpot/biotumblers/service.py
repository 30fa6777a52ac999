"""Biotumbler use cases: who may see and manage devices, devices and their tokens, batches.

Ingest lives in `ingest`, rollups and retention in `rollups`, alert episodes in `alerts`,
reads and assessments in `reads`, the links to the network and ecology in `links`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commonpot import accounts, communities, tenancy
from commonpot.accounts import Viewer
from commonpot.biotumblers import readings, verdicts
from commonpot.biotumblers.models import AlertEpisode, Batch, Biotumbler, Rollup
from commonpot.biotumblers.models import Reading as ReadingRow
from commonpot.communities import Community, Role
from commonpot.db import utcnow
from commonpot.errors import Conflict, Invalid, NotFound

TOKEN_PREFIX = "cpb_"  # noqa: S105 (a readable prefix, not a secret)
MAX_PROBES = 16
STATES = ("ready", "lost")
DEFAULT_EVERY_S, MIN_EVERY_S, MAX_EVERY_S = 1800, 60, 86_400  # the spec's max_gap by default


def live_channel(community_id: int) -> str:
    """The bus channel carrying a community's biotumbler readings and alerts."""
    return f"biotumblers:{community_id}"


# --- access ---------------------------------------------------------------------------------


def is_steward(session: Session, community: Community, viewer: Viewer) -> bool:
    """Stewards (and instance admins) register devices and rotate their tokens."""
    if viewer.is_admin:
        return True
    found = communities.membership(session, community, viewer)
    return found is not None and found.role == Role.STEWARD.value


def require_steward(session: Session, community: Community, viewer: Viewer) -> None:
    """Only stewards (or admins) manage devices and batches."""
    if not viewer.is_admin:
        communities.require_role(session, community, viewer, Role.STEWARD)


def readable(session: Session, slug: str, viewer: Viewer) -> Community:
    """The community whose devices the viewer may see (NotFound when hidden)."""
    return communities.readable_community(session, slug, viewer)


def visible_devices(session: Session, community: Community, viewer: Viewer) -> list[Biotumbler]:
    """The one read helper: a public community's devices for anyone, a private one's for members."""
    if not communities.can_read(session, community, viewer):
        raise NotFound("No community '%(slug)s' here.", slug=community.slug)
    query = tenancy.select_scoped(Biotumbler, community.id)
    return list(session.scalars(query.order_by(Biotumbler.device)))


def get_device(session: Session, community: Community, viewer: Viewer, device: str) -> Biotumbler:
    """One visible device, or NotFound."""
    if not communities.can_read(session, community, viewer):
        raise NotFound("No community '%(slug)s' here.", slug=community.slug)
    found = session.scalar(
        select(Biotumbler).where(
            Biotumbler.community_id == community.id, Biotumbler.device == device
        )
    )
    if found is None:
        raise NotFound("No biotumbler '%(device)s' here.", device=device)
    return found


def find_by_token(session: Session, slug: str, device: str, token: str) -> Biotumbler | None:
    """The device a token belongs to, or None (unknown community, device, or wrong token)."""
    return session.scalar(
        select(Biotumbler)
        .join(Community, Community.id == Biotumbler.community_id)
        .where(
            Community.slug == slug,
            Biotumbler.device == device,
            Biotumbler.token_hash == accounts.token_hash(token),
        )
    )


def device_for_token(session: Session, slug: str, device: str, token: str) -> Biotumbler:
    """The device a token belongs to; a wrong token is NotFound, as for an unknown device."""
    found = find_by_token(session, slug, device, token)
    if found is None:
        raise NotFound("No biotumbler '%(device)s' here.", device=device)
    return found


def device_by_topic(session: Session, slug: str, device: str) -> Biotumbler | None:
    """The device an MQTT topic names, or None (unknown community or device)."""
    return session.scalar(
        select(Biotumbler)
        .join(Community, Community.id == Biotumbler.community_id)
        .where(Community.slug == slug, Biotumbler.device == device)
    )


# --- devices --------------------------------------------------------------------------------


def _probes(probes: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if len(probes) > MAX_PROBES:
        raise Invalid("probes: at most %(limit)s", field="probes", limit=MAX_PROBES)
    for i, probe in enumerate(probes):
        name = str(probe.get("name", "")).strip()
        if readings.PROBE.fullmatch(name) is None:
            raise Invalid(
                "probes[%(index)s].name: must match [a-z0-9_]{1,32}",
                field=f"probes[{i}].name",
                index=str(i),
            )
        position = str(probe.get("position", "")).strip()
        if len(position) > 120:
            raise Invalid(
                "probes[%(index)s].position: at most 120 characters",
                field=f"probes[{i}].position",
                index=str(i),
            )
        if any(p["name"] == name for p in out):
            raise Invalid(
                "probes[%(index)s].name: '%(name)s' appears twice",
                field=f"probes[{i}].name",
                index=str(i),
                name=str(name),
            )
        out.append({"name": name, "position": position})
    return out


def _place(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise Invalid("lat: give both lat and lon, or neither", field="lat")
    if lat is not None and not (math.isfinite(lat) and -90 <= lat <= 90):
        raise Invalid("lat: must be between -90 and 90", field="lat")
    if lon is not None and not (math.isfinite(lon) and -180 <= lon <= 180):
        raise Invalid("lon: must be between -180 and 180", field="lon")


def register_device(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    device: str,
    name: str = "",
    lat: float | None = None,
    lon: float | None = None,
    probes: Sequence[dict[str, Any]] = (),
    expected_every_s: int | None = None,
) -> tuple[Biotumbler, str]:
    """A steward registers a biotumbler; the ingest token is returned once, stored hashed."""
    require_steward(session, community, viewer)
    device = device.strip()
    if not readings.is_device_id(device):
        raise Invalid("device: must match [a-z0-9][a-z0-9-]{0,63}", field="device")
    name = name.strip() or device
    if len(name) > 120:
        raise Invalid("name: at most 120 characters", field="name")
    _place(lat, lon)
    clean = _probes(probes)
    every = DEFAULT_EVERY_S if expected_every_s is None else expected_every_s
    if not MIN_EVERY_S <= every <= MAX_EVERY_S:
        raise Invalid(
            "expected_every_minutes: must be from 1 to 1440 minutes", field="expected_every_minutes"
        )
    taken = session.scalar(
        select(Biotumbler.id).where(
            Biotumbler.community_id == community.id, Biotumbler.device == device
        )
    )
    if taken is not None:
        raise Conflict(
            "device: '%(device)s' is already registered here", field="device", device=str(device)
        )
    token = accounts.new_token(TOKEN_PREFIX)
    found = Biotumbler(
        community_id=community.id,
        device=device,
        name=name,
        lat=lat,
        lon=lon,
        probes=clean,
        token_hash=accounts.token_hash(token),
        expected_every_s=every,
    )
    session.add(found)
    session.flush()
    return found, token


def rotate_token(session: Session, community: Community, viewer: Viewer, device: str) -> str:
    """A new ingest token for the device (the old one stops working at once)."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    token = accounts.new_token(TOKEN_PREFIX)
    found.token_hash = accounts.token_hash(token)
    session.flush()
    return token


def delete_device(session: Session, community: Community, viewer: Viewer, device: str) -> None:
    """A steward removes a device with its batches and readings."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    session.execute(delete(ReadingRow).where(ReadingRow.device_id == found.id))
    session.execute(delete(Rollup).where(Rollup.device_id == found.id))
    session.execute(delete(AlertEpisode).where(AlertEpisode.device_id == found.id))
    session.execute(delete(Batch).where(Batch.device_id == found.id))
    session.delete(found)
    session.flush()


# --- batches --------------------------------------------------------------------------------


def _kg(value: float, field: str) -> float:
    if not (math.isfinite(value) and 0 <= value <= 100_000):
        raise Invalid("%(where)s: must be from 0 to 100000 kg", field=field, where=str(field))
    return value


def batches(session: Session, device: Biotumbler) -> list[Batch]:
    """A device's batches, newest first."""
    query = select(Batch).where(Batch.device_id == device.id)
    return list(session.scalars(query.order_by(Batch.started_at.desc())))


def current_batch(session: Session, device: Biotumbler) -> Batch | None:
    """The batch in the drum now, if any."""
    query = select(Batch).where(Batch.device_id == device.id, Batch.ended_at.is_(None))
    return session.scalar(query.order_by(Batch.started_at.desc()).limit(1))


def start_batch(
    session: Session,
    community: Community,
    viewer: Viewer,
    device: str,
    *,
    started_at: datetime | None = None,
    kitchen_kg: float = 0.0,
    garden_kg: float = 0.0,
    browns_kg: float = 0.0,
    note: str = "",
) -> Batch:
    """A steward fills the drum: a new batch (one open batch per device)."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    if current_batch(session, found) is not None:
        raise Conflict("batch: end the current batch (empty the drum) first", field="batch")
    if len(note) > 300:
        raise Invalid("note: at most 300 characters", field="note")
    batch = Batch(
        community_id=community.id,
        device_id=found.id,
        started_at=started_at or utcnow(),
        kitchen_kg=_kg(kitchen_kg, "kitchen_kg"),
        garden_kg=_kg(garden_kg, "garden_kg"),
        browns_kg=_kg(browns_kg, "browns_kg"),
        note=note.strip(),
    )
    session.add(batch)
    session.flush()
    return batch


def end_batch(
    session: Session,
    community: Community,
    viewer: Viewer,
    device: str,
    *,
    ended_at: datetime | None = None,
) -> Batch:
    """A steward empties the drum: the open batch ends."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    batch = current_batch(session, found)
    if batch is None:
        raise Conflict("batch: no batch is in the drum", field="batch")
    end = ended_at or utcnow()
    if end <= batch.started_at:
        raise Invalid("ended_at: must be after the batch started", field="ended_at")
    batch.ended_at = end
    verdicts.seal(session, found, batch)
    session.flush()
    return batch


def lock_devices(session: Session, ids: Sequence[int]) -> None:
    """Row-lock devices in id order (PostgreSQL) so writers of one device queue, no deadlock.

    Rollups are merged and alert episodes opened by read-modify-write; two writers of the
    same device must not interleave. SQLite's BEGIN IMMEDIATE lets one writer in at a time.
    """
    if ids and session.get_bind().dialect.name == "postgresql":
        query = select(Biotumbler.id).where(Biotumbler.id.in_(sorted(set(ids))))
        session.execute(query.order_by(Biotumbler.id).with_for_update())
