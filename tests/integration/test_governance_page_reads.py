"""The governance page's plain-row reads, on both databases: `listed_proposals` lists what
`visible_proposals` lets each reader see (drafts only for their author and stewards), and
`listed_groups` gives each state's newest and its count in one statement, `listed_page` one
state or a title search a page at a time, and `delegation.form_choices` gives the
delegation form its people (the first of many, or those a name finds) and the reader's own
delegations."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from commonpot import communities
from commonpot.accounts import ANONYMOUS, Viewer
from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.errors import NotFound
from commonpot.governance import delegation, ledger, service
from commonpot.governance.models import LedgerEntry, Proposal
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
        members, total, given = delegation.form_choices(s, community, me)
        assert total == len(members) == 2
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
        assert delegation.form_choices(s, community, ANONYMOUS) == ([], 0, [])
        steward = Viewer(user=s.get(User, world.steward.id))
        others, _, none_given = delegation.form_choices(s, community, steward)
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


def _file_proposals(db: Database, slug: str, author_id: int, states: list[str]) -> list[int]:
    """Proposals in the given states, numbered after any already there, straight into the
    table (the reads under test read rows, whatever wrote them); their numbers."""
    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        first = 1 + int(
            s.scalar(select(func.max(Proposal.number)).where(Proposal.community_id == community.id))
            or 0
        )
        numbers = list(range(first, first + len(states)))
        s.add_all(
            Proposal(
                community_id=community.id,
                number=number,
                title=f"Item {number} {state}" + (" 100% local" if number % 7 == 0 else ""),
                author_id=author_id,
                state=state,
                method="majority",
                action_hash="0" * 64,
            )
            for number, state in zip(numbers, states, strict=True)
        )
    return numbers


def test_each_state_shows_its_newest_and_its_count_in_one_read(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    slug = world.public.slug
    states = ["executed"] * 13 + ["defeated"] * 4 + ["active"] * 2 + ["executed"] * 3
    numbers = _file_proposals(db, slug, world.steward.id, states)
    drafts = _file_proposals(db, slug, world.member.id, ["draft"] * 6)
    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        for reader, sees_drafts in ((world.member, True), (world.custodian, False)):
            viewer = Viewer(user=s.get(User, reader.id))
            everything = service.listed_proposals(s, community, viewer)
            groups = service.listed_groups(s, community, viewer, shown=5)
            by_state: dict[str, list[int]] = {}
            for p in everything:
                by_state.setdefault(p.state, []).append(p.number)
            assert {g.state: g.total for g in groups} == {k: len(v) for k, v in by_state.items()}
            for g in groups:  # the newest five of each, newest first, as the full list has them
                assert [p.number for p in g.proposals] == by_state[g.state][:5]
                assert all(p in everything for p in g.proposals)
            # the groups come in the order of their newest proposal
            assert [g.state for g in groups] == list(dict.fromkeys(p.state for p in everything))
            assert ("draft" in by_state) is sees_drafts
        executed = next(g for g in groups if g.state == "executed")
        assert executed.total == 16 and len(executed.proposals) == 5
        assert executed.proposals[0].number == numbers[-1]
        assert len(service.listed_groups(s, community, ANONYMOUS)) == len(groups)
        author = Viewer(user=s.get(User, world.member.id))
        mine = next(g for g in service.listed_groups(s, community, author) if g.state == "draft")
        assert [p.number for p in mine.proposals] == drafts[::-1][: service.GROUP_SHOWN]


def test_one_state_or_a_title_search_is_listed_a_page_at_a_time(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    slug = world.public.slug
    _file_proposals(db, slug, world.steward.id, ["executed", "defeated"] * 12)
    _file_proposals(db, slug, world.member.id, ["draft"] * 3)
    with db.unit_of_work() as s:
        community = fetch_community(s, slug)
        viewer = Viewer(user=s.get(User, world.custodian.id))
        everything = service.listed_proposals(s, community, viewer)
        executed = [p for p in everything if p.state == "executed"]
        first = service.listed_page(s, community, viewer, state="executed", limit=5)
        assert first.rows == executed[:5] and first.total == 12
        last = service.listed_page(s, community, viewer, state="executed", offset=10, limit=5)
        assert last.rows == executed[10:] and last.total == 12
        past = service.listed_page(s, community, viewer, state="executed", offset=40, limit=5)
        assert past.rows == [] and past.total == 12
        # a title search: any case, a literal %, across states, drafts still hidden
        found = service.listed_page(s, community, viewer, title="100% LOCAL")
        expected = [p for p in everything if "100% local" in p.title]
        assert found.rows == expected and found.total == len(expected) > 1
        assert service.listed_page(s, community, viewer, title="0% l").rows == expected
        assert service.listed_page(s, community, viewer, title="%").rows == expected
        assert service.listed_page(s, community, viewer, title="_").total == 0
        assert service.listed_page(s, community, viewer, state="draft").total == 0
        both = service.listed_page(s, community, viewer, state="defeated", title="local")
        assert both.rows == [p for p in expected if p.state == "defeated"]
        author = Viewer(user=s.get(User, world.member.id))
        assert service.listed_page(s, community, author, state="draft").total == 3


def test_the_delegation_form_lists_the_first_members_and_finds_the_others_by_name(
    db: Database,
) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        for i in range(12):
            communities.add_member(s, community, make_user(s, f"Neighbour {i:02d}"))
        communities.add_member(s, community, make_user(s, "Ana 50%_off"))
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        me = Viewer(user=s.get(User, world.member.id))
        everyone = delegation.form_choices(s, community, me, limit=1000)
        names = [p.display_name for p in everyone.members]
        assert names == sorted(names) and "Member" not in names and everyone.total == 15
        first = delegation.form_choices(s, community, me, limit=5)
        assert first.members == everyone.members[:5] and first.total == 15
        found = delegation.form_choices(s, community, me, name="NEIGHBOUR 1", limit=5)
        assert [p.display_name for p in found.members] == ["Neighbour 10", "Neighbour 11"]
        assert found.total == 2
        assert [
            p.display_name for p in delegation.form_choices(s, community, me, name="%_").members
        ] == ["Ana 50%_off"]
        assert delegation.form_choices(s, community, me, name="nobody").total == 0
        assert delegation.form_choices(s, community, me, name="member").members == []  # not oneself
