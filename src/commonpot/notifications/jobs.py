"""Notification jobs: fan a notice out to its audience, send e-mails, send the daily digest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commonpot import jobs
from commonpot.accounts import User
from commonpot.communities import Invitation, Membership, Role
from commonpot.db import utcnow
from commonpot.events import Registration
from commonpot.jobs import Job
from commonpot.notifications import mail, service
from commonpot.notifications.kinds import N_
from commonpot.notifications.models import Notification
from commonpot.tenancy import select_scoped
from commonpot.words import said

DELIVER_JOB = "notifications.deliver"
EMAIL_JOB = "notifications.email"
DIGEST_JOB = "notifications.digest"
INVITATION_JOB = "notifications.invitation"
INVITATION_NOTE = N_("Open the link to create your account and join. It works once.")


def audience(session: Session, notice: dict[str, Any]) -> list[int]:
    """The user ids a notice goes to: listed people, or members/stewards/sign-ups/admins."""
    if "users" in notice:
        return [int(u) for u in notice["users"]]
    what, ref = notice["audience"]
    if what == "members":
        query = select_scoped(Membership, ref).with_only_columns(Membership.user_id)
    elif what == "stewards":
        query = (
            select_scoped(Membership, ref)
            .with_only_columns(Membership.user_id)
            .where(Membership.role == Role.STEWARD.value)
        )
    elif what == "event":
        query = select(Registration.user_id).where(Registration.event_id == ref)
    elif what == "signed_up":
        query = select(Registration.user_id).where(
            Registration.event_id == ref, Registration.status.in_(("confirmed", "waitlisted"))
        )
    elif what == "confirmed":
        query = select(Registration.user_id).where(
            Registration.event_id == ref, Registration.status == "confirmed"
        )
    elif what == "admins":
        query = select(User.id).where(User.is_admin.is_(True))
    else:
        raise ValueError(f"unknown audience {what!r}")
    return list(session.scalars(query))


def deliver(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """Record each notice for its audience; queue the e-mails that go out now."""
    session = ctx.session
    to_email: list[int] = []
    notices = payload.get("notices", [])
    for number, notice in enumerate(notices, start=1):
        to_email += service.fan_out(
            session,
            notice["kind"],
            audience(session, notice),
            notice.get("params", {}),
            url=notice.get("url", ""),
            community_id=payload.get("community_id"),
        )
        if len(notices) > 20 and number % 20 == 0:
            ctx.progress(
                number * 100 // len(notices),
                said("%(done)s of %(total)s", done=number, total=len(notices)),
            )
    for start in range(0, len(to_email), 500):
        jobs.enqueue(
            session,
            EMAIL_JOB,
            {"ids": to_email[start : start + 500]},
            key=f"{EMAIL_JOB}:{ctx.job_id}:{start}",
            community_id=payload.get("community_id"),
            title=said("E-mail notifications"),
        )


def _base_url(ctx: jobs.JobContext) -> str:
    settings = ctx.runtime.settings
    return (settings.base_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def email(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """Send the e-mails for these notifications (those not sent yet), each in its reader's words."""
    settings = ctx.runtime.settings
    if not settings.smtp_url:
        return
    session = ctx.session
    base = _base_url(ctx)
    secret = settings.resolved_secret_key()
    rows = session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(payload["ids"]), Notification.emailed_at.is_(None))
        .order_by(Notification.id)
    ).all()
    mails, sent = [], []
    for note, user in rows:
        if not user.is_active:
            continue
        subject, body = mail.words(note.kind, note.params, user.locale)
        token = service.unsubscribe_token(secret, user.id, note.kind)
        link = f"{base}{note.url}" if note.url else ""
        mails.append(
            mail.render(
                user.email,
                user.locale,
                [(subject, body, link)],
                subject=subject,
                unsubscribe_url=f"{base}/unsubscribe/{token}",
                preferences_url=f"{base}/me/notifications/preferences",
                instance=settings.instance_name,
            )
        )
        sent.append(note)
    mail.send(settings, mails)
    now = utcnow()
    for note in sent:
        note.emailed_at = now


def digest(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """Once a day: one e-mail per person with everything they chose to hear as a digest."""
    settings = ctx.runtime.settings
    if not settings.smtp_url:
        return
    session = ctx.session
    base = _base_url(ctx)
    mails, sent = [], []
    for user_id, notes in service.pending_digest(session).items():
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        items = []
        for note in notes:
            subject, body = mail.words(note.kind, note.params, user.locale)
            items.append((subject, body, f"{base}{note.url}" if note.url else ""))
        title = mail.translations(user.locale).gettext("Your daily digest")
        mails.append(
            mail.render(
                user.email,
                user.locale,
                items,
                subject=title,
                preferences_url=f"{base}/me/notifications/preferences",
                instance=settings.instance_name,
            )
        )
        sent += notes
    mail.send(settings, mails)
    now = utcnow()
    for note in sent:
        note.emailed_at = now


def invitation(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """E-mail an invitation link to an address that has no account here yet.

    Written in the inviting steward's language; a revoked, used or expired invitation is not
    sent. The link's secret leaves the job's record once the e-mail is out.
    """
    settings = ctx.runtime.settings
    session = ctx.session
    found = session.get(Invitation, int(payload["invitation_id"]))
    token = str(payload.get("token", ""))
    usable = found is not None and found.accepted_at is None and found.expires_at >= utcnow()
    if settings.smtp_url and token and found is not None and usable:
        inviter = session.get(User, found.created_by_id) if found.created_by_id else None
        locale = inviter.locale if inviter is not None else "en"
        params = {"community": found.community.name, "role": found.role}
        subject, body = mail.words("invited", params, locale)
        note = mail.translations(locale).gettext(INVITATION_NOTE)
        words = f"{body} {note}" + (f"\n\n“{found.note}”" if found.note else "")
        letter = mail.render(
            found.email or "",
            locale,
            [(subject, words, f"{_base_url(ctx)}/invite/{token}")],
            subject=subject,
            instance=settings.instance_name,
        )
        mail.send(settings, [letter])
    kept = {"invitation_id": payload["invitation_id"]}
    session.execute(update(Job).where(Job.id == ctx.job_id).values(payload=kept))


JOBS = (
    jobs.JobSpec(DELIVER_JOB, deliver),
    jobs.JobSpec(INVITATION_JOB, invitation, max_attempts=5),
    jobs.JobSpec(EMAIL_JOB, email, max_attempts=5),
    jobs.JobSpec(DIGEST_JOB, digest),
)
PERIODIC = (jobs.PeriodicSpec(DIGEST_JOB, minute="0", hour="7"),)
