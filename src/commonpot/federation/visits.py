"""Guests from other instances at a community's live gatherings.

A member of a community here who wants to join a gathering that a followed community
announced asks through their own community: it signs a `Join` naming the member
(draft-cavage, with the community's key) and posts it to the gathering's `guestPasses`.
The origin verifies the signature against the community's actor, checks that the gathering
is still open to outsiders (an open gathering of a public recipe in a public community),
and answers with a pass it signed itself. The member opens the gathering's page with that
pass and shows there by name, as a guest their community vouched for. Whoever comes
without a pass is an anonymous guest; a gathering that may not leave its community answers
404 to both, exactly as if it did not exist.
"""

from __future__ import annotations

import html
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import nh3
from sqlalchemy.orm import Session

from commonpot import experiences
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import N_, Forbidden, Invalid, NotFound, PayloadTooLarge
from commonpot.federation.blocks import is_blocked
from commonpot.federation.client import FetchError
from commonpot.federation.handles import domain_of
from commonpot.federation.inbox import SlowDown, verify
from commonpot.federation.instance import Fed
from commonpot.federation.limits import InboxLimiter
from commonpot.federation.models import RemoteItem
from commonpot.federation.sharing import public_community, shareable_gathering
from commonpot.federation.signatures import sign_cavage
from commonpot.federation.vocab import ACTIVITY_JSON, AS, id_of, types_of
from commonpot.tenancy import find_scoped

MAX_BODY = 16 * 1024
NAME_LIMIT = 80


def _name(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    raw = value.get("name")
    if not isinstance(raw, str):
        return ""
    return " ".join(html.unescape(nh3.clean(raw, tags=set())).split())[:NAME_LIMIT]


def grant_pass(
    session: Session,
    fed: Fed,
    secret: str,
    *,
    slug: str,
    gathering_id: int,
    method: str,
    url: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    limiter: InboxLimiter | None = None,
) -> dict[str, Any]:
    """The origin's side: a signed `Join` from another instance's community, naming its
    member, answered with a guest pass for the gathering (401 unsigned, 404 not joinable)."""
    if len(body) > MAX_BODY:
        raise PayloadTooLarge(
            "A request for a guest pass is at most %(limit)s bytes.", limit=MAX_BODY
        )
    community = public_community(session, slug)
    gathering = shareable_gathering(session, community, gathering_id)
    if gathering is None:
        raise NotFound("No gathering %(id)s here.", id=str(gathering_id))
    try:
        doc = json.loads(body)
    except ValueError:
        raise Invalid("The body is not JSON.", field="body") from None
    if not isinstance(doc, dict) or "Join" not in types_of(doc):
        raise Invalid("Ask for a guest pass with a Join activity.", field="type")
    actor_id = id_of(doc.get("actor"))
    if actor_id is None:
        raise Invalid("The Join has no actor.", field="actor")
    if id_of(doc.get("object")) != fed.urls.gathering(slug, gathering.id):
        raise Invalid("The Join names another gathering.", field="object")
    domain = domain_of(actor_id)
    wait = limiter.retry_after(domain, actor_id, time.monotonic()) if limiter is not None else 0
    if wait:
        raise SlowDown(
            N_("Too many requests from %(domain)s; try again in %(wait)s s."),
            wait,
            domain=str(domain),
            wait=wait,
        )
    if is_blocked(session, domain, community.id):
        raise Forbidden("%(domain)s is blocked here.", domain=str(domain))
    lowered = {k.lower(): v for k, v in headers.items()}
    actor = verify(session, fed, method, url, target, lowered, body, actor_id)
    name = _name(doc.get("visitor"))
    if not name:
        raise Invalid("Name the visitor (visitor.name).", field="visitor")
    label = f"{name} · @{actor.username or 'community'}@{actor.domain}"
    token = experiences.guest_pass(secret, gathering.id, label)
    page = f"{fed.base_url}/communities/{slug}/gatherings/{gathering.id}"
    return {
        "@context": AS,
        "type": "Accept",
        "actor": fed.urls.actor(slug),
        "object": id_of(doc) or "",
        "guest": label,
        "url": f"{page}?guest={token}",
    }


@dataclass(frozen=True)
class Way:
    """Where a member goes to join a remote gathering, and whether their community vouched."""

    url: str
    vouched: bool


def join_remote(
    session: Session, fed: Fed, community: Community, viewer: Viewer, item_id: int, *, member: bool
) -> Way:
    """Our side: vouch for a member at a gathering a followed community announced.

    The gathering's page with a pass when the origin grants one, else its plain page (whoever
    is not our member, or was not vouched for, joins as an anonymous guest)."""
    item = find_scoped(session, RemoteItem, item_id, community.id)
    if item is None or item.kind != "gathering" or not item.url:
        raise NotFound("No gathering %(id)s from other communities here.", id=str(item_id))
    plain = Way(item.url, False)
    user = viewer.user
    if user is None or not member or not community.is_public:
        return plain
    endpoint = item.object_id.rstrip("/") + "/guests"
    if domain_of(endpoint) != item.domain or domain_of(item.url) != item.domain:
        return plain
    ours = fed.urls.actor(community.slug)
    body = json.dumps(
        {
            "@context": AS,
            "id": f"{ours}#joins/{uuid.uuid4().hex}",
            "type": "Join",
            "actor": ours,
            "object": item.object_id,
            "visitor": {"type": "Person", "name": user.display_name},
        },
        separators=(",", ":"),
    ).encode("utf-8")
    key_id, key = fed.key_for(community.slug)
    headers = {"content-type": ACTIVITY_JSON, "accept": "application/json"}
    headers.update(sign_cavage("POST", endpoint, body, key_id, key, utcnow()))
    try:
        status, answer = fed.client.post_json(endpoint, body, headers)
    except FetchError:
        return plain
    url = answer.get("url") if isinstance(answer, dict) else None
    if status != 201 or not isinstance(url, str) or not url.startswith(item.url + "?guest="):
        return plain
    return Way(url[:2000], True)
