"""The governance page's plain-row reads, on both databases: `listed_proposals` lists what
`visible_proposals` lets each reader see (drafts only for their author and stewards), and
`delegation.form_choices` gives the delegation form its people and the reader's own
delegations in one statement."""

from __future__ import annotations

from commonpot.accounts import ANONYMOUS, Viewer
from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.governance import delegation, service
from commonpot.settings import Settings
from tests.factories.accounts import make_world
from tests.factories.governance import fetch_community, make_proposal


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
