"""Conviction-voted grants over the JSON API (included by `governance.api`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from commonpot.communities.scope import CommunityScope, Here
from commonpot.governance import grants
from commonpot.governance.catchup import GrantsCaughtUp
from commonpot.governance.models import Grant

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


def _out(here: Here, grant: Grant) -> GrantOut:
    return GrantOut(
        number=grant.number,
        title=grant.title,
        body=grant.body,
        recipient=grant.recipient,
        pool=grant.pool,
        requested=grant.requested,
        state=grant.state,
        conviction=grant.conviction,
        status=grants.status(here.session, here.community, grant),
    )


@router.get(BASE, response_model=list[GrantOut])
def list_grants(here: GrantsCaughtUp) -> list[GrantOut]:
    """Grant requests with their conviction, threshold and time to pass."""
    return [_out(here, g) for g in grants.open_grants(here.session, here.community)]


@router.post(BASE, response_model=GrantOut, status_code=201)
def create_grant(here: CommunityScope, body: GrantIn) -> GrantOut:
    """Ask for funding from the treasury or seed bank (members)."""
    grant = grants.create_grant(
        here.session, here.community, here.viewer, here.settings, **body.model_dump()
    )
    return _out(here, grant)


@router.put(BASE + "/{number}/stake", response_model=GrantOut)
def stake(
    here: CommunityScope, number: Annotated[int, Path(ge=1, le=2_000_000_000)], body: StakeIn
) -> GrantOut:
    """Stake tokens on a request; conviction grows each step they stay."""
    grants.stake(here.session, here.community, here.viewer, number, body.amount, here.settings)
    found = next(g for g in grants.open_grants(here.session, here.community) if g.number == number)
    return _out(here, found)
