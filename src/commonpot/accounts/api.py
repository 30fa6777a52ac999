"""Accounts JSON API: the signed-in person, password, personal API tokens."""

from __future__ import annotations

from fastapi import Request

from commonpot.accounts import service
from commonpot.accounts.schemas import (
    LoginIn,
    MeOut,
    NewTokenOut,
    PasswordIn,
    ProfileIn,
    TokenIn,
    TokenOut,
)
from commonpot.http import Unit, api_router_for
from commonpot.params import Id

router = api_router_for("accounts")


@router.post("/auth/token", response_model=NewTokenOut, status_code=201)
def login_for_token(body: LoginIn, request: Request, ctx: Unit) -> NewTokenOut:
    """Exchange e-mail and password for a new personal API token (rate limited)."""
    settings = ctx.settings
    try:
        user = service.authenticate(
            ctx.session,
            email=body.email,
            password=body.password,
            client=request.client.host if request.client else "unknown",
            max_failures=settings.login_max_failures,
            window_minutes=settings.login_window_minutes,
        )
    except Exception:
        ctx.session.commit()  # keep the failed attempt so guessing stays slow
        raise
    token, secret = service.create_api_token(ctx.session, user, body.token_name)
    return NewTokenOut(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.get("/me", response_model=MeOut)
def me(ctx: Unit) -> MeOut:
    """The signed-in person."""
    return MeOut.model_validate(ctx.viewer.require_user())


@router.patch("/me", response_model=MeOut)
def update_me(body: ProfileIn, ctx: Unit) -> MeOut:
    """Change your profile."""
    user = service.update_profile(
        ctx.session, ctx.viewer.require_user(), **body.model_dump(exclude_unset=True)
    )
    return MeOut.model_validate(user)


@router.post("/me/password", status_code=204)
def change_password(body: PasswordIn, ctx: Unit) -> None:
    """Change your password; every browser session ends and every API token is revoked."""
    service.change_password(
        ctx.session, ctx.viewer.require_user(), current=body.current_password, new=body.new_password
    )


@router.get("/me/tokens", response_model=list[TokenOut])
def list_tokens(ctx: Unit) -> list[TokenOut]:
    """Your API tokens (never their secrets)."""
    tokens = service.list_api_tokens(ctx.session, ctx.viewer.require_user())
    return [TokenOut.model_validate(t) for t in tokens]


@router.post("/me/tokens", response_model=NewTokenOut, status_code=201)
def create_token(body: TokenIn, ctx: Unit) -> NewTokenOut:
    """Create an API token; its secret is in this answer only."""
    token, secret = service.create_api_token(ctx.session, ctx.viewer.require_user(), body.name)
    return NewTokenOut(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, ctx: Unit) -> None:
    """Revoke one of your API tokens."""
    service.revoke_api_token(ctx.session, ctx.viewer.require_user(), token_id)
