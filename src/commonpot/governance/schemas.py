"""Governance API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MethodName = Literal[
    "plurality", "approval", "irv", "stv", "schulze", "borda", "quadratic", "majority"
]


class ActionIn(BaseModel):
    """A typed action: its kind (see the action registry) and parameters."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(default="text", min_length=1, max_length=40)
    params: dict[str, Any] = Field(default_factory=dict)


class RulesIn(BaseModel):
    """Rules frozen when voting opens; omitted ones come from the community's defaults."""

    model_config = ConfigDict(extra="forbid")

    quorum: str | None = Field(default=None, max_length=20, description="share, e.g. 1/3")
    threshold: str | None = Field(default=None, max_length=20, description="share, e.g. 1/2")
    inclusive: bool | None = None
    voting_seconds: int | None = Field(default=None, ge=60, le=90 * 24 * 3600)
    timelock_seconds: int | None = Field(default=None, ge=0, le=90 * 24 * 3600)
    open_results: bool | None = None
    budget: int | None = Field(default=None, ge=1, le=1_000_000)
    secret: bool | None = Field(
        default=None,
        description="secret ballot (default: yes for membership actions and elections of people)",
    )


class ProposalIn(BaseModel):
    """A new proposal (a draft until opened)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=200)
    body: str = Field(default="", max_length=20000)
    method: MethodName = "majority"
    options: list[str] = Field(default_factory=list, max_length=50)
    seats: int = Field(default=1, ge=1, le=49)
    action: ActionIn = Field(default_factory=ActionIn)
    rules: RulesIn = Field(default_factory=RulesIn)


class OpenIn(BaseModel):
    """When voting opens (default: now); the proposal is pending until then."""

    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime | None = None


class ProposalOut(BaseModel):
    """A proposal as readers see it (results only once allowed)."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    title: str
    body: str
    state: str
    method: str
    options: list[str]
    seats: int
    rules: dict[str, Any]
    action: dict[str, Any]
    action_hash: str
    electorate_size: int
    opens_at: datetime | None
    closes_at: datetime | None
    extended: bool
    executable_at: datetime | None
    executed_at: datetime | None
    result: dict[str, Any] | None
    outcome: str


class VoteIn(BaseModel):
    """A ballot in the method's form, optionally signed with the member's own key."""

    model_config = ConfigDict(extra="forbid")

    ballot: dict[str, Any] = Field(
        description='{"choice": "yes"} | {"approve": [..]} | {"ranking": [[..], ..]} | '
        '{"credits": {"A": 9}}'
    )
    signature: str | None = Field(default=None, max_length=120)
    salt: str | None = Field(
        default=None,
        min_length=64,
        max_length=64,
        description="sealed ballots: your own 64-hex salt (needed when you sign the commitment)",
    )


class ReceiptOut(BaseModel):
    """A sealed ballot's receipt: keep it to check later that your ballot was counted."""

    proposal: int
    commitment: str
    salt: str
    text: str


class VoteOut(BaseModel):
    """The ballot as recorded (with the receipt, once, for a sealed ballot)."""

    ballot: dict[str, Any]
    changes: int
    signed: bool
    receipt: ReceiptOut | None = None


class ReceiptIn(BaseModel):
    """A receipt to check: `commitment:salt` as given when voting."""

    model_config = ConfigDict(extra="forbid")

    receipt: str = Field(min_length=1, max_length=200)


class ReceiptCheckOut(BaseModel):
    """What became of the ballot behind a receipt: recorded, replaced, counted or missing."""

    status: Literal["recorded", "replaced", "counted", "missing"]
    ballot: dict[str, Any] | None


class FloorOut(BaseModel):
    """The least rules a proposal of one kind must set."""

    quorum: str
    threshold: str
    inclusive: bool
    voting_seconds: int
    timelock_seconds: int


class ConstitutionOut(BaseModel):
    """The floors in force per kind of action ("*": every action without its own floor)."""

    version: int
    floors: dict[str, FloorOut]
    hard_floor: FloorOut
    amendment_hard_floor: FloorOut


class CommentIn(BaseModel):
    """A message in the discussion."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5000)


class CommentOut(BaseModel):
    """A discussion message."""

    id: int
    author: str | None
    body: str
    created_at: datetime


class DelegationIn(BaseModel):
    """Let another member vote for you."""

    model_config = ConfigDict(extra="forbid")

    delegate_id: int = Field(ge=1, le=2_000_000_000)
    scope: str = Field(default="*", min_length=1, max_length=40)


class DelegationOut(BaseModel):
    """A current delegation."""

    delegate_id: int
    scope: str


class EntryOut(BaseModel):
    """A ledger entry: its index and canonical JSON text."""

    index: int
    data: str


class EntriesOut(BaseModel):
    """A page of ledger entries."""

    entries: list[EntryOut]


class InclusionOut(BaseModel):
    """An RFC 9162 inclusion proof."""

    index: int
    tree_size: int
    proof: list[str]


class ConsistencyOut(BaseModel):
    """An RFC 9162 consistency proof."""

    first: int
    second: int
    proof: list[str]


class VerifyOut(BaseModel):
    """What a server-side verification of the ledger found."""

    ok: bool
    size: int
    first_bad: int | None
    problems: list[str]
    checked_signatures: int
