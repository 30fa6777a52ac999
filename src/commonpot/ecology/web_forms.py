"""What the ecology pages share: a posted form as text, the page context, the form state."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile

from commonpot.communities.scope import Here
from commonpot.ecology.schemas import CSV_LIMIT
from commonpot.errors import DomainError, Invalid, PayloadTooLarge
from commonpot.parsing import decode_text

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


def form_state(
    form: str | None, values: dict[str, str] | None, error: DomainError | None
) -> dict[str, Any]:
    """A page's form state: which form failed, what was typed, the problem and its field."""
    return {
        "failed_form": form if error else None,
        "values": values or {},
        "form_error": error.detail if error else None,
        "error_field": error.field if error else None,
    }


def status_of(error: DomainError | None) -> int:
    """200 for a page, the error's status (422 for bad input) when a form comes back."""
    return error.status if error else 200
