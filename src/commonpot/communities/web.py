"""Community pages: home, members and invitations, places on a map, joining by invitation."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from commonpot import biotumblers, ecology, events, governance, network, recipes
from commonpot.accounts import start_session
from commonpot.accounts.cookies import rotate_csrf_cookie, set_session_cookie
from commonpot.communities import access, place_map, service
from commonpot.communities.api import invitation_url
from commonpot.communities.models import PlaceKind, Role
from commonpot.communities.schemas import InvitationIn, PlaceIn
from commonpot.communities.scope import CommunityScope, Here, enter, shared_read
from commonpot.errors import N_, Conflict, DomainError, Forbidden, Invalid
from commonpot.http import Ctx, Unit, verify_csrf_form
from commonpot.paging import address, page_number, pager
from commonpot.params import Id
from commonpot.parsing import is_digits, validated
from commonpot.templating import (
    fragment,
    reader,
    reader_locale,
    redirect,
    render,
    translations_for,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])


def community_context(ctx: Ctx, slug: str) -> dict[str, Any]:
    """What every community page shows: the community and the viewer's membership.

    Prefer the `CommunityScope` dependency (communities/scope.py) in new handlers.
    """
    return enter(ctx, slug).page()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Unit) -> Response:
    """The instance's front page: communities you may visit and those you belong to."""
    found = service.visible_communities(ctx.session, ctx.viewer)
    counts = {c.id: service.member_count(ctx.session, c) for c in found}
    return render(request, "home.html", {"communities": found, "counts": counts}, ctx=ctx)


HOME_LIMIT = 5


class Happening(NamedTuple):
    """What is going on, as the home shows it: each domain's own read (so each decides what
    this viewer may see), as plain rows; the key its section is kept by."""

    slug: str
    upcoming_events: tuple[Any, ...]
    closing_votes: tuple[Any, ...]
    new_offers: tuple[Any, ...]
    new_needs: tuple[Any, ...]
    recent_recipes: tuple[Any, ...]
    tumblers: tuple[Any, ...]
    ecology: tuple[tuple[str, Any], ...]


def happening(here: Here) -> Happening:
    """What is going on in the community, as this viewer may see it."""
    session, community, viewer = here.session, here.community, here.viewer
    offers, needs = network.latest(session, community, viewer, limit=HOME_LIMIT)
    return Happening(
        community.slug,
        tuple(events.upcoming(session, community, viewer, limit=HOME_LIMIT)),
        tuple(governance.closing_soon(session, community, viewer, limit=HOME_LIMIT)),
        tuple(offers),
        tuple(needs),
        tuple(recipes.recent_recipes(session, community, viewer, limit=HOME_LIMIT)),
        tuple(biotumblers.highlights(session, community, viewer)),
        tuple(sorted(ecology.highlights(session, community, viewer).items())),
    )


@lru_cache(maxsize=1024)
def _happening_html(templates: Any, locale: str, shown: Happening) -> Markup:
    """The home's "What is happening" section, written from `shown` alone in `locale`
    (`templating.fragment`): once per process while it reads the same, for every reader who
    may see the same (a home page is read far more often than anything on it changes)."""
    values = {**shown._asdict(), "ecology": dict(shown.ecology)}
    base = f"/communities/{shown.slug}"
    return fragment(templates, "communities/_happening.html", locale, base=base, **values)


@router.get("/communities/{slug}", response_class=HTMLResponse)
async def community_home(request: Request, slug: str) -> Response:
    """A community's home page: what is happening, each item linking on, and its places.

    Where a shared link lands: read and rendered on the event loop, without a thread hop,
    and, for readers not signed in, rendered once while the database is unchanged and no
    event listed has a session end or is over (`shared_read`)."""
    changes: list[datetime | None] = [None]

    def page(here: Here) -> Response:
        places = place_map.place_pins(here.session, here.community)
        shown = happening(here)
        changes[0] = events.first_change(list(shown.upcoming_events))
        templates = request.app.state.templates
        data = here.page(
            places=places,
            markers=service.place_markers(places),
            member_count=service.member_count(here.session, here.community),
            happening_html=_happening_html(templates, reader_locale(request), shown),
        )
        return render(request, "communities/home.html", data, ctx=here)

    return await shared_read(request, slug, page, page=True, until=lambda: changes[0])


def _members_page(
    here: Here,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    new_url: str | None = None,
    name: str = "",
    page: int = 1,
) -> Response:
    """The members page, a hundred at a time, of those whose name holds `name` when given;
    after a failed invitation, with what was typed and the reason."""
    shown, total = access.members_shown(
        here.session,
        here.community,
        here.viewer,
        name=name or None,
        offset=(page - 1) * access.MEMBERS_SHOWN,
    )
    path = f"/communities/{here.community.slug}/members"

    def url(at: int) -> str:
        return address(path, name=name, page=at)

    data = here.page(
        members=shown,
        members_pager=pager(len(shown), total, page, access.MEMBERS_SHOWN, url),
        name=name,
        roles=[r.value for r in Role],
        values=values or {},
        invite_error=error.detail if error else None,
        error_field=error.field if error else None,
        new_invitation_url=new_url,
    )
    if here.is_steward:
        data["invitations"] = service.pending_invitations(here.session, here.community, here.viewer)
    status = 422 if error else 201 if new_url else 200
    return render(here.request, "communities/members.html", data, ctx=here, status_code=status)


@router.get("/communities/{slug}/members", response_class=HTMLResponse)
def members_page(
    request: Request, here: CommunityScope, name: str = "", page: str = ""
) -> Response:
    """Members, their roles, and (for stewards) invitations: a hundred at a time
    (`?page=2`), or those whose name holds `?name=`."""
    if here.viewer.user is None:
        return redirect(request, f"/login?next=/communities/{here.community.slug}/members")
    return _members_page(here, name=name.strip()[:100], page=page_number(page, "page"))


@router.post("/communities/{slug}/invitations", response_class=HTMLResponse)
def create_invitation(
    here: CommunityScope,
    role: Annotated[str, Form()] = "member",
    email: Annotated[str, Form(max_length=254)] = "",
    note: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create an invitation link and show it to the steward (or the form again, as typed)."""
    typed = {"role": role, "email": email, "note": note}
    try:
        with here.session.begin_nested():
            body = validated(InvitationIn, {**typed, "email": email.strip() or None})
            _, token = service.create_invitation(here.session, here.community, here.viewer, body)
    except (Invalid, Conflict) as exc:  # not allowed at all: 403, as for any other write
        return _members_page(here, values=typed, error=exc)
    return _members_page(here, new_url=invitation_url(here.request, token))


@router.post("/communities/{slug}/members/{user_id}/role")
def change_role(
    user_id: Id, request: Request, here: CommunityScope, role: Annotated[str, Form()] = ""
) -> Response:
    """Give a member another role (stewards)."""
    service.change_role(here.session, here.community, here.viewer, user_id, role)
    return redirect(request, f"/communities/{here.community.slug}/members", "Role changed.")


@router.post("/communities/{slug}/members/{user_id}/remove")
def remove_member(user_id: Id, request: Request, here: CommunityScope) -> Response:
    """Remove a member (stewards) or leave."""
    leaving = here.viewer.user_id == user_id
    service.remove_member(here.session, here.community, here.viewer, user_id)
    if leaving:
        words = reader(request).gettext("You left %(community)s.")
        return redirect(request, "/", words % {"community": here.community.name})
    return redirect(request, f"/communities/{here.community.slug}/members", "Member removed.")


def _places_page(
    here: Here, *, values: dict[str, str] | None = None, error: DomainError | None = None
) -> Response:
    """The places page; after a failed add, with what was typed and the reason."""
    places = service.places(here.session, here.community)
    data = here.page(
        places=places,
        markers=service.place_markers(places),
        kinds=[k.value for k in PlaceKind],
        form=values,
        error=error.detail if error else None,
        error_field=error.field if error else None,
    )
    status = error.status if error else 200
    return render(here.request, "communities/places.html", data, ctx=here, status_code=status)


@router.get("/communities/{slug}/places", response_class=HTMLResponse)
def places_page(here: CommunityScope) -> Response:
    """The community's places on a map, with a form to add one."""
    return _places_page(here)


@router.post("/communities/{slug}/places", response_class=HTMLResponse)
def add_place(
    request: Request,
    here: CommunityScope,
    name: Annotated[str, Form(max_length=120)] = "",
    kind: Annotated[str, Form()] = "site",
    description: Annotated[str, Form(max_length=5000)] = "",
    lat: Annotated[str, Form(max_length=40)] = "",
    lon: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Add a place (members); bad input shows the form again with the reason."""
    typed = {"name": name, "kind": kind, "description": description, "lat": lat, "lon": lon}
    try:
        with here.session.begin_nested():
            body = validated(PlaceIn, {**typed, **_parse_coordinates(lat, lon)})
            place = service.create_place(here.session, here.community, here.viewer, body)
    except DomainError as exc:
        return _places_page(here, values=typed, error=exc)
    slug = here.community.slug
    said = reader(request).gettext("Added %(place)s to the map.") % {"place": place.name}
    return redirect(request, f"/communities/{slug}/places", said)


def _parse_coordinates(lat: str, lon: str) -> dict[str, float]:
    if not lat.strip() or not lon.strip():
        raise Invalid("Click the map (or type latitude and longitude) to place it.", field="lat")
    try:
        return {"lat": float(lat), "lon": float(lon)}
    except ValueError as exc:
        raise Invalid(
            "Latitude and longitude must be numbers, like 51.5 and -0.12.", field="lat"
        ) from exc


def _invitation_page(
    ctx: Ctx,
    token: str,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Response:
    """The invitation's page; after a failed sign-up, with what was typed and the reason."""
    try:
        invitation = service.open_invitation(ctx.session, token)
    except DomainError as exc:
        if error is not None:
            raise
        data = {"status": exc.status, "title": N_("Invitation"), "detail": exc.detail}
        return render(ctx.request, "error.html", data, ctx=ctx, status_code=exc.status)
    data = {
        "invitation": invitation,
        "token": token,
        "form": values or {"email": invitation.email or ""},
        "error": error.detail if error else None,
        "error_field": error.field if error else None,
    }
    status = error.status if error else 200
    return render(ctx.request, "communities/invitation.html", data, ctx=ctx, status_code=status)


@router.get("/invite/{token}", response_class=HTMLResponse)
def invitation_page(token: str, ctx: Unit) -> Response:
    """The page an invitation link opens: join, or sign up and join."""
    return _invitation_page(ctx, token)


@router.post("/invite/{token}", response_class=HTMLResponse)
def accept_invitation(
    token: str,
    request: Request,
    ctx: Unit,
    email: Annotated[str, Form(max_length=254)] = "",
    display_name: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    birth_year: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """Sign up (or, when signed in, simply join) through an invitation."""
    days = ctx.settings.session_days
    session_token: str | None = None
    community = service.open_invitation(ctx.session, token).community
    try:
        with ctx.session.begin_nested():
            if ctx.viewer.user is not None:
                service.accept_invitation(ctx.session, token, ctx.viewer.user)
            else:
                year = int(birth_year) if is_digits(birth_year.strip()) else None
                user, _ = service.sign_up_with_invitation(
                    ctx.session,
                    token,
                    email=email,
                    display_name=display_name,
                    password=password,
                    birth_year=year,
                )
                session_token = start_session(ctx.session, user, days=days)
    except DomainError as exc:
        typed = {"email": email, "display_name": display_name, "birth_year": birth_year}
        return _invitation_page(ctx, token, values=typed, error=exc)
    welcome = translations_for(reader_locale(request)).gettext("Welcome to %(community)s!")
    response = redirect(
        request, f"/communities/{community.slug}", welcome % {"community": community.name}
    )
    if session_token is not None:
        set_session_cookie(response, request, session_token, days)
        rotate_csrf_cookie(response, request)
    return response


def _community_form_fields(values: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": values["name"],
        "description": values["description"],
        "location": values["location"],
        "visibility": values["visibility"],
    }
    if values.get("slug"):
        fields["slug"] = values["slug"]
    lat, lon = values["lat"], values["lon"]
    if lat.strip() or lon.strip():
        fields.update(_parse_coordinates(lat, lon))
    else:
        fields.update(lat=None, lon=None)
    return fields


def _edit_page(
    ctx: Ctx,
    data: dict[str, Any],
    values: dict[str, Any],
    error: DomainError | None = None,
) -> Response:
    """The community form (new or settings); after a failure, as typed and with the reason."""
    data.update(
        form=values,
        error=error.detail if error else None,
        error_field=error.field if error else None,
    )
    status = error.status if error else 200
    return render(ctx.request, "communities/edit.html", data, ctx=ctx, status_code=status)


def _require_admin(ctx: Ctx) -> None:
    ctx.viewer.require_user()
    if not ctx.viewer.is_admin:
        raise Forbidden("Only an instance administrator can create communities.")


@router.get("/communities-new", response_class=HTMLResponse)
def new_community_page(ctx: Unit) -> Response:
    """The form an instance administrator uses to start a community."""
    _require_admin(ctx)
    return _edit_page(ctx, {"creating": True}, {})


def _community_form(
    name: Annotated[str, Form(max_length=120)] = "",
    new_slug: Annotated[str, Form(alias="slug", max_length=60)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    location: Annotated[str, Form(max_length=200)] = "",
    lat: Annotated[str, Form(max_length=40)] = "",
    lon: Annotated[str, Form(max_length=40)] = "",
    visibility: Annotated[str, Form()] = "public",
    timezone: Annotated[str, Form(max_length=60)] = "",
) -> dict[str, str]:
    """The community form as typed (shown again as it is when something is wrong)."""
    return {
        "name": name,
        "slug": new_slug,
        "description": description,
        "location": location,
        "lat": lat,
        "lon": lon,
        "visibility": visibility,
        "timezone": timezone,
    }


CommunityForm = Annotated[dict[str, str], Depends(_community_form)]


@router.post("/communities-new", response_class=HTMLResponse)
def create_community(request: Request, ctx: Unit, typed: CommunityForm) -> Response:
    """Create the community; the administrator becomes its first steward."""
    try:
        with ctx.session.begin_nested():
            fields = _community_form_fields(typed)
            community = service.create_community(ctx.session, ctx.viewer, **fields)
    except DomainError as exc:
        return _edit_page(ctx, {"creating": True}, typed, exc)
    said = reader(request).gettext("%(community)s is ready.") % {"community": community.name}
    return redirect(request, f"/communities/{community.slug}", said)


@router.get("/communities/{slug}/settings", response_class=HTMLResponse)
def settings_page(here: CommunityScope) -> Response:
    """The community profile form (stewards)."""
    service.require_role(here.session, here.community, here.viewer, Role.STEWARD)
    c = here.community
    shown = {
        "name": c.name,
        "description": c.description,
        "location": c.location,
        "lat": "" if c.lat is None else c.lat,
        "lon": "" if c.lon is None else c.lon,
        "visibility": c.visibility,
        "timezone": service.timezone_of(c, here.settings.default_timezone),
    }
    return _edit_page(here, here.page(), shown)


@router.post("/communities/{slug}/settings", response_class=HTMLResponse)
def save_settings(request: Request, here: CommunityScope, typed: CommunityForm) -> Response:
    """Save the community profile (stewards)."""
    typed["slug"] = ""  # the address of a community does not change
    try:
        with here.session.begin_nested():
            fields = _community_form_fields(typed)
            if typed.get("timezone", "").strip():
                fields["timezone"] = typed["timezone"]
            service.update_community(here.session, here.community, here.viewer, fields)
    except DomainError as exc:
        here.session.refresh(here.community)
        return _edit_page(here, here.page(), typed, exc)
    return redirect(request, f"/communities/{here.community.slug}", "Community profile saved.")
