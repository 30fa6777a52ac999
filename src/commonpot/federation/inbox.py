"""Incoming activities: verify the HTTP signature, then Follow, Undo, Accept/Reject, Flag and
what followed communities create, update and delete (kept by `remote`).

Any failure raises a domain error before anything is stored (the edge rolls back).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import (
    N_,
    Forbidden,
    Invalid,
    Part,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
)
from commonpot.federation import approvals, remote, reports
from commonpot.federation.actors import actor_by_key
from commonpot.federation.blocks import is_blocked
from commonpot.federation.client import FetchError
from commonpot.federation.handles import domain_of
from commonpot.federation.instance import Fed
from commonpot.federation.limits import InboxLimiter
from commonpot.federation.models import Follower, Following, RemoteActor
from commonpot.federation.service import queue
from commonpot.federation.sharing import public_community
from commonpot.federation.signatures import (
    SignatureError,
    check_date,
    key_id_of,
    verify_cavage,
    verify_rfc9421,
)
from commonpot.federation.vocab import activity, id_of

MAX_INBOX_BYTES = 256 * 1024


class SlowDown(RateLimited):
    """Too many activities from one server or actor; `retry_after` seconds until the next."""

    def __init__(self, detail: str, retry_after: int, **parts: Part) -> None:
        super().__init__(detail, field=None, **parts)
        self.retry_after = retry_after


def receive(
    session: Session,
    fed: Fed,
    *,
    method: str,
    url: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    slug: str | None = None,
    limiter: InboxLimiter | None = None,
) -> str:
    """Handle one POST to an inbox; returns what was done (errors: 400/401/403/413/429)."""
    if len(body) > MAX_INBOX_BYTES:
        raise PayloadTooLarge(
            "Activities are accepted up to %(limit)s bytes.", limit=MAX_INBOX_BYTES
        )
    community = public_community(session, slug) if slug is not None else None
    try:
        doc = json.loads(body)
    except ValueError:
        raise Invalid("The body is not JSON.", field="body") from None
    actor_id = id_of(doc.get("actor")) if isinstance(doc, dict) else None
    if actor_id is None or not isinstance(doc.get("type"), str):
        raise Invalid("The activity has no actor or type.", field="actor")
    domain = domain_of(actor_id)
    wait = limiter.retry_after(domain, actor_id, time.monotonic()) if limiter is not None else 0
    if wait:
        raise SlowDown(
            N_("Too many activities from %(domain)s; try again in %(wait)s s."),
            wait,
            domain=str(domain),
            wait=wait,
        )
    if is_blocked(session, domain, community.id if community else None):
        raise Forbidden("%(domain)s is blocked here.", domain=str(domain))
    lowered = {k.lower(): v for k, v in headers.items()}
    actor = verify(session, fed, method, url, target, lowered, body, actor_id)
    return dispatch(session, fed, doc, actor, community)


def verify(
    session: Session,
    fed: Fed,
    method: str,
    url: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    actor_id: str,
) -> RemoteActor:
    """The remote actor whose key signed the request (401 otherwise); refetches a stale key once."""
    try:
        signed = key_id_of(headers)
    except SignatureError as exc:
        raise Unauthenticated("Signature: %(reason)s", reason=str(exc)) from exc
    when = utcnow()
    for refresh in (False, True):
        try:
            actor = actor_by_key(session, fed, signed.key_id, refresh=refresh)
        except FetchError as exc:
            raise Unauthenticated(
                "Signature: cannot fetch the key (%(reason)s)", reason=str(exc)
            ) from exc
        if actor.actor_id != actor_id:
            if refresh:
                raise Unauthenticated("Signature: the key does not belong to the activity's actor")
            continue
        try:
            _check(method, url, target, headers, body, signed.scheme, signed.key_id, actor, when)
        except SignatureError as exc:
            if refresh:
                raise Unauthenticated("Signature: %(reason)s", reason=str(exc)) from exc
        else:
            return actor
    raise Unauthenticated("Signature: does not verify")  # pragma: no cover - loop returns


def _check(
    method: str,
    url: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    scheme: str,
    key_id: str,
    actor: RemoteActor,
    when: datetime,
) -> None:
    if scheme == "cavage":
        verify_cavage(method, target, headers, body, actor.public_key_pem, when)
        return
    if "date" in headers:
        check_date(headers, when)
    verify_rfc9421(method, url, headers, body, key_id, actor.public_key_pem)


# --- what an activity does -------------------------------------------------------------------


def _local_community(session: Session, fed: Fed, value: Any) -> Community | None:
    target = id_of(value)
    prefix = fed.urls.base + "/federation/"
    if target is None or not target.startswith(prefix):
        return None
    slug = target[len(prefix) :]
    if "/" in slug or "#" in slug:
        return None
    found = session.scalar(select(Community).where(Community.slug == slug))
    return found if found is not None and found.is_public else None


def dispatch(
    session: Session, fed: Fed, doc: dict[str, Any], actor: RemoteActor, community: Community | None
) -> str:
    """Do what a verified activity asks."""
    kind = doc["type"]
    if kind == "Follow":
        return _follow(session, fed, doc, actor, community)
    if kind in {"Accept", "Reject"}:
        return _answer(session, kind, doc, actor)
    handlers = {
        "Undo": lambda: _undo(session, fed, doc, actor),
        "Create": lambda: remote.store(session, doc, actor),
        "Update": lambda: remote.store(session, doc, actor),
        "Delete": lambda: remote.delete_item(session, doc, actor),
        "Flag": lambda: reports.receive_flag(session, fed, doc, actor),
    }
    handler = handlers.get(kind)
    return handler() if handler is not None else "ignored"


def _undo(session: Session, fed: Fed, doc: dict[str, Any], actor: RemoteActor) -> str:
    inner = doc.get("object")
    query = delete(Follower).where(Follower.actor_id == actor.actor_id)
    if isinstance(inner, dict) and inner.get("type") == "Follow":
        target = _local_community(session, fed, inner.get("object"))
        if target is not None:
            query = query.where(Follower.community_id == target.id)
        else:
            query = query.where(Follower.follow_id == id_of(inner))
    elif isinstance(inner, str):
        query = query.where(Follower.follow_id == inner)
    else:
        return "ignored"
    session.execute(query)
    return "unfollowed"


def _answer(session: Session, kind: str, doc: dict[str, Any], actor: RemoteActor) -> str:
    follow_id = id_of(doc.get("object"))
    rows = session.scalars(
        select(Following).where(
            Following.actor_id == actor.actor_id, Following.follow_id == follow_id
        )
    ).all()
    for row in rows:
        if kind == "Accept":
            row.state = "accepted"
        else:
            session.delete(row)
    return kind.lower() + "ed" if rows else "ignored"


def _follow(
    session: Session, fed: Fed, doc: dict[str, Any], actor: RemoteActor, community: Community | None
) -> str:
    target = _local_community(session, fed, doc.get("object"))
    if target is None or (community is not None and community.id != target.id):
        return "ignored"
    if is_blocked(session, actor.domain, target.id):
        raise Forbidden("%(domain)s is blocked here.", domain=str(actor.domain))
    if not actor.inbox:
        raise Invalid("The follower has no inbox.", field="actor")
    follow_id = id_of(doc) or ""
    row = session.scalar(
        select(Follower).where(
            Follower.community_id == target.id, Follower.actor_id == actor.actor_id
        )
    )
    if row is None:
        row = Follower(
            community_id=target.id, actor_id=actor.actor_id, domain=actor.domain, state=""
        )
        session.add(row)
    row.inbox = actor.inbox
    row.shared_inbox = actor.shared_inbox
    row.follow_id = follow_id
    if row.state != approvals.ACCEPTED and approvals.approves_followers(session, target):
        row.state = approvals.PENDING  # the stewards answer (approvals.accept / reject)
        session.flush()
        return "pending"
    row.state = approvals.ACCEPTED
    our_actor = fed.urls.actor(target.slug)
    follow_doc = {k: v for k, v in doc.items() if k != "@context"}
    accept = activity("Accept", f"{our_actor}#accepts/{uuid.uuid4().hex}", our_actor, follow_doc)
    queue(session, target.id, accept, actor.inbox)
    session.flush()
    return "followed"
