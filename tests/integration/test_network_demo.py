"""The demo's food sharing reaches the last mile on both databases."""

from __future__ import annotations

from sqlalchemy import select

from commonpot import demo
from commonpot.db import Database
from commonpot.governance.models import LedgerEntry
from commonpot.network.models import AllocationRun, Handover, VolunteerSlot


def test_demo_has_handovers_in_every_state_a_follow_up_and_a_route(db: Database) -> None:
    with db.unit_of_work() as s:
        demo.load(s)
    with db.unit_of_work(write=False) as s:
        states = set(s.scalars(select(Handover.state)))
        assert {"proposed", "confirmed", "picked_up", "handed_over", "declined", "expired"} <= (
            states
        )
        follow = s.scalars(select(AllocationRun).where(AllocationRun.objective == "reallocate"))
        follow_ids = [r.id for r in follow]
        assert follow_ids
        assert s.scalars(select(Handover).where(Handover.run_id.in_(follow_ids))).first()
        units = set(s.scalars(select(Handover.unit)))
        assert {"kg", "meals", "bunches"} <= units and "units" not in units
        slot = s.scalars(select(VolunteerSlot)).one()
        assert slot.route is not None and slot.route["stops"]
        ledger = [e.data for e in s.scalars(select(LedgerEntry))]
        assert any('"network.handover_completed"' in d for d in ledger)
