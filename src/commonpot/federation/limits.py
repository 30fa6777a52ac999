"""How many activities each remote server and each remote actor may post (sliding windows).

Pure: counts calls per key with the times given; the edge keeps one `InboxLimiter` per app
(so the limits are per process).
"""

from __future__ import annotations

import math
import threading
from collections import deque

PER_MINUTE = 300
PER_ACTOR_PER_MINUTE = 60


class DomainLimiter:
    """At most `limit` calls per key within any `window` seconds."""

    def __init__(self, limit: int = PER_MINUTE, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: float) -> float:
        """Record a call for `key` at `now` (seconds) and return 0, or the seconds to wait."""
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            if len(calls) >= self.limit:
                return max(calls[0] + self.window - now, 0.001)
            calls.append(now)
            if len(self._calls) > 10_000:  # forget idle servers
                for idle in [k for k, v in self._calls.items() if not v]:
                    del self._calls[idle]
            return 0.0

    def allow(self, key: str, now: float) -> bool:
        """Record a call for `key` at `now` (seconds); False when over the limit."""
        return self.wait(key, now) == 0.0


class InboxLimiter:
    """Limits per remote server (its domain) and, within it, per remote actor."""

    def __init__(
        self,
        per_instance: int = PER_MINUTE,
        per_actor: int = PER_ACTOR_PER_MINUTE,
        window: float = 60.0,
    ) -> None:
        self.instances = DomainLimiter(per_instance, window)
        self.actors = DomainLimiter(per_actor, window)

    def retry_after(self, domain: str, actor: str, now: float) -> int:
        """0 when the activity may be handled (and is counted), else whole seconds to wait."""
        waited = self.actors.wait(actor, now) or self.instances.wait(domain, now)
        return math.ceil(waited) if waited else 0
