"""Run long, pure CPU work (allocation runs, crop plans) in a helper process.

Some engines spend seconds inside C solvers that keep Python's global interpreter lock; run
in a thread, they would still stall the server process's event loop (health checks and
every other request on it). Until a job queue takes such work out of the request, a big
input goes to one helper process per server process; small inputs run in-line, where they
are faster than the trip. The function and its arguments must pickle (pure engines take
plain data).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# inputs smaller than this (offers + needs, domes x lots, ...) are solved in-line
OFFLOAD_MIN = 1500

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool  # noqa: PLW0603 - one helper per server process, made on first use
    with _pool_lock:
        if _pool is None:
            # spawn: forking a process that runs threads (the server's pool) is unsafe
            _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _discard(broken: ProcessPoolExecutor) -> None:
    global _pool  # noqa: PLW0603
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def cpu_bound(size: int, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)`, in the helper process when `size` is at least OFFLOAD_MIN."""
    if size < OFFLOAD_MIN:
        return fn(*args, **kwargs)
    pool = _executor()
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except BrokenProcessPool:  # the helper died (killed, out of memory): next call starts anew
        _discard(pool)
        raise
