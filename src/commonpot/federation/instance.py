"""An instance's federation context: its address, keys and HTTP client."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonpot.db import utcnow
from commonpot.federation import keys
from commonpot.federation.client import Client
from commonpot.federation.vocab import (
    Urls,
    host_of,
)
from commonpot.settings import Settings


@dataclass
class Fed:
    """One instance's federation context: where it lives, its keys and its HTTP client."""

    base_url: str
    data_dir: Path
    client: Client
    name: str = "commonpot"
    version: str = "0"
    urls: Urls = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.urls = Urls(self.base_url)

    @property
    def host(self) -> str:
        """Host (and port) of this instance, as in handles."""
        return host_of(self.base_url)

    def key_for(self, slug: str | None) -> tuple[str, Any]:
        """(key id, private key) of a community, or of the instance when slug is None."""
        if slug is None:
            return self.urls.instance_actor() + "#main-key", keys.private_key(
                self.data_dir, keys.INSTANCE
            )
        return self.urls.key(slug), keys.private_key(self.data_dir, slug)

    def fetch(self, url: str) -> dict[str, Any]:
        """A signed GET (with the instance actor's key)."""
        key_id, key = self.key_for(None)
        return self.client.get_json(url, key_id=key_id, key=key, now=utcnow())


def context(settings: Settings, client: Client | None = None) -> Fed:
    """The federation context of an instance from its settings."""
    from commonpot import __version__

    base = settings.base_url or f"http://{settings.host}:{settings.port}"
    return Fed(
        base_url=base,
        data_dir=settings.data_dir,
        client=client or Client(allow_http=settings.federation_allow_http),
        name=settings.instance_name,
        version=__version__,
    )
