"""The event bus for live updates: in-process by default, PostgreSQL or Redis across processes.

`publish(channel, message)` is synchronous and safe from any thread (request handlers run in
a thread pool); `subscribe(channel)` gives an async subscription for server-sent events.
Messages are small JSON objects. Choose with COMMONPOT_EVENT_BUS=memory|postgres|redis; the
buses across processes (their one wire connection per process) are in `bus_wire`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from commonpot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Message = dict[str, Any]
OUTBOX_KEY = "bus.outbox"
log = logging.getLogger(__name__)


# --- the outbox: services queue live updates, the edge publishes them after commit --------


def queue_after_commit(session: Session, channel: str, message: Message) -> None:
    """Remember a live update to publish once this session's transaction has committed."""
    session.info.setdefault(OUTBOX_KEY, []).append((channel, message))


def take_queued(session: Session) -> list[tuple[str, Message]]:
    """The live updates queued in this session (and forget them)."""
    found: list[tuple[str, Message]] = session.info.pop(OUTBOX_KEY, [])
    return found


def community_channel(community_id: int) -> str:
    """The channel that carries a community's live updates."""
    return f"community:{community_id}"


class Subscription(Protocol):
    """An open subscription: wait for the next message (None on timeout), then close."""

    async def get(self, timeout: float) -> Message | None:
        """The next message, or None when nothing came within `timeout` seconds."""
        ...

    async def close(self) -> None:
        """Stop listening and free the connection."""
        ...


class Bus(Protocol):
    """Publish from anywhere; subscribe from async code."""

    def publish(self, channel: str, message: Message) -> None:
        """Send a message to everyone subscribed to the channel (in every process)."""
        ...

    async def subscribe(self, channel: str) -> Subscription:
        """Start listening to a channel."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class _Opened:
    """`async with opened(bus, channel) as sub:` closes the subscription however the block ends."""

    def __init__(self, bus: Bus, channel: str) -> None:
        self.bus, self.channel = bus, channel
        self.sub: Subscription | None = None

    async def __aenter__(self) -> Subscription:
        self.sub = await self.bus.subscribe(self.channel)
        return self.sub

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.sub is not None:
            await self.sub.close()


def opened(bus: Bus, channel: str) -> _Opened:
    """An async context manager around `bus.subscribe(channel)`."""
    return _Opened(bus, channel)


# --- in-process ---------------------------------------------------------------------------


class _MemorySubscription:
    def __init__(self, bus: MemoryBus, channel: str) -> None:
        self.bus, self.channel = bus, channel
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Message] = asyncio.Queue()

    async def get(self, timeout: float) -> Message | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    async def close(self) -> None:
        self.bus.remove(self)


class MemoryBus:
    """Subscribers in this process only (the default; fine for one server process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[_MemorySubscription]] = {}

    def publish(self, channel: str, message: Message) -> None:
        """Hand the message to every local subscriber's event loop."""
        with self._lock:
            targets = list(self._subs.get(channel, ()))
        for sub in targets:
            try:
                sub.loop.call_soon_threadsafe(sub.queue.put_nowait, dict(message))
            except RuntimeError:  # that subscriber's loop has closed: it is gone
                self.remove(sub)

    async def subscribe(self, channel: str) -> Subscription:
        """Listen in this process."""
        sub = _MemorySubscription(self, channel)
        with self._lock:
            self._subs.setdefault(channel, set()).add(sub)
        return sub

    def remove(self, sub: _MemorySubscription) -> None:
        """Forget a subscription."""
        with self._lock:
            self._subs.get(sub.channel, set()).discard(sub)

    def close(self) -> None:
        """Drop every subscriber."""
        with self._lock:
            self._subs.clear()


def make_bus(settings: Settings) -> Bus:
    """The bus the settings ask for (no connection is opened until first use)."""
    from commonpot.bus_wire import PostgresBus, RedisBus

    kind = settings.event_bus.strip().lower()
    if kind == "redis":
        return RedisBus(settings.redis_url or "redis://127.0.0.1:6379/0")
    if kind == "postgres":
        if settings.is_sqlite:
            raise ValueError("COMMONPOT_EVENT_BUS=postgres needs a PostgreSQL database URL")
        return PostgresBus(settings.database_url)
    if kind != "memory":
        raise ValueError("COMMONPOT_EVENT_BUS is memory, postgres or redis")
    return MemoryBus()


def bus_of(state: Any) -> Bus:
    """The application's bus (made on first use from `state.settings`, kept on `state.bus`)."""
    found: Bus | None = getattr(state, "bus", None)
    if found is None:
        found = make_bus(state.settings)
        state.bus = found
    return found


# --- server-sent events: one way to stream a channel to a page -----------------------------


def sse(kind: str, data: Message) -> str:
    """One server-sent event."""
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def sse_stream(
    bus: Bus,
    channel: str,
    *,
    accept: Callable[[Message], bool],
    is_disconnected: Callable[[], Awaitable[bool]],
    limit: int | None = None,
    heartbeat: float = 10.0,
) -> AsyncIterator[str]:
    """A channel's messages that `accept` lets through, as SSE, with keep-alives.

    If the bus cannot be reached the page still works, it just is not live.
    """
    sent = 0
    try:
        subscription = opened(bus, channel)
        sub = await subscription.__aenter__()
    except Exception:
        log.exception("live updates unavailable")
        yield ": live updates are unavailable right now\n\n"
        return
    try:
        yield "retry: 3000\n: connected\n\n"
        while limit is None or sent < limit:
            if await is_disconnected():
                break
            message = await sub.get(heartbeat)
            if message is None:
                yield ": keep-alive\n\n"
                continue
            if not accept(message):
                continue
            yield sse(str(message.get("type", "message")), message)
            sent += 1
    finally:
        await subscription.__aexit__(None, None, None)
