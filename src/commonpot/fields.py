"""Shared input field types, for schemas and services alike (no web framework here).

A web address people follow or the server fetches is http or https only: never
`javascript:`, `data:` or `file:`.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) address with a host and no spaces or control characters."""
    text = value.strip()
    if not text or len(text) > 2000 or any(c.isspace() or ord(c) < 32 for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def check_web_url(value: str) -> str:
    """The address, or ValueError unless it is http(s) (never javascript:, data:, file: ...)."""
    if not is_web_url(value):
        raise ValueError("must be a web address starting with http:// or https://")
    return value.strip()


WebUrl = Annotated[str, AfterValidator(check_web_url)]
"""A link people follow or the server fetches: http or https only."""
