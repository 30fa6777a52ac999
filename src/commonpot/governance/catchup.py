"""Apply due time-driven steps before a read, in a short write transaction only when needed.

Reads stay read-only (no write lock) unless a proposal must open, close or expire, a grant
has a conviction step to take, or entries wait for a signed checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from commonpot.communities import Community, readable_community
from commonpot.communities.scope import Here, community_unit, in_one_hop, shared_read
from commonpot.governance import grants, ledger, service
from commonpot.http import unit_of_work

R = TypeVar("R", bound=Response)


def _is_due(session: Session, community: Community, with_grants: bool) -> bool:
    """Whether a proposal (or a grant) has a time-driven step waiting, or the ledger a seal."""
    return _due_and_next(session, community, with_grants)[0]


def _due_and_next(
    session: Session, community: Community, with_grants: bool
) -> tuple[bool, datetime | None]:
    """`_is_due`, and when the next proposal step falls due (None: none is coming)."""
    due, coming = service.steps(session, community)  # proposals and the ledger's seal
    return bool(due or (with_grants and grants.is_due(session, community))), coming


def catch_up(request: Request, slug: str, *, with_grants: bool = False) -> None:
    """Advance proposals (and grants), and seal the ledger, if anything is due."""
    with unit_of_work(request, write=False) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        due = _is_due(ctx.session, community, with_grants)
    if not due:
        return
    _apply(request, slug, with_grants)


def _apply(request: Request, slug: str, with_grants: bool) -> None:
    """The due steps, in one short write transaction."""
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
    with community_unit(request, slug) as here:
        yield here


def _grants_caught_up(slug: str, request: Request) -> Iterator[Here]:
    catch_up(request, slug, with_grants=True)
    with community_unit(request, slug) as here:
        yield here


class _Due:
    """What a caught-up read gives back when a step is due (applied, then it reads again)."""


_DUE = _Due()


async def caught_up_read(
    request: Request,
    slug: str,
    work: Callable[[Here], R],
    *,
    page: bool = False,
    address: bool = False,
) -> R | Response:
    """`in_one_hop` for a read of proposals or the ledger: whether a step is due is checked
    in the read's own transaction, on the event loop (one unit of work, no thread hop, where
    `CaughtUp` takes two and three or four hops). Only when one is due do the steps go to a
    worker thread, in their own write transaction, and the read runs after them.

    Its answer is shared with every reader not signed in (`shared_read`) until the database
    changes or the next time-driven step falls due, whichever comes first: a proposal that
    opens or closes is never shown as it was before. `page` and `address` as for
    `shared_read` (a page; an answer that names the instance's address)."""
    coming: list[datetime | None] = [None]

    def read(here: Here) -> R | _Due:
        due, coming[0] = _due_and_next(here.session, here.community, False)
        if due:
            return _DUE
        return work(here)

    found = await shared_read(
        request, slug, read, until=lambda: coming[0], page=page, address=address
    )
    if not isinstance(found, _Due):
        return found
    await run_in_threadpool(_apply, request, slug, False)
    return await in_one_hop(request, slug, work)


# `CommunityScope` for pages that show proposals (or grants): due steps are applied first, in
# their own short transaction, so that the page's unit of work reads the state after them.
CaughtUp = Annotated[Here, Depends(_caught_up, scope="function")]
GrantsCaughtUp = Annotated[Here, Depends(_grants_caught_up, scope="function")]
