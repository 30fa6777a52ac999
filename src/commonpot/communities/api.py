"""Communities JSON API: profiles, members and roles, invitations, places."""

from __future__ import annotations

from fastapi import Request, Response

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
from commonpot.communities.scope import CommunityScope, Here, shared_read
from commonpot.http import Unit, api_router_for, own_address, say_pages
from commonpot.params import Id, Paged

router = api_router_for("communities")


def invitation_url(request: Request, token: str) -> str:
    """The link a steward sends to the invited person."""
    return f"{own_address(request)}/invite/{token}"


@router.get("/communities", response_model=list[CommunityOut])
def list_communities(ctx: Unit) -> list[CommunityOut]:
    """Communities you may read: every public one and those you belong to."""
    found = service.visible_communities(ctx.session, ctx.viewer)
    return [CommunityOut.model_validate(c) for c in found]


@router.post("/communities", response_model=CommunityOut, status_code=201)
def create_community(body: CommunityIn, ctx: Unit) -> CommunityOut:
    """Create a community (instance administrators); you become its steward."""
    community = service.create_community(ctx.session, ctx.viewer, **body.model_dump())
    return CommunityOut.model_validate(community)


@router.get("/communities/{slug}", response_model=CommunityOut)
async def get_community(request: Request, slug: str) -> Response:
    """A community's profile (private ones only for members). Read by someone not signed
    in, the answer is shared while the database is unchanged (`commonpot.shared_answers`)."""

    def answer(here: Here) -> Response:
        body = CommunityOut.model_validate(here.community).model_dump_json()
        return Response(body, media_type="application/json")

    return await shared_read(request, slug, answer)


@router.patch("/communities/{slug}", response_model=CommunityOut)
def update_community(body: CommunityPatch, here: CommunityScope) -> CommunityOut:
    """Change the community's profile (stewards)."""
    changed = service.update_community(
        here.session, here.community, here.viewer, body.model_dump(exclude_unset=True)
    )
    return CommunityOut.model_validate(changed)


@router.get("/communities/{slug}/members", response_model=list[MemberOut])
def list_members(here: CommunityScope, response: Response, window: Paged) -> list[MemberOut]:
    """The members and their roles (members only), stewards first, then by name; a page of
    them with `limit`."""
    found = service.members(here.session, here.community, here.viewer, window)
    say_pages(here.request, response, window, len(found))
    return [MemberOut.model_validate(m) for m in found]


@router.put("/communities/{slug}/members/{user_id}/role", response_model=MemberOut)
def set_role(user_id: Id, body: RoleIn, here: CommunityScope) -> MemberOut:
    """Give a member another role (stewards)."""
    found = service.change_role(here.session, here.community, here.viewer, user_id, body.role)
    return MemberOut.model_validate(found)


@router.delete("/communities/{slug}/members/{user_id}", status_code=204)
def remove_member(user_id: Id, here: CommunityScope) -> None:
    """Remove a member (stewards), or leave the community yourself."""
    service.remove_member(here.session, here.community, here.viewer, user_id)


@router.get("/communities/{slug}/invitations", response_model=list[InvitationOut])
def list_invitations(here: CommunityScope) -> list[InvitationOut]:
    """Pending invitations (stewards)."""
    found = service.pending_invitations(here.session, here.community, here.viewer)
    return [InvitationOut.model_validate(i) for i in found]


@router.post("/communities/{slug}/invitations", response_model=InvitationOut, status_code=201)
def create_invitation(body: InvitationIn, here: CommunityScope) -> InvitationOut:
    """Invite someone (stewards); the answer's `url` is the one-time link to send them."""
    invitation, token = service.create_invitation(here.session, here.community, here.viewer, body)
    out = InvitationOut.model_validate(invitation)
    out.url = invitation_url(here.request, token)
    return out


@router.delete("/communities/{slug}/invitations/{invitation_id}", status_code=204)
def revoke_invitation(invitation_id: Id, here: CommunityScope) -> None:
    """Withdraw an invitation (stewards)."""
    service.revoke_invitation(here.session, here.community, here.viewer, invitation_id)


@router.post("/invitations/accept", response_model=MemberOut, status_code=201)
def accept_invitation(body: AcceptIn, ctx: Unit) -> MemberOut:
    """Join the invitation's community as the signed-in person."""
    found = service.accept_invitation(ctx.session, body.token, ctx.viewer.require_user())
    return MemberOut.model_validate(found)


@router.get("/communities/{slug}/places", response_model=list[PlaceOut])
def list_places(here: CommunityScope, kind: str | None = None) -> list[PlaceOut]:
    """The community's places, optionally of one kind."""
    return [PlaceOut.model_validate(p) for p in service.places(here.session, here.community, kind)]


@router.post("/communities/{slug}/places", response_model=PlaceOut, status_code=201)
def create_place(body: PlaceIn, here: CommunityScope) -> PlaceOut:
    """Add a place to the map (members)."""
    place = service.create_place(here.session, here.community, here.viewer, body)
    return PlaceOut.model_validate(place)


@router.get("/communities/{slug}/places/{place_id}", response_model=PlaceOut)
def get_place(place_id: Id, here: CommunityScope) -> PlaceOut:
    """One place."""
    return PlaceOut.model_validate(service.get_place(here.session, here.community, place_id))


@router.patch("/communities/{slug}/places/{place_id}", response_model=PlaceOut)
def update_place(place_id: Id, body: PlacePatch, here: CommunityScope) -> PlaceOut:
    """Change a place (its creator or a steward)."""
    place = service.update_place(here.session, here.community, here.viewer, place_id, body)
    return PlaceOut.model_validate(place)


@router.delete("/communities/{slug}/places/{place_id}", status_code=204)
def delete_place(place_id: Id, here: CommunityScope) -> None:
    """Remove a place (stewards)."""
    service.delete_place(here.session, here.community, here.viewer, place_id)
