"""The event bus for live updates: in-process by default, PostgreSQL or Redis across processes.

`publish(channel, message)` is synchronous and safe from any thread (request handlers run in
a thread pool); `subscribe(channel)` gives an async subscription for server-sent events.
Messages are small JSON objects. Choose with COMMONPOT_EVENT_BUS=memory|postgres|redis.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from types import TracebackType
from typing import Any, Protocol

from commonpot.settings import Settings

Message = dict[str, Any]


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


# --- Redis --------------------------------------------------------------------------------


class _RedisSubscription:
    def __init__(self, client: Any, pubsub: Any) -> None:
        self.client, self.pubsub = client, pubsub

    async def get(self, timeout: float) -> Message | None:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return None
            raw = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
            if raw is not None and raw.get("type") == "message":
                return _decode(raw["data"])

    async def close(self) -> None:
        await self.pubsub.aclose()
        await self.client.aclose()


class RedisBus:
    """Redis PUBLISH/SUBSCRIBE: every server process sees every message."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None
        self._lock = threading.Lock()

    def publish(self, channel: str, message: Message) -> None:
        """PUBLISH the message as JSON."""
        import redis

        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(self.url)
            self._client.publish(channel, json.dumps(message))

    async def subscribe(self, channel: str) -> Subscription:
        """SUBSCRIBE on a fresh async connection."""
        import redis.asyncio as aioredis

        client = aioredis.from_url(self.url)
        pubsub = client.pubsub()
        await pubsub.subscribe(channel)
        return _RedisSubscription(client, pubsub)

    def close(self) -> None:
        """Close the publishing connection."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


# --- PostgreSQL ---------------------------------------------------------------------------


def pg_channel(channel: str) -> str:
    """A PostgreSQL-safe channel identifier for a bus channel name."""
    return "cp_" + re.sub(r"[^a-z0-9_]", "_", channel.lower())[:55]


def libpq_url(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


class _PostgresSubscription:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def get(self, timeout: float) -> Message | None:
        async for note in self.conn.notifies(timeout=timeout, stop_after=1):
            return _decode(note.payload)
        return None

    async def close(self) -> None:
        await self.conn.close()


class PostgresBus:
    """PostgreSQL LISTEN/NOTIFY: no extra service needed when the database is PostgreSQL.

    Publishing opens a short autocommit connection each time: messages are rare (a sign-up,
    a flash call) and nothing is left open when the app stops.
    """

    def __init__(self, url: str) -> None:
        self.url = libpq_url(url)

    def publish(self, channel: str, message: Message) -> None:
        """NOTIFY the channel's listeners in every process."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (pg_channel(channel), json.dumps(message)))

    async def subscribe(self, channel: str) -> Subscription:
        """LISTEN on a fresh async connection."""
        import psycopg
        from psycopg import sql

        conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(pg_channel(channel))))
        return _PostgresSubscription(conn)

    def close(self) -> None:
        """Nothing stays open between messages."""


def _decode(data: bytes | str) -> Message | None:
    try:
        value = json.loads(data)
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def make_bus(settings: Settings) -> Bus:
    """The bus the settings ask for (no connection is opened until first use)."""
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
