"""Canonical JSON (RFC 8785 JCS) for ledger entries: sorted keys, no whitespace, UTF-8."""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from commonpot.errors import Invalid


def canonical_json(value: Any) -> bytes:
    """RFC 8785 serialisation of a JSON-compatible value (UTF-8 bytes)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise Invalid(f"cannot canonicalise ledger entry: {exc}", field="entry") from None


def canonical_text(value: Any) -> str:
    """RFC 8785 serialisation as a str."""
    return canonical_json(value).decode("utf-8")


def is_canonical(data: str) -> bool:
    """True if the text is valid JSON already in RFC 8785 canonical form."""
    try:
        return canonical_text(json.loads(data)) == data
    except (ValueError, Invalid):
        return False
