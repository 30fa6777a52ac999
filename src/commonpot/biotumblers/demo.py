"""Biotumblers demo: two drums at riverside, one batch sanitised, one heating with dry compost."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.biotumblers import ingest, links, service
from commonpot.biotumblers.simulate import Profile, simulate
from commonpot.db import utcnow
from commonpot.demo import DemoContext
from commonpot.words import said


def load(session: Session, ctx: DemoContext) -> None:
    """Two biotumblers with two weeks of readings in riverside."""
    community = ctx.communities["riverside"]
    steward = Viewer(user=ctx.users["amara"])
    domes = ctx.places["riverside"]
    now = utcnow().replace(second=0, microsecond=0)
    now -= timedelta(minutes=now.minute % 5)
    north, south = domes["North Dome"], domes["South Dome"]
    probes = [
        {"name": "core", "position": "centre of the drum, 40 cm deep"},
        {"name": "edge", "position": "by the door, 10 cm deep"},
    ]

    # the first drum: a batch that held 55 °C for five days, emptied yesterday, then refilled
    one, _ = service.register_device(
        session,
        community,
        steward,
        device="north-tumbler",
        name="North Dome tumbler",
        lat=north.lat + 0.0002,
        lon=north.lon + 0.0003,
        probes=probes,
    )
    start = now - timedelta(days=14)
    emptied = now - timedelta(days=1)
    first = service.start_batch(
        session, community, steward, one.device, started_at=start,
        kitchen_kg=62.0, garden_kg=35.0, browns_kg=28.0,
        note="Autumn kitchen scraps and bean haulms.",
    )  # fmt: skip
    ingest.store(session, one, simulate(start, emptied, every=timedelta(minutes=10)), live=False)
    service.end_batch(session, community, steward, one.device, ended_at=emptied)
    assert first.ended_at is not None
    # its sanitised compost went to the North Dome's beds
    links.deliver_compost(
        session, community, steward, one.device, first.id, place_id=north.id, compost_kg=58.0
    )

    # the second drum: heating for three days, its compost drying out (moisture alert open)
    two, _ = service.register_device(
        session,
        community,
        steward,
        device="south-tumbler",
        name="South Dome tumbler",
        lat=south.lat + 0.0002,
        lon=south.lon - 0.0002,
        probes=[*probes, {"name": "top", "position": "under the lid"}],
    )
    begun = now - timedelta(days=3, hours=2)
    service.start_batch(
        session, community, steward, two.device, started_at=begun,
        kitchen_kg=48.0, garden_kg=20.0, browns_kg=30.0,
        note="Market leftovers; a lot of cardboard.",
    )  # fmt: skip
    drying = Profile(
        probes={"core": 0.0, "edge": -5.0, "top": -2.0},
        turns_at_hours=(30.0,),
        moisture_start=52.0,
        moisture_per_day=-5.0,
        gap_chance=0.003,
    )
    ingest.store(
        session,
        two,
        simulate(begun, now + timedelta(minutes=1), drying, every=timedelta(minutes=10), seed=7),
        live=False,
    )
    ingest.set_state(session, one, "ready")
    ingest.set_state(session, two, "ready")
    # an old drum someone forgot to register still publishes: counted, never stored
    ingest.count_unknown(session, Counter({("riverside", "old-bin-3"): 42}))
    ctx.notes.append(
        said(
            "Biotumblers: /communities/riverside/biotumblers (north-tumbler sanitised, its "
            "compost delivered to the North Dome; south-tumbler heating with an open moisture "
            "episode; an unknown device old-bin-3 for stewards)."
        )
    )
