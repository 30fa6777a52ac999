"""Community pages: home, members and invitations, places on a map, joining by invitation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.accounts.web import rotate_csrf_cookie, set_session_cookie
from commonpot.communities import service
from commonpot.communities.api import invitation_url
from commonpot.communities.models import PlaceKind, Role
from commonpot.communities.scope import CommunityScope, enter
from commonpot.errors import DomainError, Forbidden, Invalid
from commonpot.http import Ctx, unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])


def community_context(ctx: Ctx, slug: str) -> dict[str, Any]:
    """What every community page shows: the community and the viewer's membership.

    Prefer the `CommunityScope` dependency (communities/scope.py) in new handlers.
    """
    return enter(ctx, slug).page()


def place_markers(places: list[Any]) -> list[dict[str, Any]]:
    """Places as map markers for the page script."""
    return [
        {"name": p.name, "kind": p.kind, "lat": p.lat, "lon": p.lon, "id": p.id} for p in places
    ]


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """The instance's front page: communities you may visit and those you belong to."""
    with unit_of_work(request) as ctx:
        found = service.visible_communities(ctx.session, ctx.viewer)
        counts = {c.id: service.member_count(ctx.session, c) for c in found}
        return render(request, "home.html", {"communities": found, "counts": counts}, ctx=ctx)


@router.get("/communities/{slug}", response_class=HTMLResponse)
def community_home(request: Request, here: CommunityScope) -> Response:
    """A community's home page."""
    places = service.places(here.session, here.community)
    data = here.page(
        places=places,
        markers=place_markers(places),
        member_count=service.member_count(here.session, here.community),
    )
    return render(request, "communities/home.html", data, ctx=here)


@router.get("/communities/{slug}/members", response_class=HTMLResponse)
def members_page(slug: str, request: Request) -> Response:
    """Members, their roles, and (for stewards) invitations."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        if ctx.viewer.user is None:
            return redirect(request, f"/login?next=/communities/{slug}/members")
        data["members"] = service.members(ctx.session, data["community"], ctx.viewer)
        if data["is_steward"]:
            data["invitations"] = service.pending_invitations(
                ctx.session, data["community"], ctx.viewer
            )
        data["roles"] = [r.value for r in Role]
        return render(request, "communities/members.html", data, ctx=ctx)


@router.post("/communities/{slug}/invitations", response_class=HTMLResponse)
def create_invitation(
    slug: str,
    request: Request,
    role: Annotated[str, Form()] = "member",
    email: Annotated[str, Form(max_length=254)] = "",
    note: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create an invitation link and show it to the steward."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        try:
            _, token = service.create_invitation(
                ctx.session, data["community"], ctx.viewer, role=role, email=email, note=note
            )
            data["new_invitation_url"] = invitation_url(request, token)
        except DomainError as exc:
            ctx.session.rollback()
            data["invite_error"] = exc.detail
        data["members"] = service.members(ctx.session, data["community"], ctx.viewer)
        data["invitations"] = service.pending_invitations(
            ctx.session, data["community"], ctx.viewer
        )
        data["roles"] = [r.value for r in Role]
        status = 422 if "invite_error" in data else 201
        return render(request, "communities/members.html", data, ctx=ctx, status_code=status)


@router.post("/communities/{slug}/members/{user_id}/role")
def change_role(
    slug: str, user_id: Id, request: Request, role: Annotated[str, Form()] = ""
) -> Response:
    """Give a member another role (stewards)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        service.change_role(ctx.session, community, ctx.viewer, user_id, role)
    return redirect(request, f"/communities/{slug}/members", "Role changed.")


@router.post("/communities/{slug}/members/{user_id}/remove")
def remove_member(slug: str, user_id: Id, request: Request) -> Response:
    """Remove a member (stewards) or leave."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        leaving = ctx.viewer.user_id == user_id
        service.remove_member(ctx.session, community, ctx.viewer, user_id)
    if leaving:
        return redirect(request, "/", f"You left {community.name}.")
    return redirect(request, f"/communities/{slug}/members", "Member removed.")


@router.get("/communities/{slug}/places", response_class=HTMLResponse)
def places_page(slug: str, request: Request) -> Response:
    """The community's places on a map, with a form to add one."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        places = service.places(ctx.session, data["community"])
        data.update(
            places=places, markers=place_markers(places), kinds=[k.value for k in PlaceKind]
        )
        return render(request, "communities/places.html", data, ctx=ctx)


@router.post("/communities/{slug}/places", response_class=HTMLResponse)
def add_place(
    slug: str,
    request: Request,
    name: Annotated[str, Form(max_length=120)] = "",
    kind: Annotated[str, Form()] = "site",
    description: Annotated[str, Form(max_length=5000)] = "",
    lat: Annotated[str, Form(max_length=40)] = "",
    lon: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Add a place (members); bad input shows the form again with the reason."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        try:
            coords = _parse_coordinates(lat, lon)
            place = service.create_place(
                ctx.session,
                data["community"],
                ctx.viewer,
                {"name": name, "kind": kind, "description": description, **coords},
            )
        except DomainError as exc:
            ctx.session.rollback()
            places = service.places(ctx.session, data["community"])
            data.update(
                places=places,
                markers=place_markers(places),
                kinds=[k.value for k in PlaceKind],
                error=exc.detail,
                error_field=exc.field,
                form={
                    "name": name,
                    "kind": kind,
                    "description": description,
                    "lat": lat,
                    "lon": lon,
                },
            )
            return render(request, "communities/places.html", data, ctx=ctx, status_code=exc.status)
    return redirect(request, f"/communities/{slug}/places", f"Added {place.name} to the map.")


def _parse_coordinates(lat: str, lon: str) -> dict[str, float]:
    if not lat.strip() or not lon.strip():
        raise Invalid("Click the map (or type latitude and longitude) to place it.", field="lat")
    try:
        return {"lat": float(lat), "lon": float(lon)}
    except ValueError as exc:
        raise Invalid(
            "Latitude and longitude must be numbers, like 51.5 and -0.12.", field="lat"
        ) from exc


@router.get("/invite/{token}", response_class=HTMLResponse)
def invitation_page(token: str, request: Request) -> Response:
    """The page an invitation link opens: join, or sign up and join."""
    with unit_of_work(request) as ctx:
        try:
            invitation = service.open_invitation(ctx.session, token)
        except DomainError as exc:
            return render(
                request,
                "error.html",
                {"status": exc.status, "title": "Invitation", "detail": exc.detail},
                ctx=ctx,
                status_code=exc.status,
            )
        return render(
            request,
            "communities/invitation.html",
            {"invitation": invitation, "token": token, "form": {"email": invitation.email or ""}},
            ctx=ctx,
        )


@router.post("/invite/{token}", response_class=HTMLResponse)
def accept_invitation(
    token: str,
    request: Request,
    email: Annotated[str, Form(max_length=254)] = "",
    display_name: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    birth_year: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """Sign up (or, when signed in, simply join) through an invitation."""
    settings = request.app.state.settings
    session_token: str | None = None
    with unit_of_work(request) as ctx:
        invitation = service.open_invitation(ctx.session, token)
        community = invitation.community
        try:
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
                from commonpot.accounts.service import start_session

                session_token = start_session(ctx.session, user, days=settings.session_days)
        except DomainError as exc:
            ctx.session.rollback()
            invitation = service.open_invitation(ctx.session, token)
            return render(
                request,
                "communities/invitation.html",
                {
                    "invitation": invitation,
                    "token": token,
                    "error": exc.detail,
                    "error_field": exc.field,
                    "form": {
                        "email": email,
                        "display_name": display_name,
                        "birth_year": birth_year,
                    },
                },
                ctx=ctx,
                status_code=exc.status,
            )
    response = redirect(request, f"/communities/{community.slug}", f"Welcome to {community.name}!")
    if session_token is not None:
        set_session_cookie(response, request, session_token, settings.session_days)
        rotate_csrf_cookie(response, request)
    return response


def _community_form_fields(
    name: str, slug: str, description: str, location: str, lat: str, lon: str, visibility: str
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": name,
        "description": description,
        "location": location,
        "visibility": visibility,
    }
    if slug:
        fields["slug"] = slug
    if lat.strip() or lon.strip():
        fields.update(_parse_coordinates(lat, lon))
    else:
        fields.update(lat=None, lon=None)
    return fields


@router.get("/communities-new", response_class=HTMLResponse)
def new_community_page(request: Request) -> Response:
    """The form an instance administrator uses to start a community."""
    with unit_of_work(request) as ctx:
        ctx.viewer.require_user()
        if not ctx.viewer.is_admin:
            raise Forbidden("Only an instance administrator can create communities.")
        return render(request, "communities/edit.html", {"form": {}, "creating": True}, ctx=ctx)


@router.post("/communities-new", response_class=HTMLResponse)
def create_community(
    request: Request,
    name: Annotated[str, Form(max_length=120)] = "",
    slug: Annotated[str, Form(max_length=60)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    location: Annotated[str, Form(max_length=200)] = "",
    lat: Annotated[str, Form(max_length=40)] = "",
    lon: Annotated[str, Form(max_length=40)] = "",
    visibility: Annotated[str, Form()] = "public",
) -> Response:
    """Create the community; the administrator becomes its first steward."""
    form_values = {
        "name": name,
        "slug": slug,
        "description": description,
        "location": location,
        "lat": lat,
        "lon": lon,
        "visibility": visibility,
    }
    with unit_of_work(request) as ctx:
        try:
            fields = _community_form_fields(**form_values)
            community = service.create_community(ctx.session, ctx.viewer, **fields)
        except DomainError as exc:
            ctx.session.rollback()
            return render(
                request,
                "communities/edit.html",
                {
                    "form": form_values,
                    "creating": True,
                    "error": exc.detail,
                    "error_field": exc.field,
                },
                ctx=ctx,
                status_code=exc.status,
            )
    return redirect(request, f"/communities/{community.slug}", f"{community.name} is ready.")


@router.get("/communities/{slug}/settings", response_class=HTMLResponse)
def settings_page(slug: str, request: Request) -> Response:
    """The community profile form (stewards)."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        service.require_role(ctx.session, data["community"], ctx.viewer, Role.STEWARD)
        c = data["community"]
        data["form"] = {
            "name": c.name,
            "description": c.description,
            "location": c.location,
            "lat": "" if c.lat is None else c.lat,
            "lon": "" if c.lon is None else c.lon,
            "visibility": c.visibility,
        }
        return render(request, "communities/edit.html", data, ctx=ctx)


@router.post("/communities/{slug}/settings", response_class=HTMLResponse)
def save_settings(
    slug: str,
    request: Request,
    name: Annotated[str, Form(max_length=120)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    location: Annotated[str, Form(max_length=200)] = "",
    lat: Annotated[str, Form(max_length=40)] = "",
    lon: Annotated[str, Form(max_length=40)] = "",
    visibility: Annotated[str, Form()] = "public",
) -> Response:
    """Save the community profile (stewards)."""
    form_values = {
        "name": name,
        "slug": "",
        "description": description,
        "location": location,
        "lat": lat,
        "lon": lon,
        "visibility": visibility,
    }
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        try:
            fields = _community_form_fields(**form_values)
            service.update_community(ctx.session, data["community"], ctx.viewer, fields)
        except DomainError as exc:
            ctx.session.rollback()
            data = community_context(ctx, slug)
            data.update(form=form_values, error=exc.detail, error_field=exc.field)
            return render(request, "communities/edit.html", data, ctx=ctx, status_code=exc.status)
    return redirect(request, f"/communities/{slug}", "Community profile saved.")
