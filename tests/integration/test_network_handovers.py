"""Handovers on real databases: a committed run's lines become pickups people complete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from commonpot.accounts.service import Viewer
from commonpot.db import Database, utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound
from commonpot.governance.models import LedgerEntry
from commonpot.jobs.models import Job
from commonpot.network import followup, handovers, runs
from commonpot.network.models import Handover, Need, Offer
from tests.factories.accounts import make_world
from tests.factories.network import add_need, add_offer


def committed(db: Database, w, offer_qty: int = 4, need_qty: int = 3):  # type: ignore[no-untyped-def]
    """A steward commits a run: the member's offer goes to the custodian's need."""
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_offer(s, community, w.member, offer_qty)
        add_need(s, community, w.custodian, need_qty, 0.5)
        run = runs.create_run(s, community, Viewer(user=w.steward))
        runs.commit_run(s, community, Viewer(user=w.steward), run.id)
        found = handovers.for_run(s, community, run.id)
        return run.id, [h.id for h in found]


def test_commit_makes_handovers_with_what_where_when(db: Database) -> None:
    w = make_world(db)
    _, ids = committed(db, w)
    assert len(ids) == 1
    with db.unit_of_work(write=False) as s:
        h = s.get(Handover, ids[0])
        offer = s.get(Offer, h.offer_id)
        assert (h.state, h.quantity, h.unit, h.category) == ("proposed", 3, "portions", "veg")
        assert (h.donor_id, h.recipient_id) == (w.member.id, w.custodian.id)
        assert (h.lat, h.lon) == (offer.lat, offer.lon)
        assert h.window_start > utcnow() and h.window_end - h.window_start == timedelta(hours=3)
        kinds = [e.data for e in s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
        assert any('"network.run_committed"' in k and '"allocated":3' in k for k in kinds)


def test_only_the_recipient_confirms_and_reschedules(db: Database) -> None:
    w = make_world(db)
    _, (hid,) = committed(db, w)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        with pytest.raises(Forbidden):
            handovers.confirm(s, community, Viewer(user=w.member), hid)  # the donor
        with pytest.raises(Forbidden):
            handovers.decline(s, community, Viewer(user=w.steward), hid)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        start = (utcnow() + timedelta(days=1)).replace(microsecond=0)
        with pytest.raises(Invalid, match="window_end"):
            handovers.change_window(
                s,
                community,
                Viewer(user=w.custodian),
                hid,
                window_start=start,
                window_end=start + timedelta(minutes=5),
            )
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        h = handovers.confirm(
            s,
            community,
            Viewer(user=w.custodian),
            hid,
            window_start=start,
            window_end=start + timedelta(hours=1),
        )
        assert h.state == "confirmed" and h.window_start == start
    with db.unit_of_work(write=False) as s:
        deliver = select(Job).where(Job.name == "notifications.deliver")
        jobs = [j.payload for j in s.scalars(deliver)]
        confirmed = [n for p in jobs for n in p["notices"] if n["kind"] == "handover_confirmed"]
        assert confirmed and confirmed[0]["users"] == [w.member.id]  # the donor hears


def test_outsiders_and_other_members_do_not_see_a_handover(db: Database) -> None:
    w = make_world(db)
    _, (hid,) = committed(db, w)
    with db.unit_of_work(write=False) as s:
        community = s.merge(w.public)
        with pytest.raises(NotFound):
            handovers.get_handover(s, community, Viewer(user=w.steward), hid + 999)
        private = s.merge(w.private)
        with pytest.raises(NotFound):  # another community's id answers as a missing one
            handovers.get_handover(s, private, Viewer(user=w.private_steward), hid)
        assert handovers.get_handover(s, community, Viewer(user=w.steward), hid).id == hid
        assert [h.id for h in handovers.my_food(s, community, Viewer(user=w.custodian))] == [hid]
        assert handovers.my_food(s, community, Viewer(user=w.member)) == []
        assert [h.id for h in handovers.my_offers(s, community, Viewer(user=w.member))] == [hid]


def test_carry_pick_up_hand_over_is_recorded_in_the_ledger(db: Database) -> None:
    w = make_world(db)
    run_id, (hid,) = committed(db, w)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        with pytest.raises(Conflict, match="confirmed"):
            handovers.mark_picked_up(s, community, Viewer(user=w.member), hid)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        handovers.confirm(s, community, Viewer(user=w.custodian), hid)
        handovers.volunteer(s, community, Viewer(user=w.steward), hid)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        with pytest.raises(Forbidden):  # the recipient does not mark it picked up
            handovers.mark_picked_up(s, community, Viewer(user=w.custodian), hid)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        handovers.mark_picked_up(s, community, Viewer(user=w.steward), hid)
        handovers.mark_handed_over(s, community, Viewer(user=w.steward), hid)
    with db.unit_of_work(write=False) as s:
        community = s.merge(w.public)
        assert handovers.run_progress(s, community, run_id)["handed_over"] == 3
        last = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
        assert '"type":"network.handover_completed"' in last.data
        assert f'"run":{run_id}' in last.data and '"quantity":3' in last.data
        assert "Custodian" not in last.data and "Member" not in last.data  # no names


def test_decline_and_expiry_give_the_units_back(db: Database) -> None:
    w = make_world(db)
    _, (hid,) = committed(db, w, offer_qty=3, need_qty=3)
    with db.unit_of_work(write=False) as s:
        h = s.get(Handover, hid)
        assert s.get(Offer, h.offer_id).status == "allocated"
        assert s.get(Need, h.need_id).status == "filled"
    with db.unit_of_work() as s:
        handovers.decline(s, s.merge(w.public), Viewer(user=w.custodian), hid)
    with db.unit_of_work(write=False) as s:
        h = s.get(Handover, hid)
        offer, need = s.get(Offer, h.offer_id), s.get(Need, h.need_id)
        assert (h.state, h.returned) == ("declined", True)
        assert (offer.allocated, offer.status) == (0, "open")
        assert (need.received, need.status) == (0, "open")
    with db.unit_of_work() as s, pytest.raises(Conflict):
        handovers.decline(s, s.merge(w.public), Viewer(user=w.custodian), hid)

    _, more = committed(db, w, offer_qty=2, need_qty=2)  # the freed units go out again too
    with db.unit_of_work(write=False) as s:
        # both offers and both needs stand at one place each: every split is optimal, so
        # only the units are certain (3 freed + 2 new), not how many handovers carry them
        assert sum(s.get(Handover, hid).quantity for hid in more) == 5
    assert len(more) >= 2
    with db.unit_of_work() as s:
        assert handovers.expire_due(s, utcnow()) == 0
        assert handovers.expire_due(s, utcnow() + timedelta(days=1)) == len(more)
    with db.unit_of_work(write=False) as s:
        for hid in more:
            h = s.get(Handover, hid)
            assert h.state == "expired" and s.get(Offer, h.offer_id).allocated == 0


def test_declined_units_go_to_the_next_need_with_earlier_fills_counted(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_offer(s, community, w.member, 4)
        first = add_need(s, community, w.custodian, 4, 0.2).id
        run = runs.create_run(s, community, Viewer(user=w.steward))
        runs.commit_run(s, community, Viewer(user=w.steward), run.id)
        (hid,) = [h.id for h in handovers.for_run(s, community, run.id)]
        # two more needs arrive after the run: one already half served by an earlier gift
        later = add_need(s, community, w.steward, 4, 0.3)
        later.received = 1
        fresh = add_need(s, community, w.member, 4, 0.1).id
        later_id = later.id
    with db.unit_of_work() as s:
        handovers.decline(s, s.merge(w.public), Viewer(user=w.custodian), hid)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        follow = followup.reallocate_freed(s, community)
        assert follow is not None and follow.status == "committed"
        assert follow.objective == "reallocate"
        made = {h.need_id: h.quantity for h in handovers.for_run(s, community, follow.id)}
        # the decliner sits this round out; with K=3 segments of 1, 1 and 2 units the freed
        # units are worth 1, 2/3, 1/3, 1/3 to the fresh need (0 of 4) and 2/3, 1/3, 1/3 to
        # the one already given 1: the fresh need gets 3 (the last tie goes to the nearer)
        # and the other 1
        assert first not in made
        assert made == {fresh: 3, later_id: 1}
        assert follow.baseline_metrics["total_allocated"] == 0
        assert s.get(Handover, hid).reallocated_in == follow.id
    with db.unit_of_work() as s:  # nothing freed twice
        assert followup.reallocate_freed(s, s.merge(w.public)) is None
