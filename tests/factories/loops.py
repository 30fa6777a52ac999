"""Running a coroutine from a test: in a thread and event loop of its own.

A browser test's Playwright (sync API, one driver per worker for the whole session) holds
the test thread's event loop, so `asyncio.run` in that thread fails with "cannot be called
from a running event loop" whenever a browser test ran earlier in the same worker; which
tests share a worker changes from run to run. Every test that runs a coroutine goes
through here."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def in_own_loop(make: Callable[[], Coroutine[Any, Any, T]], timeout: float = 60.0) -> T:
    """`asyncio.run(make())` in a fresh thread (as a server's loop would run it); its
    result, or its exception raised again in the test's thread."""
    out: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(asyncio.run(make()))
        except BaseException as exc:  # raised again below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=timeout)
    if thread.is_alive():
        raise TimeoutError(f"the coroutine still runs after {timeout:g} s")
    if errors:
        raise errors[0]
    return out[0]
