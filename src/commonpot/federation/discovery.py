"""Discovery and actor documents: WebFinger, NodeInfo, a community's Group, the instance actor.

Pure: builds plain dicts from plain data; the service decides which communities are shown.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonpot.federation.vocab import ACTIVITY_JSON, AS, NODEINFO_SCHEMA, SECURITY, Urls, iso

# terms the ActivityStreams context lacks that Mastodon and Mobilizon read on actors
ACTOR_TERMS: dict[str, Any] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "discoverable": "http://joinmastodon.org/ns#discoverable",
}


def webfinger(slug: str, host: str, actor_id: str, page_url: str) -> dict[str, Any]:
    """The JRD answering `acct:slug@host`."""
    return {
        "subject": f"acct:{slug}@{host}",
        "aliases": [actor_id, page_url],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_id},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page_url},
        ],
    }


def nodeinfo_links(base: str) -> dict[str, Any]:
    """`/.well-known/nodeinfo`: where the NodeInfo 2.1 document is."""
    return {"links": [{"rel": NODEINFO_SCHEMA, "href": f"{base}/nodeinfo/2.1"}]}


def nodeinfo(version: str, communities: int, posts: int, name: str) -> dict[str, Any]:
    """The NodeInfo 2.1 document."""
    return {
        "version": "2.1",
        "software": {
            "name": "commonpot",
            "version": version,
            "homepage": "https://github.com/commonpot/commonpot",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0"]},
        "openRegistrations": False,
        "usage": {"users": {"total": communities}, "localPosts": posts},
        "metadata": {"nodeName": name},
    }


@dataclass(frozen=True)
class GroupInfo:
    """A public community as an actor."""

    slug: str
    name: str
    summary: str
    page_url: str
    public_key_pem: str
    published: datetime | None = None
    approves_followers: bool = False


def group_actor(urls: Urls, group: GroupInfo) -> dict[str, Any]:
    """The community's `Group` actor document."""
    actor_id = urls.actor(group.slug)
    doc: dict[str, Any] = {
        "@context": [AS, SECURITY, ACTOR_TERMS],
        "id": actor_id,
        "type": "Group",
        "preferredUsername": group.slug,
        "name": group.name,
        "summary": html.escape(group.summary),
        "url": group.page_url,
        "inbox": actor_id + "/inbox",
        "outbox": actor_id + "/outbox",
        "followers": actor_id + "/followers",
        "following": actor_id + "/following",
        "endpoints": {"sharedInbox": urls.shared_inbox()},
        "manuallyApprovesFollowers": group.approves_followers,
        "discoverable": True,
        "publicKey": {
            "id": urls.key(group.slug),
            "owner": actor_id,
            "publicKeyPem": group.public_key_pem,
        },
    }
    if group.published is not None:
        doc["published"] = iso(group.published)
    return doc


def instance_actor(urls: Urls, host: str, public_key_pem: str) -> dict[str, Any]:
    """The instance's `Application` actor, which signs outgoing fetches."""
    actor_id = urls.instance_actor()
    return {
        "@context": [AS, SECURITY],
        "id": actor_id,
        "type": "Application",
        "preferredUsername": host,
        "name": "commonpot",
        "inbox": urls.shared_inbox(),
        "outbox": actor_id + "/outbox",
        "manuallyApprovesFollowers": True,
        "publicKey": {
            "id": actor_id + "#main-key",
            "owner": actor_id,
            "publicKeyPem": public_key_pem,
        },
    }
