"""Command line: `commonpot biotumbler register|assess|listen|broker-config|simulate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from commonpot.errors import Invalid

biotumbler_app = typer.Typer(help="Compost biotumblers: devices, readings, sanitisation.")


@biotumbler_app.command("register")
def register_device(
    slug: Annotated[str, typer.Argument(help="The community's slug.")],
    device: Annotated[str, typer.Argument(help="Device id, e.g. tumbler-1.")],
    name: Annotated[str, typer.Option("--name", help="A name people recognise.")] = "",
) -> None:
    """Register a device; its ingest token is printed alone on the last line (shown once)."""
    from commonpot.accounts.service import OPERATOR
    from commonpot.biotumblers import service
    from commonpot.cli_support import transaction

    with transaction() as session:
        community = service.readable(session, slug, OPERATOR)
        found, token = service.register_device(
            session, community, OPERATOR, device=device, name=name
        )
        typer.echo(f"Registered {found.device} ({found.name}) in {community.slug}.")
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
        raise Invalid(f"{path}: cannot read ({exc.strerror})", field="READINGS") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError:
                raise Invalid(f"line {number}: not JSON", field=f"line {number}") from None
            if not isinstance(raw, dict):
                raise Invalid(f"line {number}: not a JSON object", field=f"line {number}")
            device = raw.pop("device", None)
            if device is None:
                raise Invalid(f"line {number}: no device", field=f"line {number}")
            if not isinstance(device, str):
                raise Invalid(f"line {number}: device must be a string", field=f"line {number}")
            if "t" not in raw:
                raise Invalid(f"line {number}: no t", field=f"line {number}")
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
    for device, verdict in result.items():
        state = (
            f"sanitised at {verdict['sanitised_at']}" if verdict["sanitised"] else "not sanitised"
        )
        typer.echo(
            f"{device}: {verdict['readings']} readings, {state}, longest hot run "
            f"{verdict['longest_hot_hours']:.1f} h, phase {verdict['phase']}, "
            f"{len(verdict['alerts'])} alerts"
        )


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
    typer.echo(f"Listening on {broker} as {listener.identifier}.")
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
    from commonpot.accounts.service import OPERATOR
    from commonpot.biotumblers import broker, service
    from commonpot.cli_support import transaction

    with transaction() as session:
        community = service.readable(session, slug, OPERATOR)
        found = service.get_device(session, community, OPERATOR, device)
        typer.echo(broker.password_line(f"{community.slug}.{found.device}", password))
        typer.echo(broker.acl_lines(community.slug, found.device))


def register(app: typer.Typer) -> None:
    """Add the `biotumbler` command group to the root CLI."""
    app.add_typer(biotumbler_app, name="biotumbler")
