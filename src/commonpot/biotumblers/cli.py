"""Command line: `commonpot biotumbler register|assess|listen|broker-config|simulate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from commonpot.errors import Invalid, system_words

biotumbler_app = typer.Typer(help="Compost biotumblers: devices, readings, sanitisation.")


@biotumbler_app.command("register")
def register_device(
    slug: Annotated[str, typer.Argument(help="The community's slug.")],
    device: Annotated[str, typer.Argument(help="Device id, e.g. tumbler-1.")],
    name: Annotated[str, typer.Option("--name", help="A name people recognise.")] = "",
) -> None:
    """Register a device; its ingest token is printed alone on the last line (shown once)."""
    from commonpot.accounts import OPERATOR
    from commonpot.biotumblers import service
    from commonpot.cli_support import transaction
    from commonpot.i18n import cli_text

    with transaction() as session:
        community = service.readable(session, slug, OPERATOR)
        found, token = service.register_device(
            session, community, OPERATOR, device=device, name=name
        )
        typer.echo(
            cli_text(
                "Registered %(device)s (%(name)s) in %(community)s.",
                device=found.device,
                name=found.name,
                community=community.slug,
            )
        )
    typer.echo(token)


@biotumbler_app.command("assess")
def assess_file(
    path: Annotated[Path, typer.Argument(help="Readings, one JSON object per line with device.")],
    max_gap_minutes: Annotated[
        float, typer.Option("--max-gap-minutes", help="A longer gap breaks a hot run.")
    ] = 30.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the spec's JSON.")] = False,
) -> None:
    """Assess each device's readings against the EPA PFRP rule (55 °C for 3 days)."""
    from datetime import timedelta

    from commonpot.biotumblers.assessment import assess
    from commonpot.biotumblers.readings import (
        BadReading,
        Reading,
        latest_per_time,
        parse_reading,
    )

    if not (max_gap_minutes > 0):
        raise Invalid("--max-gap-minutes: must be more than 0", field="--max-gap-minutes")
    by_device: dict[str, list[Reading]] = {}
    rejected: dict[str, int] = {}
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise Invalid(
            "%(path)s: cannot read (%(reason)s)",
            field="READINGS",
            path=str(path),
            reason=system_words(str(exc.strerror)),
        ) from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError:
                raise Invalid(
                    "line %(line)s: not JSON", field=f"line {number}", line=str(number)
                ) from None
            if not isinstance(raw, dict):
                raise Invalid(
                    "line %(line)s: not a JSON object", field=f"line {number}", line=str(number)
                )
            device = raw.pop("device", None)
            if device is None:
                raise Invalid("line %(line)s: no device", field=f"line {number}", line=str(number))
            if not isinstance(device, str):
                raise Invalid(
                    "line %(line)s: device must be a string",
                    field=f"line {number}",
                    line=str(number),
                )
            if "t" not in raw:
                raise Invalid("line %(line)s: no t", field=f"line {number}", line=str(number))
            by_device.setdefault(device, [])
            rejected.setdefault(device, 0)
            try:
                by_device[device].append(parse_reading(raw))
            except BadReading:
                rejected[device] += 1
    gap = timedelta(minutes=max_gap_minutes)
    result = {
        device: assess(latest_per_time(found), max_gap=gap).to_json(rejected=rejected[device])
        for device, found in sorted(by_device.items())
    }
    if as_json:
        typer.echo(json.dumps({"devices": result}, ensure_ascii=False))
        return
    from commonpot.i18n import cli_text

    for device, verdict in result.items():
        state = (
            cli_text("sanitised at %(time)s", time=str(verdict["sanitised_at"]))
            if verdict["sanitised"]
            else cli_text("not sanitised")
        )
        summary = cli_text(
            "%(device)s: %(readings)s readings, %(state)s, longest hot run %(hours)s h, "
            "phase %(phase)s, %(alerts)s alerts",
            device=device,
            readings=str(verdict["readings"]),
            state=state,
            hours=f"{verdict['longest_hot_hours']:.1f}",
            phase=str(verdict["phase"]),
            alerts=str(len(verdict["alerts"])),
        )
        typer.echo(summary)


@biotumbler_app.command("listen")
def listen(
    url: Annotated[
        str | None, typer.Option("--mqtt", help="Broker URL (default COMMONPOT_MQTT_URL).")
    ] = None,
) -> None:
    """Store device readings from MQTT (a shared subscription: run as many as you like)."""
    import asyncio

    from commonpot.biotumblers.mqtt import Listener
    from commonpot.bus import make_bus
    from commonpot.cli_support import database
    from commonpot.settings import get_settings

    settings = get_settings()
    broker = url or settings.mqtt_url
    if not broker:
        raise Invalid("--mqtt: give a broker URL or set COMMONPOT_MQTT_URL", field="--mqtt")
    db = database()
    listener = Listener(db, broker, bus=make_bus(settings))
    from commonpot.i18n import cli_text

    typer.echo(
        cli_text("Listening on %(broker)s as %(name)s.", broker=broker, name=listener.identifier)
    )
    try:
        asyncio.run(listener.run())
    except KeyboardInterrupt:
        pass
    finally:
        db.dispose()
        typer.echo(json.dumps(dict(listener.stats)))


@biotumbler_app.command("broker-config")
def broker_config(
    slug: Annotated[str, typer.Argument(help="The community's slug.")],
    device: Annotated[str, typer.Argument(help="Device id.")],
    password: Annotated[
        str, typer.Option("--password", help="The device's MQTT password (its ingest token).")
    ],
) -> None:
    """Mosquitto lines for one device: a password-file entry and ACLs for its own topics."""
    from commonpot.accounts import OPERATOR
    from commonpot.biotumblers import broker, service
    from commonpot.cli_support import transaction

    with transaction() as session:
        community = service.readable(session, slug, OPERATOR)
        found = service.get_device(session, community, OPERATOR, device)
        typer.echo(broker.password_line(f"{community.slug}.{found.device}", password))
        typer.echo(broker.acl_lines(community.slug, found.device))


@biotumbler_app.command("simulate")
def simulate_device(
    community: Annotated[str, typer.Option("--community", help="The community's slug.")],
    device: Annotated[str, typer.Option("--device", help="Device id.")],
    days: Annotated[float, typer.Option("--days", min=0.01, help="Days of a batch.")] = 14.0,
    speed: Annotated[
        float, typer.Option("--speed", min=0, help="Simulated seconds per second (0: at once).")
    ] = 3600.0,
    mqtt_url: Annotated[str | None, typer.Option("--mqtt", help="mqtt://host:1883")] = None,
    http_url: Annotated[str | None, typer.Option("--http", help="http://host:8000")] = None,
    token: Annotated[
        str, typer.Option("--token", envvar="COMMONPOT_DEVICE_TOKEN", help="Ingest token (HTTP).")
    ] = "",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
) -> None:
    """Send a realistic batch (heating, plateau, turning dips, cooling, noise, gaps)."""
    import time
    from datetime import timedelta

    from commonpot.biotumblers.readings import to_json
    from commonpot.biotumblers.simulate import simulate
    from commonpot.db import utcnow

    if (mqtt_url is None) == (http_url is None):
        raise Invalid("--mqtt: give exactly one of --mqtt and --http", field="--mqtt")
    if http_url is not None and not token:
        raise Invalid("--token: the device's ingest token is needed over HTTP", field="--token")
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(days=days) if speed == 0 else now
    found = simulate(start, start + timedelta(days=days), seed=seed)
    send = _sender(community, device, mqtt_url, http_url, token)
    began, sent, i = time.monotonic(), 0, 0
    while i < len(found):
        due = start + timedelta(seconds=(time.monotonic() - began) * speed) if speed else None
        batch: list[dict[str, Any]] = []
        while i < len(found) and len(batch) < 10_000 and (due is None or found[i].t <= due):
            batch.append(to_json(found[i]))
            i += 1
        if batch:
            send(batch)
            sent += len(batch)
        elif due is not None:
            time.sleep(min(1.0, max(0.01, (found[i].t - due).total_seconds() / speed)))
    from commonpot.i18n import cli_text

    typer.echo(cli_text("Sent %(num)s readings for %(device)s.", num=str(sent), device=device))


def _sender(
    community: str, device: str, mqtt_url: str | None, http_url: str | None, token: str
) -> Any:
    if http_url is not None:
        import httpx

        address = (
            f"{http_url.rstrip('/')}/api/communities/{community}/biotumblers/{device}/readings"
        )

        def post(batch: list[dict[str, Any]]) -> None:
            r = httpx.post(address, json=batch, headers={"Authorization": f"Bearer {token}"})
            if r.status_code != 202:
                raise Invalid(
                    "--http: the server answered %(status)s",
                    field="--http",
                    status=str(r.status_code),
                )

        return post
    from paho.mqtt.client import Client
    from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

    from commonpot.biotumblers.mqtt import parse_url

    broker = parse_url(mqtt_url or "")
    client = Client(CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    topic = f"commonpot/{community}/biotumblers/{device}"
    client.will_set(f"{topic}/$state", "lost", qos=1, retain=True)
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.publish(f"{topic}/$state", "ready", qos=1, retain=True).wait_for_publish()

    def publish(batch: list[dict[str, Any]]) -> None:
        client.publish(f"{topic}/data", json.dumps(batch), qos=1).wait_for_publish()

    return publish


@biotumbler_app.command("prune")
def prune(
    keep_days: Annotated[
        int,
        typer.Option("--keep-days", min=0, max=36_500, help="Keep raw readings this many days."),
    ] = 90,
) -> None:
    """Delete raw readings older than --keep-days (minute and hour rollups are kept)."""
    from commonpot.biotumblers import rollups
    from commonpot.cli_support import transaction

    with transaction() as session:
        gone = rollups.prune_raw(session, keep_days=keep_days)
    from commonpot.i18n import cli_text

    typer.echo(
        cli_text(
            "Deleted %(num)s raw readings older than %(days)s days.",
            num=str(gone),
            days=str(keep_days),
        )
    )


def register(app: typer.Typer) -> None:
    """Add the `biotumbler` command group to the root CLI."""
    app.add_typer(biotumbler_app, name="biotumbler")
