"""Conviction-voted grants over the JSON API (included by `governance.api`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from commonpot.communities import service as communities
from commonpot.governance import grants
from commonpot.governance.catchup import catch_up
from commonpot.governance.models import Grant
from commonpot.http import Ctx, unit_of_work

router = APIRouter()
BASE = "/communities/{slug}/grants"


class GrantIn(BaseModel):
    """A request for funding decided by conviction."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=200)
    body: str = Field(default="", max_length=5000)
    recipient: str = Field(min_length=1, max_length=120)
    requested: int = Field(ge=1, le=1_000_000_000)
    pool: str = Field(default="treasury", pattern="^(treasury|seed_bank)$")


class StakeIn(BaseModel):
    """How many of your tokens to stake on the request (0 withdraws)."""

    model_config = ConfigDict(extra="forbid")

    amount: int = Field(ge=0, le=1_000_000)


class GrantOut(BaseModel):
    """A grant request with its conviction now."""

    number: int
    title: str
    body: str
    recipient: str
    pool: str
    requested: int
    state: str
    conviction: str
    status: dict[str, Any]


def _out(ctx: Ctx, grant: Grant) -> GrantOut:
    community = communities.readable_community(ctx.session, ctx.extra["slug"], ctx.viewer)
    return GrantOut(
        number=grant.number,
        title=grant.title,
        body=grant.body,
        recipient=grant.recipient,
        pool=grant.pool,
        requested=grant.requested,
        state=grant.state,
        conviction=grant.conviction,
        status=grants.status(ctx.session, community, grant),
    )


@router.get(BASE, response_model=list[GrantOut])
def list_grants(slug: str, request: Request) -> list[GrantOut]:
    """Grant requests with their conviction, threshold and time to pass."""
    catch_up(request, slug, with_grants=True)
    with unit_of_work(request) as ctx:
        ctx.extra["slug"] = slug
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        return [_out(ctx, g) for g in grants.open_grants(ctx.session, community)]


@router.post(BASE, response_model=GrantOut, status_code=201)
def create_grant(slug: str, body: GrantIn, request: Request) -> GrantOut:
    """Ask for funding from the treasury or seed bank (members)."""
    with unit_of_work(request) as ctx:
        ctx.extra["slug"] = slug
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        grant = grants.create_grant(
            ctx.session, community, ctx.viewer, ctx.settings, **body.model_dump()
        )
        return _out(ctx, grant)


@router.put(BASE + "/{number}/stake", response_model=GrantOut)
def stake(
    slug: str, number: Annotated[int, Path(ge=1, le=2_000_000_000)], body: StakeIn, request: Request
) -> GrantOut:
    """Stake tokens on a request; conviction grows each step they stay."""
    with unit_of_work(request) as ctx:
        ctx.extra["slug"] = slug
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        grants.stake(ctx.session, community, ctx.viewer, number, body.amount, ctx.settings)
        found = next(g for g in grants.open_grants(ctx.session, community) if g.number == number)
        return _out(ctx, found)
