"""Reports (`Flag`): what other servers report about a community's content, and what members
report about content that followed communities shared.

Incoming `Flag`s that name a local public community or something it published are kept for
its stewards; a member's report of a remote item is kept for the stewards too and, when
asked, forwarded to the origin server as a `Flag` from the community's actor (as Mastodon
and Mobilizon forward reports). Stewards resolve or dismiss a report, and may remove the
reported remote item or block the domain it came from.
"""

from __future__ import annotations

import html
import uuid
from typing import Any

import nh3
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import tenancy
from commonpot.accounts import Viewer
from commonpot.communities import Community, Role, require_member, require_role
from commonpot.db import utcnow
from commonpot.errors import Conflict, Invalid
from commonpot.federation.blocks import block_domain, is_blocked
from commonpot.federation.instance import Fed
from commonpot.federation.models import RemoteActor, RemoteItem, Report
from commonpot.federation.service import queue
from commonpot.federation.vocab import AS, id_of

OPEN = "open"
DECISIONS = {"resolved", "dismissed"}
MAX_OBJECTS = 20


def _comment(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return html.unescape(nh3.clean(value[:20_000], tags=set())).strip()[:2000]


def _local_slug(fed: Fed, url: str) -> str | None:
    """The community an id of ours belongs to (its actor, or something it published)."""
    prefix = fed.urls.base + "/federation/"
    if not url.startswith(prefix):
        return None
    slug = url[len(prefix) :].split("#", 1)[0].split("/", 1)[0]
    return slug or None


def receive_flag(session: Session, fed: Fed, doc: dict[str, Any], actor: RemoteActor) -> str:
    """Keep an incoming `Flag` for the stewards of the public community it concerns."""
    raw = doc.get("object")
    items = raw if isinstance(raw, list) else [raw]
    objects = [found for found in (id_of(x) for x in items[:MAX_OBJECTS]) if found]
    slugs = {slug for slug in (_local_slug(fed, o) for o in objects) if slug}
    communities = session.scalars(
        select(Community).where(Community.slug.in_(slugs), Community.visibility == "public")
    ).all()
    if not communities:
        return "ignored"
    flag_id = (id_of(doc) or "")[:500]
    stored = 0
    for community in communities:
        if is_blocked(session, actor.domain, community.id):
            continue
        if flag_id and session.scalar(  # the same Flag delivered again
            select(Report.id).where(Report.community_id == community.id, Report.flag_id == flag_id)
        ):
            continue
        mine = [o[:500] for o in objects if _local_slug(fed, o) == community.slug]
        session.add(
            Report(
                community_id=community.id,
                direction="incoming",
                flag_id=flag_id,
                actor_id=actor.actor_id,
                domain=actor.domain,
                objects=mine,
                comment=_comment(doc.get("content")),
            )
        )
        stored += 1
    session.flush()
    return "reported" if stored else "ignored"


def report_item(
    session: Session,
    fed: Fed,
    community: Community,
    viewer: Viewer,
    item_id: int,
    comment: str,
    *,
    forward: bool = True,
) -> Report:
    """A member reports a remote item; forwarded to its server as a `Flag` when asked."""
    member = require_member(session, community, viewer)
    item = tenancy.get_scoped(session, RemoteItem, item_id, community.id)
    text = comment.strip()
    if len(text) > 2000:
        raise Invalid("Say what is wrong in at most 2,000 characters.", field="comment")
    report = Report(
        community_id=community.id,
        direction="outgoing",
        actor_id=item.origin_actor,
        domain=item.domain,
        objects=[item.object_id],
        comment=text,
        reporter_id=member.user_id,
    )
    session.add(report)
    session.flush()
    if forward:
        origin = session.scalar(
            select(RemoteActor).where(RemoteActor.actor_id == item.origin_actor)
        )
        inbox = (origin.shared_inbox or origin.inbox) if origin is not None else ""
        if inbox:
            ours = fed.urls.actor(community.slug)
            flag: dict[str, Any] = {
                "@context": AS,
                "id": f"{ours}#flags/{uuid.uuid4().hex}",
                "type": "Flag",
                "actor": ours,
                "object": [item.origin_actor, item.object_id],
                "content": text,
            }
            report.flag_id = flag["id"]
            queue(session, community.id, flag, inbox)
    return report


def reports(session: Session, community: Community, viewer: Viewer) -> list[Report]:
    """The community's reports, open ones first (stewards only)."""
    if not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    query = tenancy.select_scoped(Report, community.id)
    found: list[Report] = list(
        session.scalars(query.order_by(Report.created_at.desc(), Report.id.desc()))
    )
    return sorted(found, key=lambda r: r.state != OPEN)


def decide(
    session: Session,
    community: Community,
    viewer: Viewer,
    report_id: int,
    state: str,
    *,
    remove_content: bool = False,
    block: bool = False,
) -> Report:
    """Stewards resolve or dismiss a report; may remove the remote item and block its domain."""
    if not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    if state not in DECISIONS:
        raise Invalid("Choose resolved or dismissed.", field="state")
    report = tenancy.get_scoped(session, Report, report_id, community.id)
    if report.state != OPEN:
        raise Conflict("That report was already handled.")
    if remove_content:
        if report.direction != "outgoing":
            raise Invalid(
                "Only content from other communities can be removed here.", field="remove_content"
            )
        for item in session.scalars(
            tenancy.select_scoped(RemoteItem, community.id).where(
                RemoteItem.object_id.in_(report.objects)
            )
        ):
            session.delete(item)
    report.state = state
    report.handled_by_id = viewer.user_id
    report.handled_at = utcnow()
    session.flush()
    if block and not is_blocked(session, report.domain, community.id):
        block_domain(session, viewer, report.domain, community)
    return report
