"""Network pages: share food (offers and needs on a map) and foraging patches.

Forms that fail come back with what was typed (status 422) through the page's one builder
(`web_forms`). Allocation runs' pages are in `web_runs`, the last mile's in `web_handovers`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.communities.scope import CommunityScope, Here, shared_read
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.i18n import stored_word
from commonpot.network import service, web_handovers, web_runs
from commonpot.network.checks import UNITS
from commonpot.network.web_forms import UNPROCESSABLE, failed, form_values, number
from commonpot.paging import Page, address, page_number, pager
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import (
    READER_TOKEN,
    for_reader,
    fragment,
    reader,
    reader_locale,
    redirect,
    redirect_error,
    render,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
SECTION = {
    "label": "Food sharing",
    "path": "network",
    "order": 30,
    "blurb": "Offer and ask for food, map foraging patches, share fairly.",
}
BASE = "/communities/{slug}/network"
router.include_router(web_handovers.router)


class Wanted(NamedTuple):
    """What the sharing page was asked to show: a category alone (None: every one), and which
    page of each list (from 1)."""

    category: str | None = None
    offers_page: int = 1
    needs_page: int = 1

    def url(self, slug: str, **changed: Any) -> str:
        """The page's address showing this with `changed` (a page number, the category)."""
        return address(f"/communities/{slug}/network", **self._replace(**changed)._asdict())


class OfferRow(NamedTuple):
    """Everything `network/_offer_row.html` shows of an open offer: the key it is kept by."""

    id: int
    category: str
    description: str
    quantity: int
    allocated: int
    unit: str
    expires_at: datetime | None
    may_withdraw: bool  # its author's, or a steward reads


class GroupChoice(NamedTuple):
    """A priority group as a need's row offers it."""

    id: int
    name: str
    priority: float


class NeedRow(NamedTuple):
    """Everything `network/_need_row.html` shows of an open need: the key it is kept by."""

    id: int
    category: str
    description: str
    received: int
    quantity: int
    unit: str
    circumstances: tuple[str, ...]
    circumstances_note: str
    group_id: int | None
    group_name: str | None  # the group it is placed in
    priority_consent: bool
    can_run: bool  # a steward reads: the row offers the priority groups
    groups: tuple[GroupChoice, ...]


@lru_cache(maxsize=8192)
def _offer_row(templates: Any, locale: str, slug: str, row: OfferRow) -> str:
    """An open offer's row as the sharing page lists it, written from `row` alone in
    `locale` with `READER_TOKEN` for the CSRF token (`templating.fragment`): once per
    process while it reads the same, not on every page (two hundred rows were most of a
    city's page)."""
    community = SimpleNamespace(slug=slug)
    return str(
        fragment(
            templates,
            "network/_offer_row.html",
            locale,
            o=row,
            may_withdraw=row.may_withdraw,
            community=community,
            csrf_token=READER_TOKEN,
        )
    )


@lru_cache(maxsize=8192)
def _need_row(templates: Any, locale: str, slug: str, row: NeedRow) -> str:
    """An open need's row as the sharing page lists it (as `_offer_row`)."""
    return str(
        fragment(
            templates,
            "network/_need_row.html",
            locale,
            n=row,
            can_run=row.can_run,
            groups=row.groups,
            community=SimpleNamespace(slug=slug),
            csrf_token=READER_TOKEN,
        )
    )


def _overview_page(
    request: Request,
    here: Here,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    form: str | None = None,
    wanted: Wanted = Wanted(),
) -> Response:
    """Open offers and needs on a map, with the forms (again with the input when one failed):
    `SHOWN` of each list at a time, newest first, of one category when asked."""
    status = UNPROCESSABLE if error else 200
    data = here.page(**failed(error, values, form))
    community, session, viewer = here.community, here.session, here.viewer
    if not (here.is_member or viewer.is_admin):
        return render(request, "network/overview.html", data, ctx=here, status_code=status)
    offers = service.open_shown(
        session,
        community,
        viewer,
        "offers",
        category=wanted.category,
        offset=(wanted.offers_page - 1) * service.SHOWN,
    )
    needs = service.open_shown(
        session,
        community,
        viewer,
        "needs",
        category=wanted.category,
        offset=(wanted.needs_page - 1) * service.SHOWN,
    )
    patches = service.patches(session, community, viewer)
    words = reader(request)

    def marker(row: Any, left: int, kind: str) -> dict[str, Any]:
        unit = words.gettext(stored_word(row.unit))
        name = f"{row.category}: {words.number(left, 0)} {unit}"
        return {"name": name, "kind": kind, "lat": row.lat, "lon": row.lon}

    markers = (
        [marker(o, o.quantity - o.allocated, "offer") for o in offers.rows]
        + [marker(n, n.quantity - n.received, "need") for n in needs.rows]
        + [{"name": p.name, "kind": "patch", "lat": p.lat, "lon": p.lon} for p in patches]
    )
    center = [community.lat, community.lon] if community.lat is not None else None
    found_groups = service.groups(session, community, viewer)

    def under(shown: Page, field: str) -> dict[str, Any]:
        """The pager under one list (its page in `field`), keeping the other's page."""
        page = getattr(wanted, field)

        def url(at: int) -> str:
            return wanted.url(community.slug, **{field: at})

        return pager(len(shown.rows), shown.total, page, service.SHOWN, url)

    can_run = service.is_steward(session, community, viewer)
    templates, locale, slug = request.app.state.templates, reader_locale(request), community.slug
    choices = tuple(GroupChoice(g.id, g.name, g.priority) for g in found_groups)
    names = {g.id: g.name for g in found_groups}
    offer_rows = [
        _offer_row(
            templates,
            locale,
            slug,
            OfferRow(
                o.id,
                o.category,
                o.description or "",
                o.quantity,
                o.allocated,
                o.unit,
                o.expires_at,
                o.user_id == viewer.user_id or can_run,
            ),
        )
        for o in offers.rows
    ]
    need_rows = [
        _need_row(
            templates,
            locale,
            slug,
            NeedRow(
                n.id,
                n.category,
                n.description or "",
                n.received,
                n.quantity,
                n.unit,
                tuple(n.circumstances or ()),
                n.circumstances_note or "",
                n.group_id,
                names.get(n.group_id),
                bool(n.priority_consent),
                can_run,
                choices if can_run and n.priority_consent else (),
            ),
        )
        for n in needs.rows
    ]
    data.update(
        offers=offers.rows,
        needs=needs.rows,
        offer_rows=for_reader(request, "".join(offer_rows)),
        need_rows=for_reader(request, "".join(need_rows)),
        offers_pager=under(offers, "offers_page"),
        needs_pager=under(needs, "needs_page"),
        category=wanted.category,
        categories=service.open_categories(session, community, viewer),
        groups=found_groups,
        group_names={g.id: g.name for g in found_groups},
        circumstance_codes=service.CIRCUMSTANCES,
        markers=markers,
        center=center,
        units=UNITS,
        can_run=can_run,
    )
    return render(request, "network/overview.html", data, ctx=here, status_code=status)


@router.get(BASE, response_class=HTMLResponse)
async def overview(
    request: Request,
    slug: str,
    category: str = "",
    offers_page: str = "",
    needs_page: str = "",
) -> Response:
    """Open offers and needs on a map, with forms to offer and to ask: a hundred of each at a
    time, newest first (`?offers_page=2`, `?needs_page=2`), of one category when asked
    (`?category=flour`).

    Read and rendered on the event loop; for readers not signed in (who see the page's frame,
    never the offers, needs or patches) rendered once while the database is unchanged
    (`shared_read`: never an address with a query)."""
    wanted = Wanted(
        category.strip().lower()[:60] or None,
        page_number(offers_page, "offers_page"),
        page_number(needs_page, "needs_page"),
    )
    return await shared_read(
        request, slug, lambda here: _overview_page(request, here, wanted=wanted), page=True
    )


MAX_EXPIRY_HOURS = 24 * 366  # an offer keeps at most a year


def _expiry_hours(form: dict[str, str]) -> float:
    """The offer's hours to live from the form: more than none, at most a year."""
    hours = float(number(form, "expires_in_hours"))
    if not 0 < hours <= MAX_EXPIRY_HOURS:
        raise Invalid(
            "%(where)s: must be more than 0 and at most %(most)s hours",
            field="expires_in_hours",
            where="expires_in_hours",
            most=MAX_EXPIRY_HOURS,
        )
    return hours


@router.post(BASE + "/offers")
def add_offer(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Offer food from the form (shown again with what was typed if something is wrong)."""
    form = form_values(posted)
    try:
        with here.session.begin_nested():
            hours = form.get("expires_in_hours", "").strip()
            expires = utcnow() + timedelta(hours=_expiry_hours(form)) if hours else None
            service.create_offer(
                here.session,
                here.community,
                here.viewer,
                category=form.get("category", ""),
                quantity=number(form, "quantity", int),
                lat=number(form, "lat"),
                lon=number(form, "lon"),
                description=form.get("description", ""),
                expires_at=expires,
                unit=form.get("unit", ""),
            )
    except DomainError as exc:
        return _overview_page(request, here, values=form, error=exc, form="offer")
    url = f"/communities/{here.community.slug}/network"
    return redirect(request, url, "Thank you: your offer is open.")


@router.post(BASE + "/needs")
def add_need(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Ask for food from the form (shown again with what was typed if something is wrong)."""
    form = form_values(posted)
    ticked = [str(v) for v in posted.getlist("circumstances")]
    form["circumstances"] = ",".join(ticked)
    try:
        with here.session.begin_nested():
            group = form.get("group_id", "").strip()
            service.create_need(
                here.session,
                here.community,
                here.viewer,
                category=form.get("category", ""),
                quantity=number(form, "quantity", int),
                lat=number(form, "lat"),
                lon=number(form, "lon"),
                description=form.get("description", ""),
                group_id=int(group) if is_digits(group) else None,
                unit=form.get("unit", ""),
                circumstances=ticked,
                circumstances_note=form.get("circumstances_note", ""),
                priority_consent=form.get("priority_consent") == "on",
            )
    except DomainError as exc:
        return _overview_page(request, here, values=form, error=exc, form="need")
    url = f"/communities/{here.community.slug}/network"
    return redirect(request, url, "Your need is recorded; the next allocation will include it.")


@router.post(BASE + "/needs/{need_id}/group")
def place_need(need_id: Id, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """A steward places a need in a priority group (only when the person agreed)."""
    url = f"/communities/{here.community.slug}/network"
    group = str(posted.get("group_id", "")).strip()
    try:
        with here.session.begin_nested():
            if group and not is_digits(group):
                raise Invalid("group_id: choose a priority group", field="group_id")
            service.assign_group(
                here.session, here.community, here.viewer, need_id, int(group) if group else None
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Priority group saved.")


@router.post(BASE + "/{kind}/{item_id}/withdraw")
def withdraw(kind: str, item_id: Id, request: Request, here: CommunityScope) -> Response:
    """Withdraw an offer or a need."""
    url = f"/communities/{here.community.slug}/network"
    try:
        with here.session.begin_nested():
            if kind == "offers":
                service.withdraw_offer(here.session, here.community, here.viewer, item_id)
            elif kind == "needs":
                service.withdraw_need(here.session, here.community, here.viewer, item_id)
            else:
                raise Invalid("Only offers and needs can be withdrawn.")
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Withdrawn.")


def _patches_page(
    request: Request,
    here: Here,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    form: str | None = None,
) -> Response:
    """Foraging patches (again with the input when a form failed)."""
    service.require_reader(here.session, here.community, here.viewer)
    found = service.patches(here.session, here.community, here.viewer)
    rows = [(p, service.harvested_this_season(here.session, p)) for p in found]
    markers = [{"name": p.name, "kind": "patch", "lat": p.lat, "lon": p.lon} for p in found]
    data = here.page(rows=rows, markers=markers, **failed(error, values, form))
    status = UNPROCESSABLE if error else 200
    return render(request, "network/patches.html", data, ctx=here, status_code=status)


@router.get(BASE + "/patches", response_class=HTMLResponse)
def patches_page(request: Request, here: CommunityScope) -> Response:
    """Foraging patches with their sustainable yield and this season's harvests."""
    return _patches_page(request, here)


@router.post(BASE + "/patches")
def add_patch(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Map a patch from the form."""
    form = form_values(posted)
    try:
        with here.session.begin_nested():
            service.save_patch(
                here.session,
                here.community,
                here.viewer,
                name=form.get("name", ""),
                species=form.get("species", ""),
                lat=number(form, "lat"),
                lon=number(form, "lon"),
                sustainable_yield_kg=number(form, "sustainable_yield_kg"),
                season_start_month=number(form, "season_start_month", int),
                notes=form.get("notes", ""),
            )
    except DomainError as exc:
        return _patches_page(request, here, values=form, error=exc, form="patch")
    return redirect(request, f"/communities/{here.community.slug}/network/patches", "Patch saved.")


@router.post(BASE + "/patches/{patch_id}/harvests")
def add_harvest(
    patch_id: Id, request: Request, here: CommunityScope, posted: PostedForm
) -> Response:
    """Log a harvest from the form."""
    form = form_values(posted)
    try:
        with here.session.begin_nested():
            service.log_harvest(
                here.session,
                here.community,
                here.viewer,
                patch_id,
                quantity_kg=number(form, "quantity_kg"),
                note=form.get("note", ""),
            )
    except DomainError as exc:
        return _patches_page(request, here, values=form, error=exc, form=f"harvest-{patch_id}")
    url = f"/communities/{here.community.slug}/network/patches"
    return redirect(request, url, "Harvest logged.")


# after the routes above: `/{kind}/{item_id}/withdraw` is tried before the runs' routes
router.include_router(web_runs.router)
