"""Two commonpot servers over real sockets (127.0.0.1 and 127.0.0.2) with ALLOW_HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from commonpot import migrate
from commonpot.accounts.models import User
from commonpot.accounts.service import OPERATOR, Viewer
from commonpot.app import create_app
from commonpot.federation import delivery, instance, service, sharing
from commonpot.federation.ap import CLIENT_KEY
from commonpot.federation.client import Client, FetchError
from commonpot.federation.models import Follower, Following, RemoteItem
from commonpot.recipes import service as recipes_service
from commonpot.settings import Settings
from commonpot.wiring import open_database
from tests.factories.accounts import make_community, make_user
from tests.factories.federation import seed_keys
from tests.factories.recipes import recipe_in


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(host: str, folder: Path) -> Iterator[tuple[Settings, instance.Fed]]:
    url = f"sqlite:///{folder / 'db.sqlite'}"
    migrate.upgrade(url)
    port = _free_port(host)
    seed_keys(folder)
    settings = Settings(
        database_url=url,
        secret_key="sockets-" + "z" * 32,
        data_dir=folder,
        base_url=f"http://{host}:{port}",
        federation_allow_http=True,
    )
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    fed = instance.context(settings, Client(allow_http=True))
    try:
        yield settings, fed
    finally:
        fed.client.close()
        server.should_exit = True
        thread.join(timeout=10)
        own = app.state.extensions.get(CLIENT_KEY)
        if own is not None:
            own.close()
        app.state.db.dispose()


def test_follow_and_publish_over_real_sockets(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        _server("127.0.0.1", tmp_path / "a") as (sa, fa),
        _server("127.0.0.2", tmp_path / "b") as (sb, fb),
    ):
        da, db = open_database(sa.database_url), open_database(sb.database_url)
        with da.unit_of_work() as s:
            alpha = make_community(s, make_user(s, "A steward"), slug="alpha")
        with db.unit_of_work() as s:
            make_community(s, make_user(s, "B steward"), slug="beta")
        with da.unit_of_work() as s:
            alpha = sharing.public_community(s, "alpha")
            service.follow(s, fa, alpha, OPERATOR, f"@beta@{fb.host}")
        with da.unit_of_work() as s:
            assert delivery.deliver(s, fa).delivered == 1
        with db.unit_of_work() as s:
            assert s.scalars(select(Follower.actor_id)).all() == [f"{sa.base_url}/federation/alpha"]
            assert delivery.deliver(s, fb).delivered == 1
        with da.unit_of_work(write=False) as s:
            assert s.scalars(select(Following.state)).all() == ["accepted"]
        with db.unit_of_work() as s:
            beta = sharing.public_community(s, "beta")
            steward = s.scalars(select(User)).one()
            recipes_service.create_recipe(
                s, beta, Viewer(user=steward), recipe_in(name="Nettle soup")
            )
        with db.unit_of_work() as s:
            assert delivery.deliver(s, fb).delivered == 1
        with da.unit_of_work(write=False) as s:
            item = s.scalars(select(RemoteItem)).one()
            assert item.name == "Nettle soup"
            assert item.domain == "127.0.0.2"
        da.dispose()
        db.dispose()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/x", "https://127.0.0.1/x", "https://localhost/x", "https://10.0.0.1/x"],
)
def test_without_allow_http_loopback_is_refused(url: str) -> None:
    with pytest.raises(FetchError):
        Client(allow_http=False).get_json(url)
