"""Invitations: a one-time link a steward sends; joining (or signing up) through it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commonpot import accounts, signals
from commonpot.accounts import User, Viewer, create_user
from commonpot.communities.access import require_role
from commonpot.communities.models import (
    Community,
    Invitation,
    Membership,
    Role,
)
from commonpot.communities.roles import add_member
from commonpot.communities.schemas import InvitationIn
from commonpot.communities.signals import Invited
from commonpot.db import utcnow
from commonpot.errors import N_, Conflict, Forbidden, Invalid, NotFound
from commonpot.tenancy import get_scoped, select_scoped

INVITE_DAYS = 14


def create_invitation(
    session: Session, community: Community, viewer: Viewer, body: InvitationIn | None = None
) -> tuple[Invitation, str]:
    """A steward invites someone; returns the invitation and its one-time token."""
    if not viewer.is_admin:
        require_role(session, community, viewer, Role.STEWARD)
    body = body or InvitationIn()
    address, role = body.email, body.role
    token = accounts.new_token()
    invitation = Invitation(
        community_id=community.id,
        token_hash=accounts.token_hash(token),
        role=role,
        email=address,
        note=body.note,
        created_by_id=viewer.user_id,
        expires_at=utcnow() + timedelta(days=body.days),
    )
    session.add(invitation)
    session.flush()
    if address is not None:
        invited = Invited(community.id, invitation.id, address, role, token, viewer.user_id)
        signals.emit(session, invited)
    return invitation, token


def open_invitation(session: Session, token: str) -> Invitation:
    """The invitation behind a link, if it is still usable."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == accounts.token_hash(token))
    )
    if invitation is None:
        raise NotFound("This invitation link is not valid. Ask a steward for a new one.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used. Ask a steward for a new one.")
    if invitation.expires_at < utcnow():
        raise Conflict("This invitation has expired. Ask a steward for a new one.")
    return invitation


def accept_invitation(session: Session, token: str, user: User) -> Membership:
    """Join the community of an invitation as the given person."""
    invitation = open_invitation(session, token)
    if invitation.email and invitation.email != user.email:
        raise Forbidden("This invitation was made for another e-mail address.")
    # claim the invitation with one conditional UPDATE so two racers cannot both use it
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This invitation has already been used. Ask a steward for a new one.")
    found = add_member(session, invitation.community, user, invitation.role)
    session.refresh(invitation)
    return found


def sign_up_with_invitation(
    session: Session,
    token: str,
    *,
    email: str,
    display_name: str,
    password: str,
    birth_year: int | None = None,
) -> tuple[User, Membership]:
    """Create an account from an invitation link and join its community."""
    invitation = open_invitation(session, token)
    if invitation.email and invitation.email != email.strip().lower():
        raise Invalid("Use the e-mail address this invitation was made for.", field="email")
    user = create_user(
        session, email=email, display_name=display_name, password=password, birth_year=birth_year
    )
    return user, accept_invitation(session, token, user)


def pending_invitations(session: Session, community: Community, viewer: Viewer) -> list[Invitation]:
    """Unused, unexpired invitations (stewards)."""
    require_role(session, community, viewer, Role.STEWARD)
    return list(
        session.scalars(
            select_scoped(Invitation, community.id)
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.expires_at >= utcnow(),
            )
            .order_by(Invitation.id.desc())
        )
    )


def revoke_invitation(
    session: Session, community: Community, viewer: Viewer, invitation_id: int
) -> None:
    """Withdraw an invitation (stewards)."""
    require_role(session, community, viewer, Role.STEWARD)
    invitation = get_scoped(
        session, Invitation, invitation_id, community.id, missing=N_("No such invitation.")
    )
    session.delete(invitation)
    session.flush()
