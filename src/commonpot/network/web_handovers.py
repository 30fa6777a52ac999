"""The last mile's pages: "My food" (recipients), "My offers" (donors), carrying (volunteers).

Each page lists only the viewer's own handovers (stewards see every one on the run page);
a live stream tells the open page when one of them moves, addressed to the people involved.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from commonpot import communities
from commonpot.accounts import User
from commonpot.bus import bus_of, sse_stream
from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError, Invalid, NotFound
from commonpot.http import PostedForm, unit_of_work, verify_csrf_form
from commonpot.network import handovers, live, volunteering
from commonpot.network.access import is_steward, require_reader
from commonpot.network.models import Handover
from commonpot.paging import Page, address, page_number, pager
from commonpot.params import Id
from commonpot.templating import redirect, redirect_error, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
BASE = "/communities/{slug}/network"
UNPROCESSABLE = 422
STEPS = ("confirm", "window", "decline", "volunteer", "picked-up", "handed-over")
DONE_MESSAGES = {
    "confirm": "Confirmed: the donor knows when you come.",
    "window": "Your pickup window is changed.",
    "decline": "Declined: the food goes to the next person who needs it.",
    "volunteer": "Thank you for carrying it.",
    "picked-up": "Marked as picked up.",
    "handed-over": "Handed over: thank you.",
}


def parse_when(raw: str, field: str, zone: ZoneInfo | None = None) -> datetime:
    """A `datetime-local` value, read in the community's time zone (UTC without one)."""
    text = (raw or "").strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            "%(where)s: must be a date and time like 2026-05-01T17:30", field=field, where=field
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    return value.astimezone(UTC)


def zone_of(here: Here) -> ZoneInfo:
    """The community's time zone: pickup windows are shown and typed in it."""
    return ZoneInfo(communities.timezone_of(here.community, here.settings.default_timezone))


def time_context(here: Here) -> dict[str, Any]:
    """What templates need to show times in the community's zone: `local(moment)`, its name."""
    zone = zone_of(here)

    def local(moment: datetime) -> datetime:
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return aware.astimezone(zone)

    return {"local": local, "zone_name": zone.key}


def publish_after(request: Request, here: Here) -> BackgroundTask:
    """Publish the live updates this request queued once it has committed and answered."""
    return BackgroundTask(live.publish_queued, request.app.state, here.session)


def _names(here: Here, found: list[Handover]) -> dict[int, str]:
    ids = {u for h in found for u in (h.donor_id, h.recipient_id, h.volunteer_id) if u}
    if not ids:
        return {}
    return {u.id: u.display_name for u in here.session.query(User).filter(User.id.in_(ids))}


def _markers(found: list[Handover]) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{h.quantity} {h.unit} {h.category}",
            "kind": "offer",
            "lat": h.lat,
            "lon": h.lon,
        }
        for h in found
        if h.state in ("proposed", "confirmed", "picked_up")
    ]


# each list's address under /communities/{slug}/network/
PATHS = {"food": "my-food", "offers": "my-offers", "carry": "carry"}


def _page(
    request: Request,
    here: Here,
    which: str,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    failed_id: int | None = None,
    page: int = 1,
    history: int = 1,
) -> Response:
    require_reader(here.session, here.community, here.viewer)
    mine = handovers.mine_shown(
        here.session,
        here.community,
        here.viewer,
        which,
        offset=(history - 1) * handovers.HISTORY_SHOWN,
    )
    found = mine.rows
    path = f"/communities/{here.community.slug}/network/" + PATHS[which]
    waiting = (
        handovers.needing_transport(
            here.session,
            here.community,
            here.viewer,
            offset=(page - 1) * handovers.CARRY_SHOWN,
        )
        if which == "carry"
        else Page([], 0)
    )
    slots = (
        volunteering.my_slots(here.session, here.community, here.viewer) if which == "carry" else []
    )
    data = here.page(
        **time_context(here),
        which=which,
        slots=slots,
        handovers=found,
        open_to_carry=waiting.rows,
        carry_pager=pager(
            len(waiting.rows),
            waiting.total,
            page,
            handovers.CARRY_SHOWN,
            lambda at: address(path, page=at, history=history),
        ),
        history_pager=pager(
            len(found),
            mine.total,
            history,
            handovers.HISTORY_SHOWN,
            lambda at: address(path, page=page, history=at),
        ),
        names=_names(here, found),
        markers=_markers(found),
        center=[here.community.lat, here.community.lon] if here.community.lat else None,
        live_url=f"/communities/{here.community.slug}/network/live",
        values=values or {},
        form_error=error.detail if error else None,
        error_field=error.field if error else None,
        failed_id=failed_id,
        can_run=is_steward(here.session, here.community, here.viewer),
    )
    status = UNPROCESSABLE if error else 200
    return render(request, "network/handovers.html", data, ctx=here, status_code=status)


@router.get(BASE + "/my-food", response_class=HTMLResponse)
def my_food(request: Request, here: CommunityScope, history: str = "") -> Response:
    """What is coming to me: what, where, when; confirm, decline or change the window (a
    hundred at a time, what is still to come first: `?history=2`)."""
    return _page(request, here, "food", history=page_number(history, "history"))


@router.get(BASE + "/my-offers", response_class=HTMLResponse)
def my_offers(request: Request, here: CommunityScope, history: str = "") -> Response:
    """Who collects what of my offers, and when; mark it handed over (a hundred at a time:
    `?history=2`)."""
    return _page(request, here, "offers", history=page_number(history, "history"))


@router.get(BASE + "/carry", response_class=HTMLResponse)
def carry(request: Request, here: CommunityScope, page: str = "", history: str = "") -> Response:
    """Handovers I carry (a hundred at a time: `?history=2`), and open ones that need
    someone to carry them (a hundred at a time, soonest first: `?page=2`)."""
    return _page(
        request,
        here,
        "carry",
        page=page_number(page, "page"),
        history=page_number(history, "history"),
    )


@router.post(BASE + "/handovers/{handover_id}/{step}")
def step(
    handover_id: Id, step: str, request: Request, here: CommunityScope, posted: PostedForm
) -> Response:
    """Move a handover one step; a bad window comes back with what was typed (422)."""
    form = {k: str(v) for k, v in posted.items() if k != "csrf_token"}
    back = form.get("back", "food")
    back = back if back in ("food", "offers", "carry") else "food"
    url = f"/communities/{here.community.slug}/network/{PATHS[back]}"
    session, community, viewer = here.session, here.community, here.viewer
    zone = zone_of(here)
    try:
        with session.begin_nested():
            if step == "confirm":
                start = form.get("window_start", "").strip()
                end = form.get("window_end", "").strip()
                handovers.confirm(
                    session,
                    community,
                    viewer,
                    handover_id,
                    window_start=parse_when(start, "window_start", zone) if start else None,
                    window_end=parse_when(end, "window_end", zone) if end else None,
                )
            elif step == "window":
                handovers.change_window(
                    session,
                    community,
                    viewer,
                    handover_id,
                    window_start=parse_when(form.get("window_start", ""), "window_start", zone),
                    window_end=parse_when(form.get("window_end", ""), "window_end", zone),
                )
            elif step == "decline":
                handovers.decline(session, community, viewer, handover_id)
            elif step == "volunteer":
                handovers.volunteer(session, community, viewer, handover_id)
            elif step == "picked-up":
                handovers.mark_picked_up(session, community, viewer, handover_id)
            elif step == "handed-over":
                handovers.mark_handed_over(session, community, viewer, handover_id)
            else:
                raise NotFound("No such step.")
    except Invalid as exc:
        return _page(request, here, back, values=form, error=exc, failed_id=handover_id)
    except DomainError as exc:
        if exc.status in (401, 404):
            raise
        return redirect_error(request, url, exc)
    response = redirect(request, url, DONE_MESSAGES[step])
    response.background = publish_after(request, here)
    return response


def _live_access(request: Request, slug: str) -> tuple[int, int | None, bool]:
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        require_reader(ctx.session, community, ctx.viewer)
        steward = is_steward(ctx.session, community, ctx.viewer)
        return community.id, ctx.viewer.user_id, steward


def reaches(message: dict[str, Any], user_id: int | None, steward: bool) -> bool:
    """Does a handover update reach this viewer? Stewards, and the people it names."""
    return steward or (user_id is not None and user_id in message.get("users", []))


def stream(
    request: Request,
    community_id: int,
    user_id: int | None,
    steward: bool,
    limit: int | None = None,
) -> AsyncIterator[str]:
    """Handover updates for the people involved (and the stewards), as SSE."""
    return sse_stream(
        bus_of(request.app.state),
        handovers.live_channel(community_id),
        accept=lambda m: reaches(m, user_id, steward),
        is_disconnected=request.is_disconnected,
        limit=limit,
    )


@router.get(BASE + "/live")
async def live_updates(slug: str, request: Request, limit: int | None = None) -> Response:
    """Server-sent events: my handovers as they move (members of the community only)."""
    community_id, user_id, steward = await run_in_threadpool(_live_access, request, slug)
    return StreamingResponse(
        stream(request, community_id, user_id, steward, limit=limit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(BASE + "/slots")
def add_slot(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Sign up to drive in a time slot (shown again with what was typed if it is wrong)."""
    form = {k: str(v) for k, v in posted.items() if k != "csrf_token"}
    try:
        with here.session.begin_nested():
            try:
                capacity = int(form.get("capacity", "").strip())
                lat, lon = float(form.get("lat", "")), float(form.get("lon", ""))
            except ValueError as exc:
                field = "capacity" if "capacity" in str(exc) or not form.get("capacity") else "lat"
                raise Invalid("%(where)s: must be a number", field=field, where=field) from None
            volunteering.sign_up(
                here.session,
                here.community,
                here.viewer,
                starts_at=parse_when(form.get("starts_at", ""), "starts_at", zone_of(here)),
                ends_at=parse_when(form.get("ends_at", ""), "ends_at", zone_of(here)),
                capacity=capacity,
                lat=lat,
                lon=lon,
            )
    except Invalid as exc:
        return _page(request, here, "carry", values=form, error=exc, failed_id=0)
    url = f"/communities/{here.community.slug}/network/carry"
    return redirect(request, url, "Thank you: your slot is saved. A steward plans the routes.")


@router.get(BASE + "/slots/{slot_id}", response_class=HTMLResponse)
def route_page(slot_id: Id, request: Request, here: CommunityScope) -> Response:
    """A volunteer's route: stops in order, what to load and unload, a map (printable)."""
    slot = volunteering.get_slot(here.session, here.community, here.viewer, slot_id)
    stops = (slot.route or {}).get("stops", [])
    ids = [int(stop["handover"]) for stop in stops]
    found = {
        h.id: h
        for h in here.session.query(Handover).filter(
            Handover.community_id == here.community.id, Handover.id.in_(ids)
        )
    }
    names = _names(here, list(found.values()))
    rows = []
    for number, stop in enumerate(stops, start=1):
        handover = found.get(int(stop["handover"]))
        if handover is None:
            continue
        person = handover.donor_id if stop["action"] == "pickup" else handover.recipient_id
        rows.append(
            {
                **stop,
                "number": number,
                "arrive": datetime.fromisoformat(stop["arrive"]),
                "person": names.get(person or 0, ""),
                "state": handover.state,
            }
        )
    markers = [
        {
            "name": f"{r['number']}. {r['quantity']} {r['unit']} {r['category']}",
            "kind": "offer" if r["action"] == "pickup" else "need",
            "lat": r["lat"],
            "lon": r["lon"],
        }
        for r in rows
    ]
    data = here.page(slot=slot, rows=rows, markers=markers, center=None, **time_context(here))
    return render(request, "network/route.html", data, ctx=here)


@router.post(BASE + "/runs/routes")
def plan_routes(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Stewards: route a day's handovers that need transport through the volunteers' slots."""
    url = f"/communities/{here.community.slug}/network/runs"
    raw = str(posted.get("day", "")).strip()
    try:
        with here.session.begin_nested():
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise Invalid("day: must be a date like 2026-05-01", field="day") from None
            volunteering.plan_day(here.session, here.community, here.viewer, day)
    except DomainError as exc:
        return redirect_error(request, url, exc)
    response = redirect(request, url, "Routes planned: each volunteer's route is on their page.")
    response.background = publish_after(request, here)
    return response
