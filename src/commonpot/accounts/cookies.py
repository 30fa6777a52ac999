"""The session and CSRF cookies a sign-in sets: shared on purpose with the pages that sign
someone in elsewhere (accepting an invitation signs the newcomer in)."""

from __future__ import annotations

import secrets

from fastapi import Request
from fastapi.responses import Response

from commonpot.http import CSRF_COOKIE, SESSION_COOKIE


def set_session_cookie(response: Response, request: Request, token: str, days: int) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=days * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def rotate_csrf_cookie(response: Response, request: Request) -> None:
    """A fresh CSRF token for the new session: one learnt before sign-in is worth nothing after."""
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(32),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
