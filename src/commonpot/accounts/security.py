"""Password hashing (argon2) and random tokens whose hashes are stored, never the tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# verify unknown e-mails against a real hash so timing does not reveal who has an account;
# made on first use, not at import (importing must cost nothing)
_dummy_hash: str | None = None


def _dummy() -> str:
    global _dummy_hash  # noqa: PLW0603 (one hash per process, made lazily)
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("commonpot-dummy-password")
    return _dummy_hash


def use_cheap_hashing_for_tests() -> None:
    """Switch to minimal argon2 costs; for test suites only, never for an instance."""
    global _hasher, _dummy_hash  # noqa: PLW0603 (a process-wide switch for tests)
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _dummy_hash = None


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; constant work whether or not the user exists."""
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A fresh random token (URL-safe), optionally with a readable prefix."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 hex of a token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())
