"""Apply due time-driven steps before a read, in a short write transaction only when needed.

Reads stay read-only (no write lock) unless a proposal must open, close or expire, a grant
has a conviction step to take, or entries wait for a signed checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from commonpot.communities import readable_community
from commonpot.communities.scope import Here, enter
from commonpot.governance import grants, ledger, service
from commonpot.http import unit_of_work


def catch_up(request: Request, slug: str, *, with_grants: bool = False) -> None:
    """Advance proposals (and grants), and seal the ledger, if anything is due."""
    with unit_of_work(request, write=False) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        due = bool(service.due_proposals(ctx.session, community))
        due = due or ledger.unsealed(ctx.session, community)
        due = due or (with_grants and grants.is_due(ctx.session, community))
    if not due:
        return
    with unit_of_work(request, write=True) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        ledger.lock(ctx.session, community)  # before any proposal lock (one lock order)
        for proposal in service.due_proposals(ctx.session, community):
            service.advance(ctx.session, community, proposal, ctx.settings)
        if with_grants:
            grants.advance_all(ctx.session, community, ctx.settings)
        ledger.seal(ctx.session, community, ctx.settings)


def _caught_up(slug: str, request: Request) -> Iterator[Here]:
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        yield enter(ctx, slug)


def _grants_caught_up(slug: str, request: Request) -> Iterator[Here]:
    catch_up(request, slug, with_grants=True)
    with unit_of_work(request) as ctx:
        yield enter(ctx, slug)


# `CommunityScope` for pages that show proposals (or grants): due steps are applied first, in
# their own short transaction, so that the page's unit of work reads the state after them.
CaughtUp = Annotated[Here, Depends(_caught_up, scope="function")]
GrantsCaughtUp = Annotated[Here, Depends(_grants_caught_up, scope="function")]
