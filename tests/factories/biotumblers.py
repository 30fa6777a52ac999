"""Factories for biotumblers: readings from plain numbers, registered devices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.biotumblers import service
from commonpot.biotumblers.models import Biotumbler
from commonpot.biotumblers.readings import Reading
from commonpot.communities.models import Community

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def reading(
    minutes: float,
    *temps: float,
    moisture: float | None = None,
    start: datetime = T0,
) -> Reading:
    """A reading `minutes` after `start` with probes p0, p1, ... at the given °C."""
    return Reading(
        t=start + timedelta(minutes=minutes),
        temperature_c={f"p{i}": float(v) for i, v in enumerate(temps)},
        moisture_pct=moisture,
    )


def series(
    temps: Sequence[float], *, every: timedelta = timedelta(minutes=10), start: datetime = T0
) -> list[Reading]:
    """One single-probe reading per value, `every` apart."""
    return [Reading(t=start + every * i, temperature_c={"core": v}) for i, v in enumerate(temps)]


def register(
    session: Session, community: Community, steward: User, device: str = "tumbler-1"
) -> tuple[Biotumbler, str]:
    """A registered device and its ingest token."""
    return service.register_device(
        session,
        community,
        Viewer(user=steward),
        device=device,
        name=device.title(),
        probes=[{"name": "core", "position": "centre"}, {"name": "edge", "position": "door"}],
    )


def wire(minutes: float, core: float, edge: float | None = None) -> dict[str, object]:
    """The spec's JSON for a reading `minutes` after T0."""
    moment = T0 + timedelta(minutes=minutes)
    temps = {"core": core} if edge is None else {"core": core, "edge": edge}
    return {"t": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "temperature_c": temps}
