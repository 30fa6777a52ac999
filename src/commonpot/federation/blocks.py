"""Domain blocks: for the whole instance (administrators) or one community (stewards)."""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community, Role, require_role
from commonpot.errors import Conflict, Forbidden, Invalid
from commonpot.federation.handles import domain_of
from commonpot.federation.models import (
    Delivery,
    DomainBlock,
    Follower,
    Following,
    RemoteActor,
    RemoteItem,
)


def is_blocked(session: Session, domain: str, community_id: int | None = None) -> bool:
    """True when the domain is blocked for the instance (or for this community)."""
    query = select(DomainBlock.id).where(DomainBlock.domain == domain.lower())
    if community_id is None:
        query = query.where(DomainBlock.community_id.is_(None))
    else:
        query = query.where(
            or_(DomainBlock.community_id.is_(None), DomainBlock.community_id == community_id)
        )
    return session.scalar(query.limit(1)) is not None


def _clean_domain(domain: str) -> str:
    cleaned = domain.strip().lower().removeprefix("https://").removeprefix("http://")
    cleaned = cleaned.split("/", 1)[0].split(":", 1)[0]
    if not cleaned or len(cleaned) > 253 or not all(c.isalnum() or c in ".-" for c in cleaned):
        raise Invalid("Write a domain such as food.example.org.", field="domain")
    return cleaned


def block_domain(
    session: Session, viewer: Viewer, domain: str, community: Community | None = None
) -> DomainBlock:
    """Block a domain (admins for the instance, stewards for their community) and purge it."""
    name = _clean_domain(domain)
    if community is None:
        if not viewer.is_admin:
            raise Forbidden("Only instance administrators can block a domain for everyone.")
    elif not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    cid = community.id if community is not None else None
    existing = session.scalar(
        select(DomainBlock).where(
            DomainBlock.domain == name,
            DomainBlock.community_id.is_(None) if cid is None else DomainBlock.community_id == cid,
        )
    )
    if existing is not None:
        raise Conflict("%(domain)s is already blocked.", domain=str(name))
    block = DomainBlock(domain=name, community_id=cid)
    session.add(block)
    purge_domain(session, name, cid)
    session.flush()
    return block


def purge_domain(session: Session, domain: str, community_id: int | None) -> None:
    """Remove everything kept from a domain (for one community, or for all)."""
    for table in (Follower, Following, RemoteItem):
        stmt = delete(table).where(table.domain == domain)
        if community_id is not None:
            stmt = stmt.where(table.community_id == community_id)
        session.execute(stmt)
    if community_id is None:
        session.execute(delete(RemoteActor).where(RemoteActor.domain == domain))
        pending = select(Delivery).where(Delivery.state == "pending")
        for row in session.scalars(pending):
            if domain_of(row.inbox) == domain:
                session.delete(row)


def unblock_domain(
    session: Session, viewer: Viewer, domain: str, community: Community | None = None
) -> None:
    """Lift a block."""
    name = _clean_domain(domain)
    if community is None:
        if not viewer.is_admin:
            raise Forbidden("Only instance administrators can lift an instance block.")
    elif not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)
    cid = community.id if community is not None else None
    session.execute(
        delete(DomainBlock).where(
            DomainBlock.domain == name,
            DomainBlock.community_id.is_(None) if cid is None else DomainBlock.community_id == cid,
        )
    )


def blocks(session: Session, community: Community | None) -> list[DomainBlock]:
    """Blocks of the instance and of a community."""
    query = select(DomainBlock).order_by(DomainBlock.domain)
    if community is None:
        query = query.where(DomainBlock.community_id.is_(None))
    else:
        query = query.where(DomainBlock.community_id == community.id)
    return list(session.scalars(query))
