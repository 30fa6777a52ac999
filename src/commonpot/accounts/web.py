"""Accounts pages: sign in, sign out, profile, password, API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from commonpot.accounts import service
from commonpot.accounts.cookies import rotate_csrf_cookie, set_session_cookie
from commonpot.errors import DomainError, Invalid
from commonpot.http import SESSION_COOKIE, Ctx, Unit, verify_csrf_form
from commonpot.params import Id
from commonpot.templating import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    reader_locale,
    redirect,
    render,
    translations_for,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, ctx: Unit, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "accounts/login.html", {"next": _safe_next(next)}, ctx=ctx)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: Unit,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials and start a browser session."""
    settings = ctx.settings
    try:
        user = service.authenticate(
            ctx.session,
            email=email,
            password=password,
            client=request.client.host if request.client else "unknown",
            max_failures=settings.login_max_failures,
            window_minutes=settings.login_window_minutes,
        )
    except DomainError as exc:  # the failed attempt is kept (committed) so guessing stays slow
        data = {"error": exc.detail, "email": email, "next": _safe_next(next)}
        return render(request, "accounts/login.html", data, ctx=ctx, status_code=exc.status)
    token = service.start_session(ctx.session, user, days=settings.session_days)
    if user.locale_chosen:
        request.state.chosen_locale = user.locale
    elif request.cookies.get(LANGUAGE_COOKIE) in dict(LANGUAGES):
        # a language picked before signing in becomes the person's own choice
        user.locale = request.cookies[LANGUAGE_COOKIE]
        user.locale_chosen = True
    elif reader_locale(request).split("_")[0] in dict(LANGUAGES):
        # not chosen: e-mails follow the language the person's browser asks for
        user.locale = reader_locale(request).split("_")[0]
    words = translations_for(reader_locale(request)).gettext("Welcome, %(name)s.")
    response = redirect(request, _safe_next(next), words % {"name": user.display_name})
    set_session_cookie(response, request, token, settings.session_days)
    rotate_csrf_cookie(response, request)
    return response


@router.post("/language")
def choose_language(
    request: Request,
    ctx: Unit,
    language: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The language switcher: saved on the account when signed in, in a cookie always."""
    if language not in dict(LANGUAGES):
        raise Invalid(
            "Choose one of the offered languages: %(languages)s.",
            field="language",
            languages=", ".join(dict(LANGUAGES)),
        )
    user = ctx.viewer.user
    if user is not None and not ctx.viewer.via_token:
        user.locale = language
        user.locale_chosen = True
    request.state.chosen_locale = language
    response = redirect(request, _safe_next(next), "Language changed.")
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, ctx: Unit) -> RedirectResponse:
    """End the browser session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        service.end_session(ctx.session, cookie)
    response = redirect(request, "/", "You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _profile_page(ctx: Ctx, status: int = 200, **more: Any) -> Response:
    """Your profile page; after a failed form, with what was typed and the reason."""
    tokens = service.list_api_tokens(ctx.session, ctx.viewer.require_user())
    data = {"tokens": tokens, **more}
    return render(ctx.request, "accounts/profile.html", data, ctx=ctx, status_code=status)


@router.get("/me", response_class=HTMLResponse)
def profile_page(request: Request, ctx: Unit) -> Response:
    """Your profile, password and API tokens."""
    if ctx.viewer.user is None:
        return redirect(request, "/login?next=/me")
    return _profile_page(ctx)


@router.post("/me", response_class=HTMLResponse)
def update_profile(
    request: Request,
    ctx: Unit,
    display_name: Annotated[str, Form(max_length=120)] = "",
    birth_year: Annotated[str, Form(max_length=4)] = "",
    languages: Annotated[str, Form(max_length=120)] = "",
    bio: Annotated[str, Form(max_length=2000)] = "",
    public_key: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """Save profile changes (or show the form again, as typed, with what to fix)."""
    user = ctx.viewer.require_user()
    typed = {
        "display_name": display_name,
        "birth_year": birth_year,
        "languages": languages,
        "bio": bio,
        "public_key": public_key,
    }
    try:
        year = int(birth_year) if birth_year.strip() else None
    except ValueError:
        year = -1
    try:
        with ctx.session.begin_nested():
            service.update_profile(
                ctx.session,
                user,
                display_name=display_name,
                birth_year=year,
                languages=languages,
                bio=bio,
                public_key=public_key,
            )
    except DomainError as exc:
        return _profile_page(
            ctx, exc.status, values=typed, profile_error=exc.detail, error_field=exc.field
        )
    return redirect(request, "/me", "Profile saved.")


@router.post("/me/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    ctx: Unit,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change the password; every session is signed out, this one is renewed."""
    user = ctx.viewer.require_user()
    days = ctx.settings.session_days
    try:
        with ctx.session.begin_nested():
            service.change_password(ctx.session, user, current=current_password, new=new_password)
    except DomainError as exc:
        return _profile_page(ctx, exc.status, password_error=exc.detail)
    token = service.start_session(ctx.session, user, days=days)
    response = redirect(
        request, "/me", "Password changed. Other sessions were signed out and API tokens revoked."
    )
    set_session_cookie(response, request, token, days)
    rotate_csrf_cookie(response, request)
    return response


@router.post("/me/tokens", response_class=HTMLResponse)
def create_token(ctx: Unit, name: Annotated[str, Form(max_length=80)] = "") -> Response:
    """Create an API token and show its secret once."""
    user = ctx.viewer.require_user()
    try:
        with ctx.session.begin_nested():
            _, secret = service.create_api_token(ctx.session, user, name)
    except DomainError as exc:
        return _profile_page(ctx, exc.status, token_error=exc.detail, token_name=name)
    return _profile_page(ctx, new_token=secret)


@router.post("/me/tokens/{token_id}/revoke")
def revoke_token(token_id: Id, request: Request, ctx: Unit) -> Response:
    """Revoke an API token."""
    service.revoke_api_token(ctx.session, ctx.viewer.require_user(), token_id)
    return redirect(request, "/me", "Token revoked.")
