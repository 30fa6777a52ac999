"""Mosquitto configuration for one device: a password-file line and its ACL (pure)."""

from __future__ import annotations

import base64
import hashlib
import os


def password_line(username: str, password: str, *, iterations: int = 101, salt: bytes = b"") -> str:
    """A mosquitto_passwd line (`user:$7$iterations$salt$hash`, PBKDF2-SHA512)."""
    salt = salt or os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    salt64 = base64.b64encode(salt).decode()
    return f"{username}:$7${iterations}${salt64}${base64.b64encode(digest).decode()}"


def acl_lines(community: str, device: str) -> str:
    """ACL lines letting the device publish only to its own data and state topics."""
    base = f"commonpot/{community}/biotumblers/{device}"
    return "\n".join(
        [
            f"user {community}.{device}",
            f"topic write {base}/data",
            f"topic write {base}/$state",
        ]
    )
