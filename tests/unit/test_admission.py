"""AdmissionMiddleware: no more requests inside than the limit; streams give their slot back."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

import anyio
import httpx
from starlette.types import Message, Receive, Scope, Send

from commonpot.http import AdmissionMiddleware


def run_alone(test: Callable[[], Awaitable[None]]) -> None:
    """Run an async test on its own event loop in its own thread (a worker that also drives
    Playwright's sync API has a loop running in its main thread)."""
    failure: list[BaseException] = []

    def main() -> None:
        try:
            anyio.run(test)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the test's event loop did not finish"
    if failure:
        raise failure[0]


class Recorder:
    """An ASGI app that counts how many requests are inside it at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.inside += 1
        self.most = max(self.most, self.inside)
        await anyio.sleep(0.02)
        self.inside -= 1
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await anyio.sleep(0.2)  # a live stream keeps going after it started
            await send({"type": "http.response.body", "body": b"end"})
            return
        start: Message = {"type": "http.response.start", "status": 200, "headers": []}
        await send(start)
        await send({"type": "http.response.body", "body": b"ok"})


def test_no_more_requests_inside_than_the_limit() -> None:
    run_alone(_no_more_requests_inside_than_the_limit)


async def _no_more_requests_inside_than_the_limit() -> None:
    inner = Recorder()
    app = AdmissionMiddleware(inner, limit=3)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        statuses: list[int] = []

        async def one() -> None:
            statuses.append((await client.get("/api/x")).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(12):
                group.start_soon(one)
    assert statuses == [200] * 12
    assert inner.most == 3  # reached the limit, never passed it


def test_started_streams_give_their_slot_back() -> None:
    run_alone(_started_streams_give_their_slot_back)


async def _started_streams_give_their_slot_back() -> None:
    inner = Recorder()
    app = AdmissionMiddleware(inner, limit=1)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        done: list[str] = []

        async def stream() -> None:
            done.append((await client.get("/stream")).text)

        async def plain() -> None:
            await anyio.sleep(0.05)  # the stream has started by now
            done.append((await client.get("/api/x")).text)

        async with anyio.create_task_group() as group:
            group.start_soon(stream)
            group.start_soon(plain)
    # with the slot still held the plain request would have waited for the stream's end
    assert done == ["ok", "end"]
