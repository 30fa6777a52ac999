"""A refused form, shown again: which form, what was typed, why, and which field to mark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commonpot.errors import DomainError


@dataclass(frozen=True)
class Refused:
    """What a page needs to show a refused form again as the person filled it in (422)."""

    form: str
    error: DomainError
    values: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # the use case's name -> the form's

    def context(self) -> dict[str, Any]:
        """`values`, `form_error`, `error_field` and `failed_form` for the template."""
        name = self.error.field or ""
        return {
            "values": self.values,
            "form_error": self.error.detail,
            "error_field": self.fields.get(name, name) or self.form,
            "failed_form": self.form,
        }


def form_context(refused: Refused | None, values: dict[str, str] | None = None) -> dict[str, Any]:
    """The template's form state: nothing refused (with `values` to start from), or `refused`."""
    if refused is None:
        return {
            "values": values or {},
            "form_error": None,
            "error_field": None,
            "failed_form": None,
        }
    return {**refused.context(), "values": {**(values or {}), **refused.values}}


def status_of(refused: Refused | None) -> int:
    """422 for a page showing a refused form, else 200."""
    return 422 if refused else 200
