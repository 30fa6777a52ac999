"""The governance page's plain-row reads, on both databases: `listed_proposals` lists what
`visible_proposals` lets each reader see (drafts only for their author and stewards), and
`delegation.form_choices` gives the delegation form its people and the reader's own
delegations in one statement."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from commonpot import communities
from commonpot.accounts import ANONYMOUS, Viewer
from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.errors import NotFound
from commonpot.governance import delegation, ledger, service
from commonpot.governance.models import LedgerEntry
from commonpot.governance.proposals import MAX_NUMBER
from commonpot.settings import Settings
from tests.factories.accounts import make_user, make_world
from tests.factories.governance import fetch_community, make_proposal, vote


def test_listed_proposals_are_the_visible_ones_with_what_a_list_shows(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    slug = world.public.slug
    opened = make_proposal(db, world.steward, slug, settings, title="Plant a walnut grove")
    draft = make_proposal(db, world.member, slug, settings, title="A draft", opened=False)
    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        for reader, sees_draft in (
            (world.member, True),  # its author
            (world.steward, True),
            (world.custodian, False),
            (None, False),
        ):
            viewer = ANONYMOUS if reader is None else Viewer(user=s.get(User, reader.id))
            listed = service.listed_proposals(s, community, viewer)
            full = service.visible_proposals(s, community, viewer)
            assert [(p.number, p.title, p.state, p.method, p.closes_at) for p in full] == [
                tuple(p) for p in listed
            ]
            numbers = [p.number for p in listed]
            assert numbers == ([draft, opened] if sees_draft else [opened])
        active = next(p for p in listed if p.number == opened)
        assert active.state == "active" and active.closes_at is not None


def test_the_delegation_form_offers_the_other_members_and_lists_ones_own_delegations(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        me = Viewer(user=s.get(User, world.member.id))
        delegation.delegate(s, community, me, world.custodian.id, settings, "*")
        delegation.delegate(s, community, me, world.steward.id, settings, "text")
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        me = Viewer(user=s.get(User, world.member.id))
        members, given = delegation.form_choices(s, community, me)
        assert [p.display_name for p in members] == ["Custodian", "Steward"]  # not oneself
        assert world.member.id not in [p.user_id for p in members]
        assert sorted((g.scope, g.delegate_name) for g in given) == [
            ("*", "Custodian"),
            ("text", "Steward"),
        ]
        assert {g.delegate_id for g in given} == {world.custodian.id, world.steward.id}
        # the same delegations the API lists
        assert sorted(
            (d.scope, d.delegate_id) for d in delegation.my_delegations(s, community, me)
        ) == sorted((g.scope, g.delegate_id) for g in given)
        assert delegation.form_choices(s, community, ANONYMOUS) == ([], [])
        steward = Viewer(user=s.get(User, world.steward.id))
        others, none_given = delegation.form_choices(s, community, steward)
        assert [p.display_name for p in others] == ["Custodian", "Member"]
        assert none_given == []


def test_a_proposal_comes_with_ones_own_vote_and_its_discussion_as_rows(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    slug = world.public.slug
    number = make_proposal(db, world.steward, slug, settings)
    draft = make_proposal(db, world.member, slug, settings, title="Mine", opened=False)
    vote(db, world.member, slug, number, {"choice": "yes"}, settings)
    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        for user in (world.member, world.custodian):
            service.add_comment(
                s, community, Viewer(user=s.get(User, user.id)), number, f"From {user.id}"
            )
        gone = make_user(s, "Soon gone")
        communities.add_member(s, community, gone)
        service.add_comment(s, community, Viewer(user=gone), number, "Left since")
    with db.unit_of_work() as s:
        s.delete(s.get(User, gone.id))  # the comment stays, its author unknown
    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        member = Viewer(user=s.get(User, world.member.id))
        proposal, mine = service.proposal_and_vote(s, community, member, number)
        assert proposal.number == number
        assert mine is not None
        assert mine == service.my_vote(s, proposal, member)
        assert mine.ballot == {"choice": "yes"}
        custodian = Viewer(user=s.get(User, world.custodian.id))
        assert service.proposal_and_vote(s, community, custodian, number)[1] is None
        assert service.proposal_and_vote(s, community, ANONYMOUS, number)[1] is None
        # the draft: its author sees it (without a vote), nobody else does
        assert service.proposal_and_vote(s, community, member, draft)[0].title == "Mine"
        for viewer in (custodian, ANONYMOUS):
            with pytest.raises(NotFound):
                service.proposal_and_vote(s, community, viewer, draft)
        for missing in (0, draft + 100, MAX_NUMBER + 1):
            with pytest.raises(NotFound):
                service.proposal_and_vote(s, community, member, missing)
        said = service.comments(s, proposal)
        assert [(c.author, c.body) for c in said] == [
            ("Member", f"From {world.member.id}"),
            ("Custodian", f"From {world.custodian.id}"),
            (None, "Left since"),
        ]
        assert [c.id for c in said] == sorted(c.id for c in said)
        assert all(c.created_at is not None for c in said)


def test_the_ledger_pages_newest_entries_say_the_logs_size(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        before = ledger.size(s, community)
        rows, size = ledger.newest_and_size(s, community, 50)
        assert size == before
        assert [r.seq for r in rows] == list(range(before - 1, -1, -1))[:50]
        for i in range(3):
            ledger.append(s, community, "note", {"text": f"entry {i}"})
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        rows, size = ledger.newest_and_size(s, community, 2)
        assert size == ledger.size(s, community) == before + 3
        assert [r.seq for r in rows] == [before + 2, before + 1]
        assert ledger.newest_and_size(s, community, 0)[1] == size  # still one read
        empty = fetch_community(s, world.private.slug)
        s.execute(delete(LedgerEntry).where(LedgerEntry.community_id == empty.id))
        assert ledger.newest_and_size(s, empty, 50) == ([], 0) == ([], ledger.size(s, empty))
