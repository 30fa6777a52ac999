"""`commonpot serve` with COMMONPOT_MQTT_URL: the MQTT listener runs beside the web app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from commonpot.biotumblers.mqtt import Listener
from commonpot.bus import bus_of


@contextlib.asynccontextmanager
async def mqtt_lifespan(app: Any) -> AsyncIterator[None]:
    """Start the shared-subscription listener with the app; stop it with the app."""
    url = app.state.settings.mqtt_url
    if not url:
        yield
        return
    listener = Listener(app.state.db, url, bus=bus_of(app.state))
    app.state.mqtt_listener = listener
    task = asyncio.create_task(listener.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
