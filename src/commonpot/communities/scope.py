"""The community a request is about, as a dependency: one unit of work and what the viewer may see.

    @router.get("/communities/{slug}/things")
    def things(request: Request, here: CommunityScope) -> Response:
        rows = service.things(here.session, here.community, here.viewer)
        return render(request, "things.html", here.page(things=rows), ctx=here)

`here` is a `Ctx` (session, viewer, request, settings) plus the community (NotFound, 404,
when it does not exist or is hidden from the viewer) and the viewer's membership. Like
`http.Unit` it commits when the handler returns, before the response is sent. A web form
handler that wants to show the page again with an error wraps its writes in
`here.session.begin_nested()`, so that a failed write leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from commonpot.accounts import Credential, Viewer
from commonpot.communities import service
from commonpot.communities.models import Community, Membership, Role
from commonpot.http import (
    SAFE_METHODS,
    Ctx,
    context,
    credentials,
    csrf_token,
    database,
    remember_viewer,
    settings_of,
)
from commonpot.i18n import chosen_locale, reader_locale
from commonpot.shared_answers import SharedAnswers
from commonpot.templating import FLASH_COOKIE


@dataclass
class Here(Ctx):
    """A request's unit of work inside one community."""

    community: Community = None  # type: ignore[assignment]
    membership: Membership | None = None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_steward(self) -> bool:
        return self.membership is not None and self.membership.role == Role.STEWARD.value

    @property
    def is_custodian(self) -> bool:
        return self.membership is not None and self.membership.role == Role.CUSTODIAN.value

    def page(self, **more: Any) -> dict[str, Any]:
        """What every community page's template needs, plus `more`."""
        return {
            "community": self.community,
            "membership": self.membership,
            "is_member": self.is_member,
            "is_steward": self.is_steward,
            "is_custodian": self.is_custodian,
            **more,
        }


def enter(ctx: Ctx, slug: str) -> Here:
    """The community `slug` as the viewer may see it (NotFound otherwise), within `ctx`."""
    community, mine = service.community_and_membership(ctx.session, slug, ctx.viewer)
    return _inside(ctx, community, mine)


def _inside(ctx: Ctx, community: Community, mine: Membership | None) -> Here:
    return Here(
        session=ctx.session,
        viewer=ctx.viewer,
        request=ctx.request,
        settings=ctx.settings,
        extra=ctx.extra,
        community=community,
        membership=mine,
    )


# communities.access.signed_in_scope, as the app wires it
SignedInScope = Callable[[Session, str, Credential], tuple[Viewer, Community, Membership | None]]


def enter_request(request: Request, session: Session, slug: str) -> Here:
    """`enter(context(request, session), slug)`: the request's unit of work inside community
    `slug`. A request that signs in, and whose viewer is not known yet, reads who is asking,
    the community and their membership in one statement (`app.state.signed_in_scope`, wired
    beside `app.state.identify`: the same rules; for a page, `app.state.signed_in_page_scope`,
    the same with the page's header); any other reads them as `enter` does."""
    state = request.app.state
    scoped: SignedInScope | None = getattr(state, "signed_in_scope", None)
    if not request.url.path.startswith("/api/"):  # a page: the one that also reads its header
        scoped = getattr(state, "signed_in_page_scope", scoped)
    if scoped is not None and getattr(request.state, "viewer", None) is None:
        bearer, cookie = credentials(request)
        credential = Credential.of(bearer=bearer, session_cookie=cookie)
        if credential is not None:
            viewer, community, mine = scoped(session, slug, credential)
            remember_viewer(request, viewer)
            return _inside(context(request, session), community, mine)
    return enter(context(request, session), slug)


@contextmanager
def community_unit(request: Request, slug: str, *, write: bool | None = None) -> Iterator[Here]:
    """`http.unit_of_work` inside community `slug` (`enter_request`): one transaction,
    committed at the end, rolled back on any error; `write` as the method says, unless
    given."""
    is_write = request.method not in SAFE_METHODS if write is None else write
    with database(request).unit_of_work(write=is_write) as session:
        yield enter_request(request, session, slug)


def _community_unit(slug: str, request: Request) -> Iterator[Here]:
    with community_unit(request, slug) as here:
        yield here


CommunityScope = Annotated[Here, Depends(_community_unit, scope="function")]

T = TypeVar("T")
R = TypeVar("R")


async def in_one_hop(request: Request, slug: str, work: Callable[[Here], T]) -> T:
    """`work(here)` in the unit of work of community `slug`, with at most ONE worker-thread hop.

    For the busiest reads (a recipe as JSON, its page): a plain `def` handler with
    `CommunityScope` crosses from the event loop to a worker thread three or four times
    (open, handler, commit, and the response model's validation); each crossing costs about
    as much CPU as a whole hello-world request. Here the unit of work opens, `work` runs and
    the transaction ends in one go, and `work` returns the finished response (e.g. JSON
    already serialised), so nothing else goes back to a thread. Errors propagate as from any
    handler.

    A read takes no hop at all: it runs on the event loop (`Database.read_on_loop`: SQLite
    answers from the local file in microseconds; PostgreSQL's statements wait on the loop
    through psycopg's asynchronous connections). The thread hop and the GIL hand-overs
    between the loop and the worker (up to 5 ms each under load) cost more than the whole
    read. A write goes to a worker thread and commits there, before the response is sent.
    """
    if request.method in SAFE_METHODS:
        return await database(request).read_on_loop(
            lambda session: work(enter_request(request, session, slug))
        )

    def run() -> T:
        with community_unit(request, slug, write=True) as here:
            return work(here)

    return await run_in_threadpool(run)


async def shared_read(
    request: Request,
    slug: str,
    work: Callable[[Here], R],
    *,
    address: bool = False,
    page: bool = False,
    until: Callable[[], datetime | None] | None = None,
) -> R | Response:
    """`in_one_hop` for an answer every anonymous reader shares (a public recipe as JSON):
    it is kept and given again while the database is provably unchanged
    (`commonpot.shared_answers`: one snapshot check instead of the read). Signed-in readers
    and other methods go through `in_one_hop` as before.

    `work` must depend only on the database, the viewer, the URL's path and the reader's
    locale, and return the finished response. `address`: the answer also holds the
    instance's address (`settings.base_url`, or the request's own `Host` when that is not
    set): it is shared only when the address is set, never one a request made up. `page`:
    the answer is a page (`render`), which also holds the reader's CSRF token, the language
    they picked and any flash message waiting for them: it is rendered with a stand-in for
    the token, which each reader's own replaces, and never shared with a flash waiting.
    `until`, called after `work`: when its answer stops being right without a write (it is
    not given again after that). Whatever `work` returns that is not a response is passed
    back and never kept.
    """
    answers: SharedAnswers | None = getattr(request.app.state, "shared_answers", None)
    db = database(request)
    if (
        answers is None
        or not answers.may_share(request)
        or (address and not settings_of(request).base_url)
        or (page and FLASH_COOKIE in request.cookies)
    ):
        return await in_one_hop(request, slug, work)
    locale = reader_locale(request)
    key = answers.key(request, f"page:{locale}:{chosen_locale(request)}" if page else locale)
    reader = csrf_token(request)
    token = await db.snapshot_token()  # first: the answer below is read at or after it
    kept = answers.lookup(key, token, reader)
    if kept is not None:
        return kept

    def read(session: Session) -> R | Response:
        here = enter_request(request, session, slug)
        if not here.viewer.is_anonymous or here.viewer.is_admin:
            return work(here)
        if page:
            request.state.csrf_token = answers.marker
        try:
            answer = work(here)
        finally:
            if page:
                request.state.csrf_token = reader
        if not isinstance(answer, Response):
            return answer
        answers.keep(key, token, answer, personal=page, until=until() if until else None)
        if not page:
            return answer
        body = bytes(answer.body)
        return answers.for_reader(body, answer.status_code, answer.raw_headers, reader)

    return await db.read_on_loop(read)
