"""Demo data for the network: patches with harvests, priority groups, offers, needs, runs."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.network import followup, handovers, runs, service, volunteering
from commonpot.words import said

if TYPE_CHECKING:
    from commonpot.demo import DemoContext

# Offers: who, category, amount, unit, km north and east of the centre, hours it keeps, notes.
OFFERS = [
    ("kenji", "apples", 24, "kg", 0.2, -0.3, None, "Bramley windfalls, North Dome orchard gate"),
    ("tomas", "squash", 10, "pieces", -0.1, 0.2, 72.0, "Butternut, cured; porch of 4 Mill Row"),
    ("rosa", "tortillas", 30, "dozen", 0.0, 0.1, 12.0, "Fresh this morning, blue corn"),
    ("sam", "greens", 15, "bunches", -0.3, 0.4, 8.0, "Watercress and chard from Willow Dome"),
    ("priya", "lentil dal", 12, "meals", 0.1, 0.0, 6.0, "Community Kitchen counter"),
    ("lina", "apples", 8, "kg", -0.2, -0.1, None, "Eaters from the Old Orchard"),
]
UNITS = {"apples": "kg", "squash": "pieces", "tortillas": "dozen", "greens": "bunches"}
# Needs: who, category, units, km north and east of the centre, priority group, notes.
NEEDS = [
    ("rosa", "lentil dal", 4, 0.05, 0.1, "elders", "Lunch for the elders' table"),
    ("kenji", "greens", 6, 0.1, -0.2, "elders", ""),
    ("lina", "tortillas", 10, -0.2, -0.1, "families", "Family of five"),
    ("sam", "apples", 12, -0.3, 0.3, "school", "Break-time fruit for the dome school"),
    ("tomas", "dal", 3, -0.1, 0.2, None, "Anything warm"),
    ("amara", "apples", 10, 0.3, 0.2, "families", ""),
    ("priya", "greens", 12, 0.2, 0.1, None, ""),
    ("amara", "squash", 6, 0.1, -0.1, "families", ""),
    ("lina", "lentil dal", 8, -0.15, -0.05, "families", ""),
]
# what the people asking said about themselves (seen only by them and the stewards)
CIRCUMSTANCES_OF = {"elders": ("elder",), "families": ("children",), "school": ("children",)}
NOTES = {"lina": "Five of us since my sister moved in.", "rosa": "I cook for the elders' table."}
GROUPS = [
    ("elders", 2.0, "Members over 75 and anyone recovering from illness"),
    ("families", 1.5, "Households with young children"),
    ("school", 1.25, "The dome school's shared meals"),
]
PATCHES = [
    ("Riverbank elder", "elderflower", 0.4, -0.6, 12.0, 5, [3.5, 2.0]),
    ("Footbridge blackberries", "blackberry", -0.2, 0.5, 40.0, 8, [6.0, 9.5, 4.0]),
    ("Willow watercress bed", "watercress", -0.5, 0.3, 15.0, 3, [2.5]),
    ("Old wall wild garlic", "wild garlic", 0.6, 0.1, 8.0, 2, [1.0]),
]
KM_LAT = 1 / 111.2
KM_LON = 1 / 69.3  # at 51.45 N


def load(session: Session, ctx: DemoContext) -> None:
    """Riverside shares food: patches, groups, open offers and needs, one committed run."""
    community = ctx.communities["riverside"]
    lat0 = community.lat if community.lat is not None else 51.4545
    lon0 = community.lon if community.lon is not None else -2.5879
    steward = Viewer(user=ctx.users["amara"])
    groups = {}
    for name, priority, description in GROUPS:
        groups[name] = service.create_group(
            session, community, steward, name=name, priority=priority, description=description
        )
    for name, species, north, east, yield_kg, month, taken in PATCHES:
        patch = service.save_patch(
            session,
            community,
            Viewer(user=ctx.users["kenji"]),
            name=name,
            species=species,
            lat=lat0 + north * KM_LAT,
            lon=lon0 + east * KM_LON,
            sustainable_yield_kg=yield_kg,
            season_start_month=month,
            notes="Mapped on the spring walk.",
        )
        for kg in taken:
            service.log_harvest(
                session,
                community,
                Viewer(user=ctx.users["sam"]),
                patch.id,
                quantity_kg=kg,
                note="demo harvest",
            )
    for who, category, units, unit, north, east, hours, description in OFFERS:
        service.create_offer(
            session,
            community,
            Viewer(user=ctx.users[who]),
            category=category,
            quantity=units,
            lat=lat0 + north * KM_LAT,
            lon=lon0 + east * KM_LON,
            description=description,
            expires_at=utcnow() + timedelta(hours=hours) if hours else None,
            unit=unit,
        )
    for who, category, units, north, east, group, description in NEEDS:
        # people state their circumstances and agree to a group; a steward places them
        need = service.create_need(
            session,
            community,
            Viewer(user=ctx.users[who]),
            category=category,
            quantity=units,
            lat=lat0 + north * KM_LAT,
            lon=lon0 + east * KM_LON,
            description=description,
            unit=UNITS.get(category, "meals"),
            circumstances=CIRCUMSTANCES_OF.get(group or "", ()),
            circumstances_note=NOTES.get(who, ""),
            priority_consent=group is not None,
        )
        if group is not None:
            service.assign_group(session, community, steward, need.id, groups[group].id)
    first = runs.create_run(session, community, steward)
    runs.commit_run(session, community, steward, first.id)
    _last_mile(session, ctx, community, first.id)
    service.create_offer(
        session,
        community,
        Viewer(user=ctx.users["kenji"]),
        category="apples",
        quantity=18,
        lat=lat0,
        lon=lon0,
        description="Second picking",
        unit="kg",
    )
    runs.create_run(session, community, steward, objective="min-fill")
    ctx.notes.append(
        said(
            "Network: riverside has 4 foraging patches, 3 priority groups, a committed "
            "allocation run whose handovers are proposed, confirmed, on their way, handed over, "
            "declined and expired, a follow-up run that re-allocated the freed food, a volunteer "
            "route (sam) and a draft run to review (sign in as amara; lina and sam see My food)."
        )
    )


def _last_mile(session: Session, ctx: DemoContext, community: Community, run_id: int) -> None:
    """Move the committed run's handovers through every state, then re-allocate the freed."""
    found = handovers.for_run(session, community, run_id)
    users = {u.id: u for u in ctx.users.values()}
    steps = ["confirm", "handed_over", "picked_up", "decline", "expire"]
    for handover, step in zip(found, steps, strict=False):
        if handover.recipient_id is None:
            continue
        recipient = Viewer(user=users[handover.recipient_id])
        if step == "decline":
            handovers.decline(session, community, recipient, handover.id)
            continue
        if step == "expire":
            # the recipient never came: the window ended long ago
            handover.window_start = utcnow() - timedelta(hours=8)
            handover.window_end = utcnow() - timedelta(hours=5)
            continue
        handovers.confirm(session, community, recipient, handover.id)
        if step in ("picked_up", "handed_over"):
            handovers.volunteer(session, community, Viewer(user=ctx.users["lina"]), handover.id)
            handovers.mark_picked_up(
                session, community, Viewer(user=ctx.users["lina"]), handover.id
            )
        if step == "handed_over":
            handovers.mark_handed_over(
                session, community, Viewer(user=ctx.users["lina"]), handover.id
            )
    session.flush()
    handovers.expire_due(session)
    lat0 = community.lat if community.lat is not None else 51.4545
    lon0 = community.lon if community.lon is not None else -2.5879
    # someone asks after the run: the follow-up gives them the declined and missed food
    for who, category, units, unit in (("priya", "apples", 6, "kg"), ("tomas", "apples", 4, "kg")):
        service.create_need(
            session,
            community,
            Viewer(user=ctx.users[who]),
            category=category,
            quantity=units,
            lat=lat0 + 0.05 * KM_LAT,
            lon=lon0,
            description="Asked after the run",
            unit=unit,
        )
    followup.reallocate_freed(session, community, ctx.users["amara"].id)
    # sam drives on the day of the next open pickup, from an hour before it
    waiting = [h for h in handovers.for_run(session, community, run_id) if h.state == "proposed"]
    first = min((h.window_start for h in waiting), default=utcnow())
    start = first.replace(second=0, microsecond=0) - timedelta(hours=1)
    volunteering.sign_up(
        session,
        community,
        Viewer(user=ctx.users["sam"]),
        starts_at=start,
        ends_at=start + timedelta(hours=14),
        capacity=40,
        lat=lat0,
        lon=lon0,
    )
    volunteering.plan_day(session, community, Viewer(user=ctx.users["amara"]), first.date())
