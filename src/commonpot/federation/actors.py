"""Remote actors: fetched with a signed GET, cached with their public keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.db import utcnow
from commonpot.federation.client import FetchError
from commonpot.federation.handles import domain_of
from commonpot.federation.instance import Fed
from commonpot.federation.models import (
    RemoteActor,
)
from commonpot.federation.vocab import (
    id_of,
)


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def remember_actor(session: Session, doc: dict[str, Any]) -> RemoteActor:
    """Cache (or refresh) a remote actor's document and key."""
    actor_id = id_of(doc)
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = key[0] if key else None
    if actor_id is None or not isinstance(key, dict):
        raise FetchError("the actor document has no id or publicKey")
    if key.get("owner") != actor_id or not isinstance(key.get("publicKeyPem"), str):
        raise FetchError("the actor's key is not owned by the actor")
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    found = session.scalar(select(RemoteActor).where(RemoteActor.actor_id == actor_id))
    if found is None:
        found = RemoteActor(actor_id=actor_id)
        session.add(found)
    found.key_id = str(key.get("id") or actor_id + "#main-key")
    found.public_key_pem = key["publicKeyPem"]
    found.inbox = _text(doc.get("inbox"), 500)
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    found.shared_inbox = shared if isinstance(shared, str) else None
    found.name = _text(doc.get("name"), 200) or _text(doc.get("preferredUsername"), 200)
    found.username = _text(doc.get("preferredUsername"), 200)
    found.domain = domain_of(actor_id)
    found.fetched_at = utcnow()
    session.flush()
    return found


def fetch_actor(session: Session, fed: Fed, url: str) -> RemoteActor:
    """Fetch an actor (or the key document naming its owner) and cache it."""
    doc = fed.fetch(url.split("#", 1)[0])
    if "publicKey" not in doc and isinstance(doc.get("owner"), str):
        doc = fed.fetch(doc["owner"])
    return remember_actor(session, doc)


def actor_by_key(session: Session, fed: Fed, key_id: str, *, refresh: bool) -> RemoteActor:
    """The actor owning a key id: cached, or fetched (again, when `refresh`)."""
    found = session.scalar(select(RemoteActor).where(RemoteActor.key_id == key_id))
    if found is not None and not refresh:
        return found
    return fetch_actor(session, fed, key_id)
