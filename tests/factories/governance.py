"""Governance test data: Hypothesis strategies for ballot profiles, and votelib adapters."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.governance.ballot_profiles import ApprovalProfile, RankedProfile, Ranking
from commonpot.settings import Settings

# Real public data kept in the repository (provenance: tests/data/README.md).
TEST_DATA = Path(__file__).resolve().parents[1] / "data"
BURLINGTON = TEST_DATA / "preflib" / "00005-00000002.toi"
MERKLE_TESTDATA = TEST_DATA / "merkle"

NAMES = ("Ash", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Gum")


@st.composite
def ranked_profiles(
    draw: st.DrawFn,
    *,
    min_candidates: int = 2,
    max_candidates: int = 6,
    complete: bool = False,
    ties: bool = False,
    max_ballots: int = 12,
    max_weight: int = 40,
) -> RankedProfile:
    """Random ranked profile: strict or tied, complete or truncated, with weights."""
    n = draw(st.integers(min_candidates, max_candidates))
    counts: Counter[Ranking] = Counter()
    for _ in range(draw(st.integers(1, max_ballots))):
        order = draw(st.permutations(range(n)))
        length = n if complete else draw(st.integers(1, n))
        order = order[:length]
        groups: list[tuple[int, ...]] = []
        i = 0
        while i < len(order):
            size = draw(st.integers(1, min(3, len(order) - i))) if ties else 1
            groups.append(tuple(sorted(order[i : i + size])))
            i += size
        counts[tuple(groups)] += draw(st.integers(1, max_weight))
    return RankedProfile(NAMES[:n], dict(counts))


@st.composite
def approval_profiles(draw: st.DrawFn) -> ApprovalProfile:
    """Random approval profile over 2..6 candidates."""
    n = draw(st.integers(2, 6))
    counts: Counter[tuple[int, ...]] = Counter()
    for _ in range(draw(st.integers(1, 15))):
        chosen = draw(st.sets(st.integers(0, n - 1), min_size=1))
        counts[tuple(sorted(chosen))] += draw(st.integers(1, 30))
    return ApprovalProfile(NAMES[:n], dict(counts))


def to_votelib(profile: RankedProfile) -> dict[tuple[object, ...], int]:
    """The profile as votelib ranked votes: candidate indices, frozensets for tied groups.

    Indices, not names: votelib takes anything with a length (a str) for a tied group.
    """
    votes: dict[tuple[object, ...], int] = {}
    for ranking, weight in profile.ballots.items():
        key = tuple(g[0] if len(g) == 1 else frozenset(g) for g in ranking)
        votes[key] = votes.get(key, 0) + weight
    return votes


def appearing(profile: RankedProfile) -> set[int]:
    """Candidates ranked on at least one ballot."""
    return {c for ranking in profile.ballots for group in ranking for c in group}


def to_csv(profile: RankedProfile) -> str:
    """The profile written as CSV rows `A>B=C`, one row per voter."""
    names = profile.candidates
    rows = []
    for ranking, weight in profile.ballots.items():
        row = ">".join("=".join(names[c] for c in group) for group in ranking)
        rows.extend([row] * weight)
    return "\n".join(rows) + "\n"


def fetch_community(session: Session, slug: str) -> Community:
    """The community attached to this session."""
    found = session.scalar(select(Community).where(Community.slug == slug))
    assert found is not None
    return found


def make_proposal(
    db: Database,
    author: User,
    slug: str,
    settings: Settings,
    *,
    method: str = "majority",
    options: list[str] | None = None,
    action: dict[str, Any] | None = None,
    rules: dict[str, Any] | None = None,
    seats: int = 1,
    opened: bool = True,
    title: str = "Plant a walnut grove",
) -> int:
    """Draft (and by default open) a proposal; returns its number."""
    from commonpot.governance import service

    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        viewer = Viewer(user=s.get(User, author.id))
        proposal = service.create_proposal(
            s,
            community,
            viewer,
            title=title,
            body="Shall we?",
            method=method,
            options=options,
            seats=seats,
            action=action,
            rules=rules,
        )
        if opened:
            service.open_proposal(s, community, viewer, proposal.number, settings)
        return proposal.number


def vote(
    db: Database, user: User, slug: str, number: int, ballot: dict[str, Any], settings: Settings
) -> None:
    """Cast a ballot in its own transaction."""
    from commonpot.governance import service

    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        service.cast_vote(s, community, Viewer(user=s.get(User, user.id)), number, ballot, settings)


def let_time_pass(db: Database, slug: str, number: int, settings: Settings) -> None:
    """Move a proposal's voting period, then its timelock, into the past (no waiting days)."""
    from datetime import timedelta

    from commonpot.db import utcnow
    from commonpot.governance import service
    from commonpot.governance.models import Proposal

    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        proposal = s.scalar(
            select(Proposal).where(Proposal.community_id == community.id, Proposal.number == number)
        )
        assert proposal is not None
        past = utcnow() - timedelta(minutes=1)
        if proposal.closes_at is not None and proposal.closes_at > past:
            proposal.closes_at = past
            service.advance(s, community, proposal, settings)
        if proposal.executable_at is not None and proposal.executable_at > past:
            proposal.executable_at = past
