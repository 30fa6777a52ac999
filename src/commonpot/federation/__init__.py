"""Federation domain: communities as ActivityPub actors that follow each other across servers.

What other domains and the composition roots may use is exported here.

The exports load on first use, so `commonpot federation --help` answers without the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.federation.client import Client
    from commonpot.federation.delivery import Report, deliver
    from commonpot.federation.instance import Fed, context
    from commonpot.federation.service import follow, remote_items

__all__ = ["Client", "Fed", "Report", "context", "deliver", "follow", "remote_items"]

_CLIENT = frozenset({"Client"})
_DELIVERY = frozenset({"Report", "deliver"})
_INSTANCE = frozenset({"Fed", "context"})
_SERVICE = frozenset({"follow", "remote_items"})


def __getattr__(name: str) -> Any:
    value: Any
    if name in _CLIENT:
        from commonpot.federation import client

        value = getattr(client, name)
    elif name in _DELIVERY:
        from commonpot.federation import delivery

        value = getattr(delivery, name)
    elif name in _INSTANCE:
        from commonpot.federation import instance

        value = getattr(instance, name)
    elif name in _SERVICE:
        from commonpot.federation import service

        value = getattr(service, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
