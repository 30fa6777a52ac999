"""MQTT ingest end to end through a real mosquitto started for these tests on a free port."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from paho.mqtt.client import Client
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from sqlalchemy import func, select

from commonpot.app import create_app
from commonpot.biotumblers.models import Biotumbler, Reading, UnknownDevice
from commonpot.biotumblers.mqtt import Listener
from commonpot.db import Database
from commonpot.settings import Settings
from tests.factories.accounts import make_world
from tests.factories.biotumblers import register, wire
from tests.factories.cli import run_cli as run

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
pytestmark = pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="mosquitto is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our own mosquitto: anonymous, no persistence, on a free local port."""
    port = free_port()
    folder = tmp_path_factory.mktemp("mosquitto")
    conf = folder / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    proc = subprocess.Popen(
        [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


class Running:
    """A listener on its own event loop in a thread, like a separate server process."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))
        self.stop: asyncio.Event | None = None

    async def _main(self) -> None:
        self.stop = asyncio.Event()
        task = asyncio.create_task(self.listener.run())
        await self.stop.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.listener.ready.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.listener.ready.is_set(), "listener did not connect"
        return self.listener

    def __exit__(self, *exc: object) -> None:
        assert self.stop is not None
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)
        self.loop.close()


def publisher(url: str) -> Client:
    port = int(url.rsplit(":", 1)[1])
    client = Client(CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def stored(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Reading)) or 0)


def wait_for(check: object, seconds: float = 40.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)


def test_readings_published_over_mqtt_are_stored_once(broker: str, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        register(s, s.merge(w.public), w.steward)
    with Running(Listener(db, broker, batch_wait=0.02)) as listener:
        client = publisher(broker)
        topic = "commonpot/publicville/biotumblers/tumbler-1"
        client.publish(f"{topic}/$state", "ready", qos=1, retain=True).wait_for_publish()
        batch = [wire(i, 56, 55) for i in range(300)] + [{"t": "bad"}]
        client.publish(f"{topic}/data", json.dumps(batch), qos=1).wait_for_publish()
        client.publish(f"{topic}/data", json.dumps(wire(5, 70, 60)), qos=1).wait_for_publish()
        client.publish(f"{topic}/data", json.dumps(batch[10:20]), qos=1).wait_for_publish()  # again
        client.publish(
            "commonpot/publicville/biotumblers/ghost/data", json.dumps(batch[:5]), qos=1
        ).wait_for_publish()
        client.publish(
            "commonpot/nowhere/biotumblers/tumbler-1/data", json.dumps(batch[:5]), qos=1
        ).wait_for_publish()
        client.publish(f"{topic}/data", b"not json", qos=1).wait_for_publish()
        wait_for(lambda: listener.stats["unknown"] >= 2 and listener.stats["bad_payload"] >= 1)
        wait_for(lambda: listener.stats["stored"] >= 311)
        client.loop_stop()
        client.disconnect()
    assert stored(db) == 300
    assert listener.stats["unknown"] == 2
    assert listener.stats["rejected"] == 1
    with db.unit_of_work(write=False) as s:
        device = s.scalar(select(Biotumbler))
        assert device is not None
        assert device.mqtt_state == "ready"
        assert device.rejected == 1
        fifth = s.scalar(select(Reading).order_by(Reading.t).offset(5))
        assert fifth is not None and fifth.temperature_c == {"core": 70.0, "edge": 60.0}
        # the unregistered id in a known community is counted for its stewards, never stored
        unknown = s.execute(select(UnknownDevice.device, UnknownDevice.messages)).all()
        assert [tuple(row) for row in unknown] == [("ghost", 1)]


def test_two_listeners_split_the_stream_without_duplicates(broker: str, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        register(s, s.merge(w.public), w.steward)
    one, two = Listener(db, broker, batch_wait=0.02), Listener(db, broker, batch_wait=0.02)
    with Running(one), Running(two):
        client = publisher(broker)
        for i in range(200):
            client.publish(
                "commonpot/publicville/biotumblers/tumbler-1/data",
                json.dumps([wire(i, 50)]),
                qos=1,
            ).wait_for_publish()
        wait_for(lambda: one.stats["stored"] + two.stats["stored"] >= 200)
        time.sleep(0.3)  # a duplicate delivery would arrive by now
        client.loop_stop()
        client.disconnect()
    assert one.stats["stored"] + two.stats["stored"] == 200
    assert one.stats["stored"] > 0
    assert two.stats["stored"] > 0
    assert stored(db) == 200


def test_cli_register_broker_config_and_simulate_over_mqtt(
    broker: str, cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    make_world(cli_db)
    code, out, _ = run(capsys, "biotumbler", "register", "publicville", "sim-1", "--name", "Sim")
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("cpb_")
    code, _, err = run(capsys, "biotumbler", "register", "publicville", "Bad!")
    assert code == 2
    assert err.strip() == "error: device: must match [a-z0-9][a-z0-9-]{0,63}"
    code, out, _ = run(capsys, "biotumbler", "broker-config", "publicville", "sim-1",
                       "--password", token)  # fmt: skip
    assert code == 0
    assert out.startswith("publicville.sim-1:$7$101$")
    assert "topic write commonpot/publicville/biotumblers/sim-1/data" in out
    with Running(Listener(cli_db, broker, batch_wait=0.02)) as listener:
        args = ["--community", "publicville", "--device", "sim-1", "--days", "1"]
        code, out, _ = run(
            capsys, "biotumbler", "simulate", *args, "--speed", "0", "--mqtt", broker
        )
        assert code == 0
        sent = int(out.split()[1])
        assert sent > 250
        wait_for(lambda: listener.stats["stored"] >= sent)
    assert stored(cli_db) == sent, dict(listener.stats)
    with cli_db.unit_of_work(write=False) as s:
        device = s.scalar(select(Biotumbler))
        assert device is not None and device.mqtt_state == "ready"


def test_serve_subscribes_when_mqtt_url_is_set(
    broker: str, settings: Settings, db: Database
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        register(s, s.merge(w.public), w.steward)
    app = create_app(settings.model_copy(update={"mqtt_url": broker}))
    with TestClient(app):
        listener = app.state.mqtt_listener
        wait_for(listener.ready.is_set)
        client = publisher(broker)
        client.publish(
            "commonpot/publicville/biotumblers/tumbler-1/data",
            json.dumps([wire(i, 60) for i in range(20)]),
            qos=1,
        ).wait_for_publish()
        wait_for(lambda: stored(db) == 20)
        client.loop_stop()
        client.disconnect()
    assert stored(db) == 20
    app.state.db.dispose()
