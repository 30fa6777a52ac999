"""How many activities each remote server may post per minute (a sliding window, in memory).

Pure: counts calls per key with the times given; the edge keeps one per app.
"""

from __future__ import annotations

import threading
from collections import deque

PER_MINUTE = 300


class DomainLimiter:
    """At most `limit` calls per key within any `window` seconds."""

    def __init__(self, limit: int = PER_MINUTE, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        """Record a call for `key` at `now` (seconds); False when over the limit."""
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            if len(calls) >= self.limit:
                return False
            calls.append(now)
            if len(self._calls) > 10_000:  # forget idle servers
                for idle in [k for k, v in self._calls.items() if not v]:
                    del self._calls[idle]
            return True
