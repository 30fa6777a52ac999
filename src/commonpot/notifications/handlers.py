"""Who hears what: each domain's typed events become one notification job each.

The handlers run inside the emitting transaction (`commonpot.signals`), look up only the
few words the notice needs, and queue a `notifications.deliver` job with a key, so the
same happening never notifies twice and a rolled-back one notifies nobody.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import jobs, signals
from commonpot.accounts import User
from commonpot.biotumblers.signals import AlertOpened
from commonpot.communities import Community
from commonpot.communities.signals import Invited, RoleChanged
from commonpot.db import utcnow
from commonpot.events import Event, MenuItem
from commonpot.events.signals import (
    EventCancelled,
    EventChanged,
    EventSoon,
    FlashCalled,
    WaitlistPromoted,
)
from commonpot.governance.signals import (
    ProposalClosingSoon,
    ProposalDecided,
    ProposalOpened,
)
from commonpot.network.signals import AllocationCommitted, HandoverChanged
from commonpot.words import said

DELIVER_JOB = "notifications.deliver"
INVITATION_JOB = "notifications.invitation"


def _queue(
    session: Session, key: str, community_id: int | None, notices: list[dict[str, Any]]
) -> None:
    if notices:
        jobs.enqueue(
            session,
            DELIVER_JOB,
            {"community_id": community_id, "notices": notices},
            key=key,
            community_id=community_id,
            title=said("Notifications"),
        )


def _community(session: Session, community_id: int) -> Community:
    found = session.get(Community, community_id)
    assert found is not None
    return found


def on_allocation(session: Session, event: AllocationCommitted) -> None:
    """Tell each person whose need was matched, and each giver whose offer was allocated."""
    community = _community(session, event.community_id)
    url = f"/communities/{community.slug}/network/my-food"
    offers_url = f"/communities/{community.slug}/network/my-offers"
    notices = [
        {
            "kind": "need_matched",
            "users": [n.user_id],
            "params": {
                "community": community.name,
                "category": n.category,
                "quantity": n.quantity,
                "where": n.where,
            },
            "url": url,
        }
        for n in event.needs
    ] + [
        {
            "kind": "offer_allocated",
            "users": [o.user_id],
            "params": {"community": community.name, "category": o.category, "quantity": o.quantity},
            "url": offers_url,
        }
        for o in event.offers
    ]
    _queue(session, f"allocation:{event.run_id}", community.id, notices)


# who hears of each handover step: (kind, recipient, donor, volunteer)
HANDOVER_AUDIENCE = {
    "confirmed": ("handover_confirmed", False, True, True),
    "window": ("handover_window", False, True, True),
    "volunteer": ("handover_volunteer", True, True, False),
    "picked_up": ("handover_picked_up", True, True, False),
    "handed_over": ("handover_handed_over", True, True, True),
    "declined": ("handover_declined", False, True, True),
    "expired": ("handover_expired", True, True, True),
}


def on_handover(session: Session, event: HandoverChanged) -> None:
    """Tell the others involved in a handover that it moved a step (never the one who did)."""
    found = HANDOVER_AUDIENCE.get(event.step)
    if found is None:
        return
    kind, to_recipient, to_donor, to_volunteer = found
    users = [
        user
        for user, wanted in (
            (event.recipient_id, to_recipient),
            (event.donor_id, to_donor),
            (event.volunteer_id, to_volunteer),
        )
        if wanted and user is not None
    ]
    if not users:
        return
    community = _community(session, event.community_id)
    notice = {
        "kind": kind,
        "users": sorted(set(users)),
        "params": {
            "community": community.name,
            "category": event.category,
            "quantity": event.quantity,
            "unit": event.unit,
            "when": event.window_start.strftime("%Y-%m-%d %H:%M UTC"),
        },
        "url": f"/communities/{community.slug}/network/my-food",
    }
    key = f"handover:{event.handover_id}:{event.step}:{utcnow().isoformat()}"
    _queue(session, key, community.id, [notice])


def on_role_changed(session: Session, event: RoleChanged) -> None:
    """Tell the member their new role."""
    community = _community(session, event.community_id)
    notice = {
        "kind": "role_changed",
        "users": [event.user_id],
        "params": {"community": community.name, "role": event.role},
        "url": f"/communities/{community.slug}",
    }
    key = f"role:{community.id}:{event.user_id}:{event.role}:{utcnow().isoformat()}"
    _queue(session, key, community.id, [notice])


def on_invited(session: Session, event: Invited) -> None:
    """Tell the invited person: in the inbox when they have an account, else by e-mail."""
    community = _community(session, event.community_id)
    user_id = session.scalar(select(User.id).where(User.email == event.email))
    if user_id is None:
        if event.token:
            jobs.enqueue(
                session,
                INVITATION_JOB,
                {"invitation_id": event.invitation_id, "token": event.token},
                key=f"invitation-mail:{event.invitation_id}",
                community_id=community.id,
                created_by=event.invited_by,
                title=said("Invitation e-mail"),
            )
        return
    notice = {
        "kind": "invited",
        "users": [user_id],
        "params": {"community": community.name, "role": event.role},
        "url": f"/communities/{community.slug}",
    }
    _queue(session, f"invited:{event.invitation_id}", community.id, [notice])


def _event_notice(
    session: Session, kind: str, event_id: int, audience: dict[str, Any]
) -> dict[str, Any]:
    found = session.get(Event, event_id)
    assert found is not None
    community = _community(session, found.community_id)
    return {
        "kind": kind,
        **audience,
        "params": {
            "community": community.name,
            "title": found.title,
            "starts": found.starts_at.isoformat(timespec="minutes"),
            "where": found.location_note or community.location or "",
        },
        "url": f"/communities/{community.slug}/events/{found.id}",
    }


def on_waitlist(session: Session, event: WaitlistPromoted) -> None:
    """Tell people who moved from the waitlist to a place."""
    notice = _event_notice(session, "waitlist_opened", event.event_id, {"users": event.user_ids})
    key = f"waitlist:{event.event_id}:{','.join(map(str, event.user_ids))}"
    _queue(session, key, event.community_id, [notice])


def on_event_cancelled(session: Session, event: EventCancelled) -> None:
    """Tell everyone signed up that the event is cancelled."""
    notice = _event_notice(
        session, "event_cancelled", event.event_id, {"audience": ["event", event.event_id]}
    )
    _queue(session, f"cancelled:{event.event_id}", event.community_id, [notice])


def on_event_changed(session: Session, event: EventChanged) -> None:
    """Tell everyone with a place or on the waitlist the event's new time, place and menu."""
    notice = _event_notice(
        session, "event_changed", event.event_id, {"audience": ["signed_up", event.event_id]}
    )
    dishes = session.scalars(
        select(MenuItem.title).where(MenuItem.event_id == event.event_id).order_by(MenuItem.id)
    )
    notice["params"]["menu"] = ", ".join(dishes) or "–"
    notice["params"]["change"] = list(event.change)
    _queue(session, f"changed:{event.key}", event.community_id, [notice])


def on_event_soon(session: Session, event: EventSoon) -> None:
    """Remind everyone with a confirmed place, once per event."""
    notice = _event_notice(
        session, "event_reminder", event.event_id, {"audience": ["confirmed", event.event_id]}
    )
    _queue(session, f"reminder:{event.event_id}", event.community_id, [notice])


def on_flash(session: Session, event: FlashCalled) -> None:
    """Tell every member that a flash event was called."""
    notice = _event_notice(
        session, "flash_event", event.event_id, {"audience": ["members", event.community_id]}
    )
    _queue(session, f"flash:{event.event_id}", event.community_id, [notice])


def _proposal_notice(
    session: Session, kind: str, community_id: int, number: int, params: dict[str, Any]
) -> dict[str, Any]:
    community = _community(session, community_id)
    return {
        "kind": kind,
        "audience": ["members", community_id],
        "params": {"community": community.name, "number": number, **params},
        "url": f"/communities/{community.slug}/governance/proposals/{number}",
    }


def on_proposal_opened(session: Session, event: ProposalOpened) -> None:
    """Tell every member that voting opened."""
    notice = _proposal_notice(
        session, "proposal_opened", event.community_id, event.number, {"title": event.title}
    )
    _queue(
        session,
        f"proposal-opened:{event.community_id}:{event.number}",
        event.community_id,
        [notice],
    )


def on_proposal_closing(session: Session, event: ProposalClosingSoon) -> None:
    """Remind every member that voting closes within a day, once per proposal."""
    notice = _proposal_notice(
        session, "proposal_closing", event.community_id, event.number, {"title": event.title}
    )
    key = f"proposal-closing:{event.community_id}:{event.number}"
    _queue(session, key, event.community_id, [notice])


def on_proposal_decided(session: Session, event: ProposalDecided) -> None:
    """Tell every member the result."""
    notice = _proposal_notice(
        session,
        "proposal_result",
        event.community_id,
        event.number,
        {"title": event.title, "outcome": event.outcome},
    )
    key = f"proposal-result:{event.community_id}:{event.number}"
    _queue(session, key, event.community_id, [notice])


def on_job_failed(session: Session, event: jobs.JobFailed) -> None:
    """Tell the community's stewards (or the instance's admins) that a job gave up."""
    if event.name == DELIVER_JOB:
        return  # never notify about failing to notify: that could loop
    community = session.get(Community, event.community_id) if event.community_id else None
    audience: list[Any] = ["stewards", community.id] if community else ["admins", 0]
    notice = {
        "kind": "job_failed",
        "audience": audience,
        "params": {
            "community": community.name if community else "",
            # sentences are worded for each recipient (mail.words); plain text as it is
            "title": event.sentences.get("title") or event.title or event.name,
            "error": event.sentences.get("error") or event.error[:300],
        },
        "url": f"/jobs/{event.job_id}",
    }
    _queue(
        session, f"job-failed:{event.job_id}:{utcnow().isoformat()}", event.community_id, [notice]
    )


def on_alert_opened(session: Session, event: AlertOpened) -> None:
    """Tell the community's stewards that a compost drum's alert episode opened (once)."""
    community = _community(session, event.community_id)
    peak = "" if event.peak is None else f"{event.peak:g}"
    notice = {
        "kind": "telemetry_alarm",
        "audience": ["stewards", community.id],
        "params": {
            "community": community.name,
            "device": event.device_name or event.device,
            "alert": event.kind,
            "level": event.level,
            "since": event.since,
            "peak": peak + (" min" if event.kind == "silent" else ""),
        },
        "url": f"/communities/{community.slug}/biotumblers/{event.device}",
    }
    _queue(session, f"biotumbler-alert:{event.episode_id}", community.id, [notice])


def connect() -> None:
    """Connect every handler to its domain event (called by the composition root)."""
    signals.connect(AllocationCommitted, on_allocation)
    signals.connect(HandoverChanged, on_handover)
    signals.connect(RoleChanged, on_role_changed)
    signals.connect(Invited, on_invited)
    signals.connect(WaitlistPromoted, on_waitlist)
    signals.connect(EventCancelled, on_event_cancelled)
    signals.connect(EventChanged, on_event_changed)
    signals.connect(EventSoon, on_event_soon)
    signals.connect(ProposalOpened, on_proposal_opened)
    signals.connect(ProposalClosingSoon, on_proposal_closing)
    signals.connect(FlashCalled, on_flash)
    signals.connect(ProposalDecided, on_proposal_decided)
    signals.connect(jobs.JobFailed, on_job_failed)
    signals.connect(AlertOpened, on_alert_opened)
