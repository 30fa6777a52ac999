"""What the network's web forms share: reading posted fields, and showing a failed form again."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData

from commonpot.errors import DomainError, Invalid

UNPROCESSABLE = 422


def number(form: dict[str, str], key: str, kind: Callable[[str], Any] = float) -> Any:
    """A finite number from a posted field (`kind` int or float), or Invalid naming it."""
    raw = form.get(key, "").strip()
    try:
        value = kind(raw)
    except ValueError:
        raise Invalid("%(where)s: must be a number", field=key, where=key) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("%(where)s: must be a number", field=key, where=key)
    return value


def form_values(posted: FormData) -> dict[str, str]:
    """The posted fields as text, without the CSRF token (to show the form again)."""
    return {k: str(v) for k, v in posted.items() if k != "csrf_token"}


def failed(
    error: DomainError | None, values: dict[str, str] | None, form: str | None
) -> dict[str, Any]:
    """What a page needs to show a failed form again: the input, the message, the field."""
    return {
        "values": values or {},
        "form_error": error.detail if error else None,
        "error_field": (error.field or "") if error else None,
        "failed_form": form if error else None,
    }
