"""The MQTT listener: a shared subscription to every device's data topic, batched writes.

Several processes (or hosts) subscribe to `$share/commonpot/commonpot/+/biotumblers/+/data`;
the broker hands each message to one of them, so none stores a message twice. Messages are
gathered for a few milliseconds and written in one transaction per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from commonpot.biotumblers import ingest, readings, service
from commonpot.biotumblers.live import publish_to
from commonpot.biotumblers.models import Biotumbler
from commonpot.bus import Bus
from commonpot.communities import Community
from commonpot.db import Database

SHARE_GROUP = "commonpot"
DATA_TOPIC = "commonpot/+/biotumblers/+/data"
STATE_TOPIC = "commonpot/+/biotumblers/+/$state"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Broker:
    """Where the broker listens and how to sign in to it."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None


def parse_url(url: str) -> Broker:
    """`mqtt://[user:password@]host[:port]` as a Broker."""
    parts = urlsplit(url)
    if parts.scheme not in {"mqtt", "tcp"} or not parts.hostname:
        raise ValueError("COMMONPOT_MQTT_URL must look like mqtt://host:1883")
    return Broker(
        parts.hostname,
        parts.port or 1883,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def topic_parts(topic: str) -> tuple[str, str, str] | None:
    """(community, device, leaf) of `commonpot/{community}/biotumblers/{device}/{leaf}`."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != "commonpot" or parts[2] != "biotumblers":
        return None
    return parts[1], parts[3], parts[4]


class Listener:
    """Consumes device messages from a broker into the database (one transaction per batch)."""

    def __init__(
        self,
        db: Database,
        url: str,
        *,
        bus: Bus | None = None,
        identifier: str | None = None,
        batch_wait: float = 0.05,
        batch_max: int = 20_000,
    ) -> None:
        self.db, self.broker, self.bus = db, parse_url(url), bus
        self.identifier = identifier or f"commonpot-{uuid.uuid4().hex[:12]}"
        self.batch_wait, self.batch_max = batch_wait, batch_max
        self.stats: Counter[str] = Counter()
        self.ready = asyncio.Event()
        self._pending: list[tuple[str, bytes]] = []
        self._pending_readings = 0
        self._wake = asyncio.Event()

    async def run(self) -> None:
        """Subscribe and store until cancelled; reconnects when the broker goes away."""
        import aiomqtt

        while True:
            try:
                async with aiomqtt.Client(
                    self.broker.host,
                    self.broker.port,
                    username=self.broker.username,
                    password=self.broker.password,
                    identifier=self.identifier,
                    protocol=aiomqtt.ProtocolVersion.V5,
                ) as client:
                    await client.subscribe(f"$share/{SHARE_GROUP}/{DATA_TOPIC}", qos=1)
                    await client.subscribe(STATE_TOPIC, qos=1)
                    writer = asyncio.create_task(self._writer())
                    self.ready.set()
                    try:
                        async for message in client.messages:
                            self._take(message.topic.value, bytes(message.payload or b""))
                    finally:
                        writer.cancel()
                        await asyncio.gather(writer, return_exceptions=True)
                        await self._flush()
            except aiomqtt.MqttError:
                self.ready.clear()
                log.warning("MQTT broker unreachable; retrying in 2 s")
                await asyncio.sleep(2.0)

    def _take(self, topic: str, payload: bytes) -> None:
        self.stats["messages"] += 1
        self._pending.append((topic, payload))
        self._pending_readings += 1 + payload.count(b'"t"')
        if self._pending_readings >= self.batch_max:
            self._wake.set()

    async def _writer(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.batch_wait)
            self._wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        batch, self._pending, self._pending_readings = self._pending, [], 0
        if batch:
            try:
                await asyncio.to_thread(self.write, batch)
            except Exception:  # one bad batch must not stop the listener
                log.exception("could not store %d MQTT messages", len(batch))
                self.stats["failed"] += len(batch)

    def _decode(self, batch: list[tuple[str, bytes]]) -> list[tuple[tuple[str, str], str, Any]]:
        """(community, device), leaf and decoded payload of each well-formed message."""
        parsed: list[tuple[tuple[str, str], str, Any]] = []
        for topic, payload in batch:
            parts = topic_parts(topic)
            if parts is None:
                self.stats["unknown"] += 1
                continue
            community, device, leaf = parts
            if leaf == "$state":
                value: Any = payload.decode("utf-8", "replace").strip()
            else:
                try:
                    value = json.loads(payload)
                except ValueError:
                    self.stats["bad_payload"] += 1
                    continue
            parsed.append(((community, device), leaf, value))
        return parsed

    def write(self, batch: list[tuple[str, bytes]]) -> None:
        """Store a batch of (topic, payload) messages in one transaction."""
        parsed = self._decode(batch)
        if not parsed:
            return
        with self.db.unit_of_work(write=True) as session:
            devices = self._devices(session, {key for key, _, _ in parsed})
            service.lock_devices(session, [d.id for d in devices.values()])
            # one store per device per batch: readings of its messages in arrival order
            gathered: dict[int, tuple[Biotumbler, list[readings.Reading], list[Any]]] = {}
            unknown: Counter[tuple[str, str]] = Counter()
            for key, leaf, value in parsed:
                found = devices.get(key)
                if found is None:
                    self.stats["unknown"] += 1
                    unknown[key] += 1
                elif leaf == "$state":
                    if value in service.STATES:
                        ingest.set_state(session, found, value)
                elif leaf != "data":
                    self.stats["unknown"] += 1
                else:
                    _, good, bad = gathered.setdefault(found.id, (found, [], []))
                    try:
                        new, rejected = readings.parse_message(value)
                    except readings.BadReading as exc:
                        new, rejected = [], [readings.Rejection(0, str(exc))]
                    good.extend(new)
                    bad.extend(rejected)
            ingest.store_many(session, list(gathered.values()), live=self.bus is not None)
            ingest.count_unknown(session, unknown)
        # counted once committed: "stored" means stored
        for _, good, bad in gathered.values():
            self.stats["stored"] += len(good)
            self.stats["rejected"] += len(bad)
        if self.bus is not None:
            publish_to(self.bus, session)

    @staticmethod
    def _devices(session: Any, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Biotumbler]:
        slugs = {c for c, _ in wanted}
        names = {d for _, d in wanted}
        rows = session.execute(
            select(Biotumbler, Community.slug)
            .join(Community, Community.id == Biotumbler.community_id)
            .where(Community.slug.in_(slugs), Biotumbler.device.in_(names))
        )
        return {(slug, b.device): b for b, slug in rows if (slug, b.device) in wanted}
