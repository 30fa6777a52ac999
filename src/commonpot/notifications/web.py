"""Notification pages and API: the inbox, preferences, and unsubscribing without signing in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from commonpot.errors import DomainError
from commonpot.http import Ctx, PostedForm, Unit, api_router_for, verify_csrf_form
from commonpot.notifications import mail, service
from commonpot.notifications.kinds import CHANNELS, KINDS
from commonpot.notifications.models import Notification
from commonpot.params import Id
from commonpot.templating import reader_locale, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
api_router = api_router_for("notifications")


class NotificationOut(BaseModel):
    """One notification, in the reader's language."""

    id: int
    kind: str
    subject: str
    body: str
    url: str
    created_at: datetime
    read: bool


class PreferencesIn(BaseModel):
    """Channels by kind: inapp, email, digest or off."""

    model_config = ConfigDict(extra="forbid")
    channels: dict[str, str] = Field(max_length=len(KINDS))


def shown(note: Notification, locale: str) -> dict[str, Any]:
    """A notification's words for this reader."""
    subject, body = mail.words(note.kind, note.params, locale)
    return {"note": note, "subject": subject, "body": body}


def _secret(request: Request) -> str:
    secret: str = request.app.state.secret_key
    return secret


@router.get("/me/notifications", response_class=HTMLResponse)
def inbox_page(request: Request, ctx: Unit) -> Response:
    """Your notifications, newest first."""
    if ctx.viewer.user is None:
        return redirect(request, "/login?next=/me/notifications")
    locale = reader_locale(request)
    items = [shown(n, locale) for n in service.inbox(ctx.session, ctx.viewer)]
    return render(request, "notifications/inbox.html", {"items": items}, ctx=ctx)


@router.post("/me/notifications/read")
def read(request: Request, ctx: Unit, form: PostedForm) -> Response:
    """Mark one notification read (or all of them, without an id)."""
    raw = str(form.get("id", "")).strip()
    service.mark_read(ctx.session, ctx.viewer, int(raw) if raw.isdigit() else None)
    return redirect(request, "/me/notifications", "Marked as read.")


def _preferences_page(
    ctx: Ctx, *, values: dict[str, str] | None = None, error: DomainError | None = None
) -> Response:
    """The preferences form; after a failed save, with what was chosen and the reason."""
    user = ctx.viewer.require_user()
    data = {
        "chosen": {**service.preferences(ctx.session, user.id), **(values or {})},
        "kinds": KINDS,
        "channels": CHANNELS,
        "form_error": error.detail if error else None,
        "error_field": error.field if error else None,
    }
    status = error.status if error else 200
    return render(ctx.request, "notifications/preferences.html", data, ctx=ctx, status_code=status)


@router.get("/me/notifications/preferences", response_class=HTMLResponse)
def preferences_page(ctx: Unit) -> Response:
    """Choose, per kind, how you hear: in the inbox, by e-mail now, in a daily digest, or not."""
    return _preferences_page(ctx)


@router.post("/me/notifications/preferences", response_class=HTMLResponse)
def save_preferences(request: Request, ctx: Unit, form: PostedForm) -> Response:
    """Save your choices (or show them again, as chosen, with what to fix)."""
    choices = {k: str(v) for k, v in form.items() if k in KINDS}
    try:
        with ctx.session.begin_nested():
            service.set_preferences(ctx.session, ctx.viewer, choices)
    except DomainError as exc:
        return _preferences_page(ctx, values=choices, error=exc)
    return redirect(request, "/me/notifications/preferences", "Saved.")


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, request: Request, ctx: Unit) -> Response:
    """Confirm stopping one kind of e-mail (no sign-in needed: the link is signed)."""
    _, kind = service.read_unsubscribe(_secret(request), token)
    data = {"token": token, "kind": KINDS[kind], "done": False}
    return render(request, "notifications/unsubscribe.html", data, ctx=ctx)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, request: Request, ctx: Unit) -> Response:
    """Stop one kind of notification for the link's owner."""
    _, kind = service.unsubscribe(ctx.session, _secret(request), token)
    data = {"token": token, "kind": KINDS[kind], "done": True}
    return render(request, "notifications/unsubscribe.html", data, ctx=ctx)


@api_router.get("/me/notifications", response_model=list[NotificationOut])
def api_inbox(request: Request, ctx: Unit) -> list[NotificationOut]:
    """Your notifications, newest first, in your language (Accept-Language)."""
    locale = reader_locale(request)
    out = []
    for note in service.inbox(ctx.session, ctx.viewer):
        subject, body = mail.words(note.kind, note.params, locale)
        out.append(
            NotificationOut(
                id=note.id,
                kind=note.kind,
                subject=subject,
                body=body,
                url=note.url,
                created_at=note.created_at,
                read=note.read_at is not None,
            )
        )
    return out


@api_router.post("/me/notifications/{notification_id}/read", status_code=204)
def api_read(notification_id: Id, ctx: Unit) -> Response:
    """Mark one notification read."""
    service.mark_read(ctx.session, ctx.viewer, notification_id)
    return Response(status_code=204)


@api_router.get("/me/notification-preferences", response_model=dict[str, str])
def api_preferences(ctx: Unit) -> dict[str, str]:
    """How you hear about each kind."""
    return service.preferences(ctx.session, ctx.viewer.require_user().id)


@api_router.put("/me/notification-preferences", response_model=dict[str, str])
def api_set_preferences(body: PreferencesIn, ctx: Unit) -> dict[str, str]:
    """Change how you hear about some kinds; 422 names a bad kind or channel."""
    return service.set_preferences(ctx.session, ctx.viewer, body.channels)
