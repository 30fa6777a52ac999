"""Accounts domain: people, their sessions and API tokens, and who is looking (`Viewer`).

What other domains may use is exported here; everything else is the domain's own. The web
helpers that set the session and CSRF cookies are the public submodule
`commonpot.accounts.cookies` (they import the web framework, so the package does not).
"""

from commonpot.accounts.models import User
from commonpot.accounts.schemas import UserOut
from commonpot.accounts.security import new_token, token_hash
from commonpot.accounts.service import (
    ANONYMOUS,
    OPERATOR,
    Viewer,
    calendar_token,
    create_user,
    start_session,
    viewer_for,
)

__all__ = [
    "ANONYMOUS",
    "OPERATOR",
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
