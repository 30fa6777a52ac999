"""Accounts use cases: people, sign-in with rate limiting, sessions, API tokens, profile."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from commonpot.accounts import security
from commonpot.accounts.models import ApiToken, LoginAttempt, User, UserSession
from commonpot.db import utcnow
from commonpot.errors import Conflict, Invalid, NotFound, RateLimited, Unauthenticated

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "cp_"  # noqa: S105 (a visible prefix, not a secret)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a signed-in user, a token holder, or an anonymous visitor."""

    user: User | None = None
    via_token: bool = False
    operator: bool = False

    @property
    def is_anonymous(self) -> bool:
        """True for visitors who have not signed in."""
        return self.user is None

    @property
    def user_id(self) -> int | None:
        """The user's id, or None for anonymous visitors."""
        return self.user.id if self.user else None

    @property
    def is_admin(self) -> bool:
        """True for instance administrators."""
        return self.operator or bool(self.user and self.user.is_admin)

    def require_user(self) -> User:
        """The signed-in user, or Unauthenticated."""
        if self.user is None:
            raise Unauthenticated("Sign in first (or send an API token as a Bearer header).")
        return self.user


ANONYMOUS = Viewer()
# the person at the server's command line: acts as an instance administrator
OPERATOR = Viewer(operator=True)


def normalise_email(email: str) -> str:
    """Trimmed, lower-cased e-mail address, validated."""
    value = email.strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise Invalid("Enter a valid e-mail address, like name@example.org.", field="email")
    return value


def check_password_strength(password: str, field: str = "password") -> None:
    """Refuse passwords that are too short to resist guessing."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            "Use a password of at least %(num)s characters.", field=field, num=MIN_PASSWORD
        )
    if len(password) > 1024:
        raise Invalid("That password is too long (1024 characters at most).", field=field)


def check_display_name(name: str) -> str:
    """A trimmed display name of 1 to 120 characters."""
    value = name.strip()
    if not value or len(value) > 120:
        raise Invalid("Give a name of 1 to 120 characters.", field="display_name")
    return value


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    is_admin: bool = False,
    birth_year: int | None = None,
    languages: str = "en",
) -> User:
    """Create an account; the e-mail must be new."""
    address = normalise_email(email)
    name = check_display_name(display_name)
    check_password_strength(password)
    if birth_year is not None and not 1900 <= birth_year <= utcnow().year:
        raise Invalid("Birth year must be between 1900 and this year.", field="birth_year")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(
            "An account with this e-mail already exists; sign in instead.", field="email"
        )
    user = User(
        email=address,
        display_name=name,
        password_hash=security.hash_password(password),
        is_admin=is_admin,
        birth_year=birth_year,
        languages=languages,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, user_id: int) -> User:
    """A user by id, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    return user


def viewer_for(session: Session, user_id: int | None) -> Viewer:
    """Who started background work: that person, or the operator when nobody (or gone)."""
    user = session.get(User, user_id) if user_id is not None else None
    return Viewer(user=user) if user is not None else OPERATOR


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this e-mail, if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def _failures(session: Session, key: str, since: datetime) -> int:
    found = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.key == key, LoginAttempt.attempted_at >= since
        )
    )
    return int(found or 0)


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    client: str,
    max_failures: int = 5,
    window_minutes: int = 15,
) -> User:
    """Check e-mail and password; a client that keeps failing is slowed down, never the account.

    Failures are counted per client and account together (`max_failures` of them hold
    that client back for that account) and per client (four times as many hold it back
    for every account). Nobody else's failures can stop the right password from another
    client, so a stranger cannot lock a person out.
    """
    address = email.strip().lower()
    since = utcnow() - timedelta(minutes=window_minutes)
    pair = hashlib.sha256(f"{client}\n{address}".encode()).hexdigest()[:40]
    keys = [f"pair:{pair}", f"client:{client[:200]}"]
    if session.get_bind().dialect.name != "sqlite":
        # one sign-in per client and address at a time (until commit): a burst of parallel
        # guesses would otherwise all count fewer than max_failures and all be checked
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(keys[0]))))
    if (
        _failures(session, keys[0], since) >= max_failures
        or _failures(session, keys[1], since) >= max_failures * 4
    ):
        raise RateLimited(
            "Too many failed sign-ins from here. Wait %(num)s minutes and try again.",
            num=window_minutes,
        )
    user = user_by_email(session, address)
    ok = security.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        session.add_all([LoginAttempt(key=k) for k in keys])
        raise Unauthenticated("E-mail or password is wrong.")
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
    return user


def start_session(session: Session, user: User, *, days: int = 14) -> str:
    """Open a browser session; returns the cookie value (only its hash is stored)."""
    token = security.new_token()
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=security.token_hash(token),
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    return token


# every signed-in request starts with one of these lookups: statements built once per
# process, so SQLAlchemy neither rebuilds them nor recomputes their cache keys
_BY_SESSION = (
    select(User, UserSession.expires_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)
_BY_API_TOKEN = (
    select(User, ApiToken.revoked_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def user_for_session(session: Session, token: str) -> User | None:
    """The user behind a session cookie, if it is valid and not expired."""
    found = Credential(via_token=False, secret=token)
    return found.user(session.execute(found.statement, found.params).first())


def end_session(session: Session, token: str) -> None:
    """Sign out: forget this session."""
    session.execute(delete(UserSession).where(UserSession.token_hash == security.token_hash(token)))


def create_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored."""
    label = name.strip()
    if not label or len(label) > 80:
        raise Invalid(
            "Name the token (1 to 80 characters) so you recognise it later.", field="name"
        )
    secret = security.new_token(TOKEN_PREFIX)
    token = ApiToken(
        user_id=user.id, name=label, prefix=secret[:8], token_hash=security.token_hash(secret)
    )
    session.add(token)
    session.flush()
    return token, secret


def list_api_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def revoke_api_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def user_for_api_token(session: Session, secret: str) -> User | None:
    """The user behind a bearer token, if it is valid and not revoked."""
    found = Credential(via_token=True, secret=secret)
    return found.user(session.execute(found.statement, found.params).first())


@dataclass(frozen=True)
class Credential:
    """What a request signs in with: an API token (`via_token`) or a session cookie.

    One rule for both paths that read it: `identify` on its own, and a request's first
    statement joined to more (`communities.access.signed_in_scope`: who is asking, the
    community and their membership in one round trip). `statement` selects (User, when the
    credential ended: a token's revocation or a session's expiry) for `params`; `viewer`
    reads that row.
    """

    via_token: bool
    secret: str

    @staticmethod
    def of(*, bearer: str | None, session_cookie: str | None) -> Credential | None:
        """The request's credential: a bearer token wins over a session cookie."""
        if bearer is not None:
            return Credential(via_token=True, secret=bearer)
        if session_cookie:
            return Credential(via_token=False, secret=session_cookie)
        return None

    @staticmethod
    def statement_for(via_token: bool) -> Select[User, datetime | None]:
        """The statement of a kind of credential (to join more to it, once per process)."""
        return _BY_API_TOKEN if via_token else _BY_SESSION

    @property
    def statement(self) -> Select[User, datetime | None]:
        return Credential.statement_for(self.via_token)

    @property
    def params(self) -> dict[str, str]:
        return {"token_hash": security.token_hash(self.secret)}

    def user(self, row: Sequence[Any] | None) -> User | None:
        """The user of `row` (User, ended at, ...) while the credential holds, else None."""
        if row is None or not row[0].is_active:
            return None
        ended = row[1]
        if self.via_token:
            return row[0] if ended is None else None
        return row[0] if ended >= utcnow() else None

    def viewer(self, row: Sequence[Any] | None) -> Viewer:
        """Who is asking, from `row`: a token that does not hold is refused (the script
        must know); a cookie that does not hold is a visitor not signed in."""
        user = self.user(row)
        if user is None:
            if self.via_token:
                raise Unauthenticated("That API token is not valid (revoked or mistyped).")
            return ANONYMOUS
        return Viewer(user=user, via_token=self.via_token)


def identify(session: Session, *, bearer: str | None, session_cookie: str | None) -> Viewer:
    """Who is asking: a bearer token wins over a session cookie; otherwise anonymous."""
    found = Credential.of(bearer=bearer, session_cookie=session_cookie)
    if found is None:
        return ANONYMOUS
    return found.viewer(session.execute(found.statement, found.params).first())


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Change the password after checking the current one; sessions and API tokens end."""
    if not security.verify_password(user.password_hash, current):
        raise Invalid("The current password is wrong.", field="current_password")
    check_password_strength(new, field="new_password")
    user.password_hash = security.hash_password(new)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    # a token made with the old password must not outlive it: scripts sign in again
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def update_profile(
    session: Session,
    user: User,
    *,
    display_name: str | None = None,
    birth_year: int | None = None,
    languages: str | None = None,
    bio: str | None = None,
    public_key: str | None = None,
) -> User:
    """Change what a person says about themself."""
    if display_name is not None:
        user.display_name = check_display_name(display_name)
    if birth_year is not None:
        if not 1900 <= birth_year <= utcnow().year:
            raise Invalid("Birth year must be between 1900 and this year.", field="birth_year")
        user.birth_year = birth_year
    if languages is not None:
        codes = [c.strip().lower() for c in languages.split(",") if c.strip()]
        if not codes or any(not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", c) for c in codes):
            raise Invalid(
                "List languages as codes separated by commas, e.g. en, es.", field="languages"
            )
        user.languages = ",".join(codes)
    if bio is not None:
        if len(bio) > 2000:
            raise Invalid("Keep the bio under 2000 characters.", field="bio")
        user.bio = bio
    if public_key is not None:
        user.public_key = _check_public_key(public_key)
    session.flush()
    return user


def _check_public_key(value: str) -> str | None:
    import base64
    import binascii

    text = value.strip()
    if not text:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise Invalid("An Ed25519 public key is 32 bytes in standard base64.", field="public_key")
    return text


def calendar_token(session: Session, user: User, *, rotate: bool = False) -> str:
    """The secret that names the person's calendar feed; rotating it kills the old URL."""
    if user.calendar_token is None or rotate:
        user.calendar_token = security.new_token()[:40]
        session.flush()
    return user.calendar_token
