"""What the ecology pages share: a posted form as text, the page context, the form state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from commonpot.communities.scope import Here
from commonpot.ecology.explain import FORMULAS
from commonpot.ecology.schemas import CSV_LIMIT
from commonpot.errors import DomainError, Invalid, PayloadTooLarge
from commonpot.parsing import decode_text
from commonpot.templating import render

BASE = "/communities/{slug}/ecology"


def form_values(form: FormData) -> dict[str, str]:
    """The posted fields as text; an uploaded CSV file is read (2 MB at most) and decoded."""
    out: dict[str, str] = {}
    for key, value in form.items():
        if isinstance(value, UploadFile):
            raw = value.file.read(CSV_LIMIT + 1)  # spooled to disk or memory already
            value.file.close()
            if len(raw) > CSV_LIMIT:
                raise PayloadTooLarge("The CSV file is larger than 2 MB.")
            out[key] = decode_text(raw, field=key, limit=CSV_LIMIT)
        else:
            out[key] = str(value)
    return out


def csv_text(values: dict[str, str], file_key: str = "file", text_key: str = "text") -> str:
    """An uploaded CSV file, or else the pasted text."""
    text = values.get(file_key, "").strip() or values.get(text_key, "").strip()
    if not text:
        raise Invalid("Choose a COUNTS.csv file or paste its text.", field=file_key)
    return text


def page(here: Here, **more: Any) -> dict[str, Any]:
    """What every ecology page shows: the community, the viewer's role, and `more`."""
    return here.page(
        can_see=here.is_member or here.viewer.is_admin,
        can_steward=here.is_steward or here.viewer.is_admin,
        **more,
    )


@dataclass(frozen=True)
class Failed:
    """A form that comes back: which one, what went wrong, and what the person typed."""

    form: str
    error: DomainError
    values: dict[str, str] = field(default_factory=dict)


def show(
    request: Request, here: Here, template: str, failed: Failed | None = None, **more: Any
) -> Response:
    """An ecology page; with `failed`, the same page again (422 for bad input) as typed."""
    state = {
        "failed_form": failed.form if failed else None,
        "values": failed.values if failed else {},
        "form_error": failed.error.detail if failed else None,
        "error_field": failed.error.field if failed else None,
        "formulas": FORMULAS,
    }
    status = failed.error.status if failed else 200
    return render(request, template, page(here, **more, **state), ctx=here, status_code=status)
