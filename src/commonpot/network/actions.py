"""The network's governance action: commit an allocation run the community voted for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.actions import ActionType, Params, Said, Words, said
from commonpot.communities import Community
from commonpot.errors import Invalid, NotFound
from commonpot.network.models import AllocationRun, RunStatus
from commonpot.network.runs import apply_run, run_closed
from commonpot.tenancy import find_scoped


def _validate(session: Session, community: Community, params: Params) -> Params:
    raw = params.get("run_id")
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise Invalid("Name the allocation run by its number.", field="action.params.run_id")
    run = find_scoped(session, AllocationRun, raw, community.id)
    if run is None:
        raise NotFound("No such allocation run here.", field="action.params.run_id")
    if run.status != RunStatus.DRAFT.value:
        raise run_closed(run)
    return {"run_id": raw}


def _execute(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    run = apply_run(session, community, params["run_id"])
    allocated = run.metrics.get("total_allocated", 0)
    return said(
        "Allocation run %(run)s committed: %(units)s units on their way.",
        run=str(run.id),
        units=allocated if isinstance(allocated, int | float) else str(allocated),
    )


def _describe(params: Params, words: Words) -> str:
    return words.gettext("Commit allocation run %(run)s (moves the food it plans).") % {
        "run": params.get("run_id")
    }


ACTIONS = [
    ActionType(
        kind="commit_allocation_run",
        label="Commit an allocation run",
        describe=_describe,
        validate=_validate,
        execute=_execute,
    )
]
