"""The network simplex of `simplex.c`, called through ctypes (no Python headers needed).

`make setup` compiles `simplex.c` into `libcommonpot-simplex.so` beside this file
(`scripts/build-native.sh`, with the machine's C compiler; a file name that no import can
mistake for a module). Without a compiler the library is
absent, `available()` is False and the allocation engine solves with OR-Tools instead: the
same optimum (both are exact, and every plan's certificate is checked independently), at
about a fifth of the speed.

On commonpot's allocation networks the simplex beats OR-Tools' cost-scaling solver because
the network is a bipartite graph whose optimum uses few of its arcs: most pivots are short,
and the first tree (each offer keeping its food, each need unserved) is already feasible.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from commonpot import native

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

LIBRARY = Path(__file__).with_name("libcommonpot-simplex.so")
INF = 1 << 62  # a capacity the simplex treats as unbounded
OPTIMAL, UNBOUNDED, BAD_TREE, NO_MEMORY, ITERATION_LIMIT, TOO_LARGE = 0, 1, 2, 3, 4, 5
MAX_SIZE = 2**31 - 2  # most nodes, and most arcs, of a network (32-bit numbers inside)

_P = ctypes.POINTER(ctypes.c_int64)
_D = ctypes.POINTER(ctypes.c_double)
_I = ctypes.c_int64


@cache
def _library() -> ctypes.CDLL | None:
    signature = (
        ctypes.c_int,
        [_I, _I, _P, _P, _P, _P, _P, _I, _P, _I, _I, _P, _P, _P, _D, _D, _P, _I, _P],
    )
    return native.load(LIBRARY, {"cp_simplex": signature})


def available() -> bool:
    """True when the compiled simplex is there (`make setup` built it)."""
    return _library() is not None


def fits(nodes: int, arcs: int) -> bool:
    """Whether a network of this size can be solved here (32-bit node and arc numbers)."""
    return nodes <= MAX_SIZE and arcs <= MAX_SIZE


@dataclass(frozen=True)
class Work:
    """What a solve did, for benchmarks: arcs priced in search of an entering arc, steps
    walked up the tree to find each cycle, and node potentials moved with the subtrees."""

    priced: int
    walked: int
    moved: int


@dataclass(frozen=True)
class Solution:
    """Status, the flow on every arc, node potentials (duals), the pivots it took and the
    work they did; with real costs, the final tree's potentials under them (None otherwise)."""

    status: int
    flow: IntArray
    potential: IntArray
    pivots: int
    real_potential: FloatArray | None = None
    work: Work | None = None


def solve(
    tails: IntArray,
    heads: IntArray,
    capacity: IntArray,
    cost: IntArray,
    supply: IntArray,
    root: int,
    tree_arc: IntArray,
    *,
    max_pivots: int = 0,
    real_cost: FloatArray | None = None,
    tiers: IntArray | None = None,
) -> Solution:
    """Min-cost flow from the first tree `tree_arc` (node -> its arc to `root`).

    Each non-root node's tree arc must join it to the root and carry exactly its supply
    within capacity, with room left toward the root (a strongly feasible tree). Reduced
    costs `cost + potential[tail] - potential[head]` of the optimum are >= 0 on empty arcs
    and <= 0 on full ones.

    `tiers`: ends of growing prefixes of the arcs (each in 0..len(arcs)). Pricing then looks
    at the first prefix only until it is optimal there, then the next; a last tier of every
    arc always follows, so the optimum is the same. Put the likeliest arcs first: the early
    tiers are short and stay in the cache.
    """
    lib = _library()
    if lib is None:
        raise RuntimeError("the network simplex library is not built (run `make setup`)")
    arrays = [
        np.ascontiguousarray(a, dtype=np.int64)
        for a in (tails, heads, capacity, cost, supply, tree_arc)
    ]
    t, h, cap, c, sup, tree = arrays
    n, m = len(sup), len(t)
    if not (len(h) == len(cap) == len(c) == m and len(tree) == n):
        raise ValueError("simplex: arrays of different lengths")
    if not fits(n, m):
        raise ValueError("simplex: more than 2^31 - 2 nodes or arcs")
    if m and (min(int(t.min()), int(h.min())) < 0 or max(int(t.max()), int(h.max())) >= n):
        raise ValueError("simplex: an arc names a node that does not exist")
    flow = np.zeros(m, dtype=np.int64)
    potential = np.zeros(n, dtype=np.int64)
    pivots = np.zeros(1, dtype=np.int64)
    work = np.zeros(3, dtype=np.int64)
    real = None if real_cost is None else np.ascontiguousarray(real_cost, dtype=np.float64)
    if real is not None and len(real) != m:
        raise ValueError("simplex: arrays of different lengths")
    real_pi = None if real is None else np.zeros(n, dtype=np.float64)
    ends = np.ascontiguousarray(np.zeros(0) if tiers is None else tiers, dtype=np.int64)
    if len(ends) and (int(ends.min()) < 0 or int(ends.max()) > m):
        raise ValueError("simplex: a tier ends outside the arcs")

    def p(a: IntArray) -> ctypes._Pointer[ctypes.c_int64]:
        return a.ctypes.data_as(_P)

    def d(a: FloatArray | None) -> ctypes._Pointer[ctypes.c_double] | None:
        return None if a is None else a.ctypes.data_as(_D)

    status = lib.cp_simplex(
        n, m, p(t), p(h), p(cap), p(c), p(sup), root, p(tree), INF, max_pivots,
        p(flow), p(potential), p(pivots), d(real), d(real_pi), p(work), len(ends), p(ends),
    )  # fmt: skip
    found_real = real_pi if status == OPTIMAL else None
    done = Work(*(int(w) for w in work))
    return Solution(int(status), flow, potential, int(pivots[0]), found_real, done)
