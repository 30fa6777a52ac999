"""Federation JSON API: follow requests and the approval policy, reports, adaptations."""

from __future__ import annotations

from fastapi import Request

from commonpot.communities.scope import CommunityScope
from commonpot.federation import adapt, approvals, reports
from commonpot.federation.ap import fed_of
from commonpot.federation.schemas import (
    AdaptationOut,
    FollowerOut,
    PolicyIn,
    PolicyOut,
    ReportDecisionIn,
    ReportIn,
    ReportOut,
)
from commonpot.http import api_router_for
from commonpot.params import Id
from commonpot.templating import reader

router = api_router_for("federation")
BASE = "/communities/{slug}/federation"


@router.get(BASE + "/requests", response_model=list[FollowerOut])
def follow_requests(here: CommunityScope) -> list[FollowerOut]:
    """Follow requests waiting for a steward (stewards only)."""
    rows = approvals.requests(here.session, here.community, here.viewer)
    return [FollowerOut.model_validate(r) for r in rows]


@router.post(BASE + "/requests/{follower_id}/accept", response_model=FollowerOut)
def accept_request(request: Request, here: CommunityScope, follower_id: Id) -> FollowerOut:
    """Accept a follow request: the follower hears `Accept` and starts receiving."""
    row = approvals.accept(here.session, fed_of(request), here.community, here.viewer, follower_id)
    return FollowerOut.model_validate(row)


@router.post(BASE + "/requests/{follower_id}/reject", status_code=204)
def reject_request(request: Request, here: CommunityScope, follower_id: Id) -> None:
    """Reject a follow request (or remove a follower): it hears `Reject`."""
    approvals.reject(here.session, fed_of(request), here.community, here.viewer, follower_id)


@router.put(BASE + "/policy", response_model=PolicyOut)
def set_policy(here: CommunityScope, body: PolicyIn) -> PolicyOut:
    """Stewards choose whether new followers wait for their approval."""
    row = approvals.set_approval(here.session, here.community, here.viewer, body.approve_followers)
    return PolicyOut.model_validate(row)


@router.get(BASE + "/reports", response_model=list[ReportOut])
def list_reports(here: CommunityScope) -> list[ReportOut]:
    """Reports received from other servers and sent by members (stewards only)."""
    rows = reports.reports(here.session, here.community, here.viewer)
    return [ReportOut.model_validate(r) for r in rows]


@router.post(BASE + "/reports", response_model=ReportOut, status_code=201)
def report_item(request: Request, here: CommunityScope, body: ReportIn) -> ReportOut:
    """A member reports something a followed community shared (forwarded as a `Flag`)."""
    row = reports.report_item(
        here.session,
        fed_of(request),
        here.community,
        here.viewer,
        body.item_id,
        body.comment,
        forward=body.forward,
    )
    return ReportOut.model_validate(row)


@router.post(BASE + "/reports/{report_id}", response_model=ReportOut)
def decide_report(here: CommunityScope, report_id: Id, body: ReportDecisionIn) -> ReportOut:
    """Stewards resolve or dismiss a report (may remove the item, block its domain)."""
    row = reports.decide(
        here.session,
        here.community,
        here.viewer,
        report_id,
        body.state,
        remove_content=body.remove_content,
        block=body.block_domain,
    )
    return ReportOut.model_validate(row)


@router.post(BASE + "/remote/{item_id}/adapt", response_model=AdaptationOut, status_code=201)
def adapt_recipe(request: Request, here: CommunityScope, item_id: Id) -> AdaptationOut:
    """A member adapts a remote recipe into the community's archive, with lineage to it."""
    row = adapt.adapt(here.session, here.community, here.viewer, item_id, reader(request))
    return AdaptationOut.model_validate(row)
