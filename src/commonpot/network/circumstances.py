"""A need's stated circumstances and consent; stewards choose the priority group from them.

A person asking for food may say what their circumstances are (a few checkboxes and a
note) and whether they agree to be placed in a priority group. Nobody picks their own
group or sees its weight: a steward reads the circumstances and places the need in a
group, and only when the person agreed. Withdrawing consent takes the need out of its
group. Circumstances are shown to the person and the community's stewards only.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.errors import N_, Conflict, Forbidden, Invalid
from commonpot.network import checks
from commonpot.network.access import require_steward
from commonpot.network.groups import get_group
from commonpot.network.models import Need, NeedStatus
from commonpot.tenancy import get_scoped

# the codes a form and the API accept, in the order a form shows them
CIRCUMSTANCES = ("children", "elder", "no_income", "disability", "illness")
NOTE_LIMIT = 500


def need_closed(need: Need) -> Conflict:
    """The refusal to change a need that is no longer open (one sentence per status)."""
    if need.status == NeedStatus.FILLED.value:
        return Conflict("This need is already filled.")
    if need.status == NeedStatus.WITHDRAWN.value:
        return Conflict("This need is already withdrawn.")
    return Conflict("This need is already %(status)s.", status=need.status)


def clean(codes: Iterable[str], note: str) -> tuple[list[str], str]:
    """Known circumstance codes (each once, in form order) and a bounded note."""
    given = {str(code).strip() for code in codes if str(code).strip()}
    unknown = sorted(given - set(CIRCUMSTANCES))
    if unknown:
        raise Invalid(
            "circumstances: unknown %(unknown)s (one of %(known)s)",
            field="circumstances",
            unknown=", ".join(unknown),
            known=", ".join(CIRCUMSTANCES),
        )
    text = checks.text(note, "circumstances_note", NOTE_LIMIT, required=False)
    return [code for code in CIRCUMSTANCES if code in given], text


def state(
    session: Session,
    community: Community,
    viewer: Viewer,
    need_id: int,
    *,
    circumstances: Iterable[str],
    note: str,
    consent: bool,
) -> Need:
    """The person (only they) states or changes their circumstances and consent.

    Without consent the need leaves any priority group it was in.
    """
    need = get_scoped(session, Need, need_id, community.id, missing=N_("No such need here."))
    if viewer.user_id is None or need.user_id != viewer.user_id:
        raise Forbidden("Only the person who asked can state their circumstances.")
    codes, text = clean(circumstances, note)
    need.circumstances, need.circumstances_note = codes, text
    need.priority_consent = bool(consent)
    if not need.priority_consent:
        need.group_id = None
    session.flush()
    return need


def assign_group(
    session: Session, community: Community, viewer: Viewer, need_id: int, group_id: int | None
) -> Need:
    """A steward places an open need in a priority group (the person must have agreed)."""
    require_steward(session, community, viewer)
    need = get_scoped(session, Need, need_id, community.id, missing=N_("No such need here."))
    if need.status != NeedStatus.OPEN.value:
        raise need_closed(need)
    if group_id is not None:
        get_group(session, community, group_id)
        if not need.priority_consent:
            raise Invalid(
                "group_id: the person has not agreed to be placed in a priority group",
                field="group_id",
            )
    need.group_id = group_id
    session.flush()
    return need
