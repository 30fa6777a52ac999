"""Federation inputs and outputs for the JSON API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class FollowerOut(BaseModel):
    """A remote actor that follows (or asks to follow) the community."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    actor_id: str
    domain: str
    state: str
    created_at: datetime


class PolicyIn(BaseModel):
    """Whether new followers wait for a steward's approval."""

    model_config = ConfigDict(extra="forbid")

    approve_followers: bool


class PolicyOut(PolicyIn):
    """The community's federation policy."""

    model_config = ConfigDict(from_attributes=True)


class ReportIn(BaseModel):
    """A member reports something a followed community shared."""

    model_config = ConfigDict(extra="forbid")

    item_id: int = Field(ge=1, le=2_147_483_647)
    comment: str = Field(default="", max_length=2000)
    forward: bool = True


class ReportOut(BaseModel):
    """A report received from another server or sent to one."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    direction: str
    actor_id: str
    domain: str
    objects: list[str]
    comment: str
    state: str
    created_at: datetime
    handled_at: datetime | None


class ReportDecisionIn(BaseModel):
    """What stewards did about a report."""

    model_config = ConfigDict(extra="forbid")

    state: str = Field(pattern=r"^(resolved|dismissed)$")
    remove_content: bool = False
    block_domain: bool = False


class AdaptationOut(BaseModel):
    """A local recipe adapted from a remote one, with its lineage across servers."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    recipe_id: int
    object_id: str
    origin_actor: str
    origin_name: str
    url: str
    license: str
