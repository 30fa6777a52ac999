"""Communities JSON API: profiles, members and roles, invitations, places."""

from __future__ import annotations

from fastapi import APIRouter, Request, Security

from commonpot.communities import service
from commonpot.communities.schemas import (
    AcceptIn,
    CommunityIn,
    CommunityOut,
    CommunityPatch,
    InvitationIn,
    InvitationOut,
    MemberOut,
    PlaceIn,
    PlaceOut,
    PlacePatch,
    RoleIn,
)
from commonpot.http import bearer_scheme, unit_of_work
from commonpot.params import Id

router = APIRouter(prefix="/api", tags=["communities"], dependencies=[Security(bearer_scheme)])


def invitation_url(request: Request, token: str) -> str:
    """The link a steward sends to the invited person."""
    base = request.app.state.settings.base_url or str(request.base_url).rstrip("/")
    return f"{base.rstrip('/')}/invite/{token}"


@router.get("/communities", response_model=list[CommunityOut])
def list_communities(request: Request) -> list[CommunityOut]:
    """Communities you may read: every public one and those you belong to."""
    with unit_of_work(request) as ctx:
        found = service.visible_communities(ctx.session, ctx.viewer)
        return [CommunityOut.model_validate(c) for c in found]


@router.post("/communities", response_model=CommunityOut, status_code=201)
def create_community(body: CommunityIn, request: Request) -> CommunityOut:
    """Create a community (instance administrators); you become its steward."""
    with unit_of_work(request) as ctx:
        community = service.create_community(ctx.session, ctx.viewer, **body.model_dump())
        return CommunityOut.model_validate(community)


@router.get("/communities/{slug}", response_model=CommunityOut)
def get_community(slug: str, request: Request) -> CommunityOut:
    """A community's profile (private ones only for members)."""
    with unit_of_work(request) as ctx:
        return CommunityOut.model_validate(
            service.readable_community(ctx.session, slug, ctx.viewer)
        )


@router.patch("/communities/{slug}", response_model=CommunityOut)
def update_community(slug: str, body: CommunityPatch, request: Request) -> CommunityOut:
    """Change the community's profile (stewards)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        changed = service.update_community(
            ctx.session, community, ctx.viewer, body.model_dump(exclude_unset=True)
        )
        return CommunityOut.model_validate(changed)


@router.get("/communities/{slug}/members", response_model=list[MemberOut])
def list_members(slug: str, request: Request) -> list[MemberOut]:
    """The members and their roles (members only)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        return [
            MemberOut.model_validate(m) for m in service.members(ctx.session, community, ctx.viewer)
        ]


@router.put("/communities/{slug}/members/{user_id}/role", response_model=MemberOut)
def set_role(slug: str, user_id: Id, body: RoleIn, request: Request) -> MemberOut:
    """Give a member another role (stewards)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        found = service.change_role(ctx.session, community, ctx.viewer, user_id, body.role)
        return MemberOut.model_validate(found)


@router.delete("/communities/{slug}/members/{user_id}", status_code=204)
def remove_member(slug: str, user_id: Id, request: Request) -> None:
    """Remove a member (stewards), or leave the community yourself."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        service.remove_member(ctx.session, community, ctx.viewer, user_id)


@router.get("/communities/{slug}/invitations", response_model=list[InvitationOut])
def list_invitations(slug: str, request: Request) -> list[InvitationOut]:
    """Pending invitations (stewards)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        found = service.pending_invitations(ctx.session, community, ctx.viewer)
        return [InvitationOut.model_validate(i) for i in found]


@router.post("/communities/{slug}/invitations", response_model=InvitationOut, status_code=201)
def create_invitation(slug: str, body: InvitationIn, request: Request) -> InvitationOut:
    """Invite someone (stewards); the answer's `url` is the one-time link to send them."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        invitation, token = service.create_invitation(
            ctx.session, community, ctx.viewer, **body.model_dump()
        )
        out = InvitationOut.model_validate(invitation)
        out.url = invitation_url(request, token)
        return out


@router.delete("/communities/{slug}/invitations/{invitation_id}", status_code=204)
def revoke_invitation(slug: str, invitation_id: Id, request: Request) -> None:
    """Withdraw an invitation (stewards)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        service.revoke_invitation(ctx.session, community, ctx.viewer, invitation_id)


@router.post("/invitations/accept", response_model=MemberOut, status_code=201)
def accept_invitation(body: AcceptIn, request: Request) -> MemberOut:
    """Join the invitation's community as the signed-in person."""
    with unit_of_work(request) as ctx:
        found = service.accept_invitation(ctx.session, body.token, ctx.viewer.require_user())
        return MemberOut.model_validate(found)


@router.get("/communities/{slug}/places", response_model=list[PlaceOut])
def list_places(slug: str, request: Request, kind: str | None = None) -> list[PlaceOut]:
    """The community's places, optionally of one kind."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        return [PlaceOut.model_validate(p) for p in service.places(ctx.session, community, kind)]


@router.post("/communities/{slug}/places", response_model=PlaceOut, status_code=201)
def create_place(slug: str, body: PlaceIn, request: Request) -> PlaceOut:
    """Add a place to the map (members)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        place = service.create_place(ctx.session, community, ctx.viewer, body.model_dump())
        return PlaceOut.model_validate(place)


@router.get("/communities/{slug}/places/{place_id}", response_model=PlaceOut)
def get_place(slug: str, place_id: Id, request: Request) -> PlaceOut:
    """One place."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        return PlaceOut.model_validate(service.get_place(ctx.session, community, place_id))


@router.patch("/communities/{slug}/places/{place_id}", response_model=PlaceOut)
def update_place(slug: str, place_id: Id, body: PlacePatch, request: Request) -> PlaceOut:
    """Change a place (its creator or a steward)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        place = service.update_place(
            ctx.session, community, ctx.viewer, place_id, body.model_dump(exclude_unset=True)
        )
        return PlaceOut.model_validate(place)


@router.delete("/communities/{slug}/places/{place_id}", status_code=204)
def delete_place(slug: str, place_id: Id, request: Request) -> None:
    """Remove a place (stewards)."""
    with unit_of_work(request) as ctx:
        community = service.readable_community(ctx.session, slug, ctx.viewer)
        service.delete_place(ctx.session, community, ctx.viewer, place_id)
