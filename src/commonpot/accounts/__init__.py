"""Accounts domain: people, their sessions and API tokens, and who is looking (`Viewer`).

What other domains may use is exported here; everything else is the domain's own. The web
helpers that set the session and CSRF cookies are the public submodule
`commonpot.accounts.cookies` (they import the web framework, so the package does not).

The exports load on first use, so `commonpot user --help` and every other command's help
answer without the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.accounts.models import User
    from commonpot.accounts.schemas import UserOut
    from commonpot.accounts.security import new_token, token_hash
    from commonpot.accounts.service import (
        ANONYMOUS,
        OPERATOR,
        Credential,
        Viewer,
        calendar_token,
        create_user,
        start_session,
        viewer_for,
    )

__all__ = [
    "ANONYMOUS",
    "OPERATOR",
    "Credential",
    "User",
    "UserOut",
    "Viewer",
    "calendar_token",
    "create_user",
    "new_token",
    "start_session",
    "token_hash",
    "viewer_for",
]

_MODELS = frozenset({"User"})
_SCHEMAS = frozenset({"UserOut"})
_SECURITY = frozenset({"new_token", "token_hash"})
_SERVICE = frozenset(
    {
        "ANONYMOUS",
        "OPERATOR",
        "Credential",
        "Viewer",
        "calendar_token",
        "create_user",
        "start_session",
        "viewer_for",
    }
)


def __getattr__(name: str) -> Any:
    value: Any
    if name in _MODELS:
        from commonpot.accounts import models

        value = getattr(models, name)
    elif name in _SCHEMAS:
        from commonpot.accounts import schemas

        value = getattr(schemas, name)
    elif name in _SECURITY:
        from commonpot.accounts import security

        value = getattr(security, name)
    elif name in _SERVICE:
        from commonpot.accounts import service

        value = getattr(service, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
