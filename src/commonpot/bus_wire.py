"""The event bus across server processes: PostgreSQL LISTEN/NOTIFY or Redis PUBLISH/SUBSCRIBE.

Each process opens one wire connection however many pages listen, and fans its messages out
to the local subscribers (`_Fanout`); publishing sends `{"c": channel, "m": message}` on
the one wire channel. `bus.make_bus` chooses these by COMMONPOT_EVENT_BUS.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from commonpot.bus import MemoryBus, Message, Subscription

WIRE = "commonpot_bus"
log = logging.getLogger("commonpot.bus")


# --- one wire connection per process, fanned out locally ----------------------------------


class _FanoutSubscription:
    def __init__(self, fanout: _Fanout, inner: Subscription) -> None:
        self.fanout, self.inner = fanout, inner

    async def get(self, timeout: float) -> Message | None:
        return await self.inner.get(timeout)

    async def close(self) -> None:
        await self.fanout.release(self.inner)


class _Fanout:
    """One wire subscription per process, shared by every open page in it.

    A page per connection would exhaust the database's connections; instead one listener
    task reads the wire and hands each message to the local subscribers of its channel.
    The listener starts with the first subscriber and stops with the last.
    """

    def __init__(self, open_wire: Callable[[], Awaitable[Subscription]]) -> None:
        self._open_wire = open_wire
        self._local = MemoryBus()
        self._wire: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._users = 0
        self._guard: asyncio.Lock | None = None

    def _lock(self) -> asyncio.Lock:
        if self._guard is None:
            self._guard = asyncio.Lock()
        return self._guard

    async def subscribe(self, channel: str) -> Subscription:
        async with self._lock():
            if self._task is None:
                self._wire = await self._open_wire()
                self._task = asyncio.get_running_loop().create_task(self._pump(self._wire))
            self._users += 1
        return _FanoutSubscription(self, await self._local.subscribe(channel))

    async def _pump(self, wire: Subscription) -> None:
        while True:
            try:
                envelope = await wire.get(30.0)
            except Exception:  # the link dropped: reconnect after a pause
                log.exception("live-update listener lost its connection; reconnecting")
                await asyncio.sleep(1.0)
                with contextlib.suppress(Exception):
                    await wire.close()
                wire = self._wire = await self._open_wire()
                continue
            if envelope is None:
                continue
            channel, message = envelope.get("c"), envelope.get("m")
            if isinstance(channel, str) and isinstance(message, dict):
                self._local.publish(channel, message)

    async def release(self, inner: Subscription) -> None:
        await inner.close()
        async with self._lock():
            self._users -= 1
            if self._users > 0 or self._task is None:
                return
            task, wire = self._task, self._wire
            self._task, self._wire = None, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            if wire is not None:
                with contextlib.suppress(Exception):
                    await wire.close()
        self._guard = None


def _envelope(channel: str, message: Message) -> str:
    return json.dumps({"c": channel, "m": message})


# --- Redis --------------------------------------------------------------------------------


class _RedisWire:
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
        self._fanout = _Fanout(self._open_wire)

    def publish(self, channel: str, message: Message) -> None:
        """PUBLISH the message (with its channel) on the shared wire."""
        import redis

        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(self.url)
            self._client.publish(WIRE, _envelope(channel, message))

    async def _open_wire(self) -> Subscription:
        import redis.asyncio as aioredis

        client = aioredis.from_url(self.url)
        pubsub = client.pubsub()
        await pubsub.subscribe(WIRE)
        return _RedisWire(client, pubsub)

    async def subscribe(self, channel: str) -> Subscription:
        """Listen to a channel through this process's one Redis subscription."""
        return await self._fanout.subscribe(channel)

    def close(self) -> None:
        """Close the publishing connection."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


# --- PostgreSQL ---------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


class _PostgresWire:
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
    a flash call) and nothing is left open when the app stops. Listening uses one
    connection per process, however many pages are open.
    """

    def __init__(self, url: str) -> None:
        self.url = libpq_url(url)
        self._fanout = _Fanout(self._open_wire)

    def publish(self, channel: str, message: Message) -> None:
        """NOTIFY every process's listener."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (WIRE, _envelope(channel, message)))

    async def _open_wire(self) -> Subscription:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        await conn.execute(f"LISTEN {WIRE}")
        return _PostgresWire(conn)

    async def subscribe(self, channel: str) -> Subscription:
        """Listen to a channel through this process's one LISTEN connection."""
        return await self._fanout.subscribe(channel)

    def close(self) -> None:
        """Nothing stays open between messages."""


def _decode(data: bytes | str) -> Message | None:
    try:
        value = json.loads(data)
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None
