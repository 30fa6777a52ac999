"""ActivityPub routes: WebFinger, NodeInfo, actors, outboxes, objects and inboxes (JSON only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from commonpot.communities.scope import Here, shared_read
from commonpot.errors import DomainError, NotFound
from commonpot.federation import documents, inbox, instance, outbox, visits
from commonpot.federation.client import Client
from commonpot.federation.limits import InboxLimiter
from commonpot.federation.vocab import ACTIVITY_JSON
from commonpot.http import Ctx, Unit, database, problem_from, settings_of
from commonpot.params import Id

router = APIRouter(include_in_schema=False)
JRD = "application/jrd+json"
CLIENT_KEY = "federation.client"
LIMITER_KEY = "federation.limiter"


def limiter_of(request: Request) -> InboxLimiter:
    """The app's inbox rate limits (per remote server and per remote actor, in this process)."""
    extensions: dict[str, Any] = request.app.state.extensions
    found = extensions.get(LIMITER_KEY)
    if not isinstance(found, InboxLimiter):
        found = extensions[LIMITER_KEY] = InboxLimiter()
    return found


def fed_of(request: Request) -> instance.Fed:
    """The federation context of this app (one pooled HTTP client per app)."""
    extensions: dict[str, Any] = request.app.state.extensions
    settings = settings_of(request)
    client = extensions.get(CLIENT_KEY)
    if not isinstance(client, Client):
        client = Client(allow_http=settings.federation_allow_http)
        extensions[CLIENT_KEY] = client
    return instance.context(settings, client)


def _json(doc: dict[str, Any], media_type: str = ACTIVITY_JSON, status: int = 200) -> Response:
    return JSONResponse(doc, status_code=status, media_type=media_type)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "activity+json" not in accept and "ld+json" not in accept


def _read(ctx: Ctx, build: Any, media_type: str = ACTIVITY_JSON) -> Response:
    """Answer the document `build(session, fed)` makes, or a problem document."""
    try:
        doc = build(ctx.session, fed_of(ctx.request))
    except DomainError as exc:
        return problem_from(exc, instance=ctx.request.url.path)
    return _json(doc, media_type)


@router.get("/.well-known/webfinger")
def webfinger(request: Request, ctx: Unit, resource: str = "") -> Response:
    """WebFinger: find a public community's actor by `acct:slug@host`."""
    return _read(ctx, lambda s, f: documents.webfinger_document(s, f, resource), JRD)


@router.get("/.well-known/nodeinfo")
def nodeinfo_links(request: Request) -> Response:
    """Where the NodeInfo document is."""
    return _json(documents.nodeinfo_links_document(fed_of(request)), "application/json")


@router.get("/nodeinfo/2.1")
def nodeinfo(request: Request, ctx: Unit) -> Response:
    """NodeInfo 2.1."""
    schema = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
    return _read(ctx, documents.nodeinfo_document, schema)


@router.get("/federation/actor")
def instance_actor(request: Request) -> Response:
    """The instance's own actor, which signs fetches."""
    return _json(documents.instance_actor_document(fed_of(request)))


@router.get("/federation/activities/{activity_id}")
def delivered_activity(request: Request, ctx: Unit, activity_id: Id) -> Response:
    """An activity this instance delivered, while what it says may still be shown."""
    return _read(ctx, lambda s, _fed: outbox.activity_document(s, activity_id))


async def _shared(request: Request, slug: str, build: Any) -> Response:
    """`_read` of a public community's document, on the event loop in one go; an unsigned
    fetch's answer is shared while the database is unchanged (`communities.shared_read`:
    every follower's server, and every browser of the fediverse, reads the same actor)."""

    def answer(here: Here) -> Response:
        return _read(here, build)

    return await shared_read(request, slug, answer)


@router.get("/federation/{slug}")
async def actor(request: Request, slug: str) -> Response:
    """A public community's Group actor (browsers go to its page)."""
    if _wants_html(request):
        return RedirectResponse(f"/communities/{slug}", status_code=303)
    return await _shared(request, slug, lambda s, f: documents.actor_document(s, f, slug))


@router.get("/federation/{slug}/outbox")
async def outbox_collection(request: Request, slug: str, page: int | None = None) -> Response:
    """The community's outbox (its shareable recipes and events, its gatherings' announcements)."""
    return await _shared(request, slug, lambda s, f: outbox.outbox_document(s, f, slug, page))


@router.get("/federation/{slug}/followers")
def followers(request: Request, ctx: Unit, slug: str) -> Response:
    """How many follow the community."""
    return _read(ctx, lambda s, f: documents.followers_document(s, f, slug, "followers"))


@router.get("/federation/{slug}/following")
def following(request: Request, ctx: Unit, slug: str) -> Response:
    """How many communities it follows."""
    return _read(ctx, lambda s, f: documents.followers_document(s, f, slug, "following"))


@router.get("/federation/{slug}/{kind}/{local_id}")
def shared_object(request: Request, ctx: Unit, slug: str, kind: str, local_id: Id) -> Response:
    """A shared recipe or event (while it may still be shared)."""
    if kind not in {"recipes", "events", "gatherings"}:
        return problem_from(NotFound("Nothing here."), instance=request.url.path)
    if _wants_html(request):
        return RedirectResponse(f"/communities/{slug}/{kind}/{local_id}", status_code=303)
    return _read(ctx, lambda s, f: documents.object_document(s, f, slug, kind, local_id))


@dataclass(frozen=True)
class _Signed:
    """A signed POST as the signature check sees it: body, full URL, request target, headers."""

    body: bytes
    url: str
    target: str
    headers: dict[str, str]


async def _signed(request: Request) -> _Signed:
    body = await request.body()
    settings = settings_of(request)
    base = (settings.base_url or str(request.base_url)).rstrip("/")
    scheme = base.split("://", 1)[0]
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"{scheme}://{request.headers.get('host', '')}{target}"
    return _Signed(body, url, target, dict(request.headers.items()))


def _refused(request: Request, exc: DomainError) -> Response:
    """A refused signed POST as a problem (with Retry-After when the sender must slow down)."""
    answer = problem_from(exc, instance=request.url.path)
    if isinstance(exc, inbox.SlowDown):
        answer.headers["Retry-After"] = str(exc.retry_after)
    return answer


async def _receive(request: Request, slug: str | None) -> Response:
    signed = await _signed(request)

    def work() -> str:
        with database(request).unit_of_work(write=True) as session:
            return inbox.receive(
                session,
                fed_of(request),
                method=request.method,
                url=signed.url,
                target=signed.target,
                headers=signed.headers,
                body=signed.body,
                slug=slug,
                limiter=limiter_of(request),
            )

    try:
        outcome = await run_in_threadpool(work)
    except DomainError as exc:
        return _refused(request, exc)
    return _json({"status": outcome}, "application/json", 202)


@router.post("/federation/{slug}/gatherings/{gathering_id}/guests")
async def guest_pass(request: Request, slug: str, gathering_id: Id) -> Response:
    """Another instance's community vouches for its member (a signed Join): a guest pass."""
    signed = await _signed(request)

    def work() -> dict[str, Any]:
        with database(request).unit_of_work(write=True) as session:
            return visits.grant_pass(
                session,
                fed_of(request),
                request.app.state.secret_key,
                slug=slug,
                gathering_id=gathering_id,
                method=request.method,
                url=signed.url,
                target=signed.target,
                headers=signed.headers,
                body=signed.body,
                limiter=limiter_of(request),
            )

    try:
        answer = await run_in_threadpool(work)
    except DomainError as exc:
        return _refused(request, exc)
    return _json(answer, "application/json", 201)


@router.post("/federation/inbox")
async def shared_inbox(request: Request) -> Response:
    """The instance's shared inbox."""
    return await _receive(request, None)


@router.post("/federation/{slug}/inbox")
async def community_inbox(request: Request, slug: str) -> Response:
    """A community's inbox."""
    return await _receive(request, slug)
