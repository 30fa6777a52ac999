"""Exact sums of square roots, for quadratic voting (an option gets sqrt(credits) votes).

A total is kept as ``{squarefree m: integer coefficient}`` meaning ``sum(c * sqrt(m))``.
Square roots of distinct squarefree integers are linearly independent over the
rationals, so two totals are equal exactly when their canonical forms are equal;
otherwise integer-square-root bounds at growing precision separate them, which makes
every comparison exact and total (no floating point).
"""

from __future__ import annotations

from math import isqrt

Radical = dict[int, int]


def sqrt_of(n: int) -> Radical:
    """sqrt(n) in canonical form: k * sqrt(m) with m squarefree."""
    if n < 0:
        raise ValueError("square root of a negative number")
    if n == 0:
        return {}
    k, m = 1, n
    f = 2
    while f * f <= m:
        while m % (f * f) == 0:
            m //= f * f
            k *= f
        f += 1
    return {m: k}


def add(total: Radical, term: Radical, times: int = 1) -> None:
    """total += times * term, in place."""
    for m, c in term.items():
        total[m] = total.get(m, 0) + c * times
        if total[m] == 0:
            del total[m]


def _bounds(value: Radical, digits: int) -> tuple[int, int]:
    """Integers lo, hi with lo <= value * 10**digits <= hi."""
    scale = 10 ** (2 * digits)
    lo = hi = 0
    for m, c in value.items():
        root = isqrt(m * scale)
        exact = root * root == m * scale
        if c >= 0:
            lo += c * root
            hi += c * (root if exact else root + 1)
        else:
            lo += c * (root if exact else root + 1)
            hi += c * root
    return lo, hi


def compare(a: Radical, b: Radical) -> int:
    """-1, 0 or 1 as a < b, a == b, a > b; exact."""
    if a == b:
        return 0
    diff = dict(a)
    add(diff, b, -1)
    digits = 8
    while True:
        lo, hi = _bounds(diff, digits)
        if lo > 0:
            return 1
        if hi < 0:
            return -1
        digits *= 2


def to_text(value: Radical) -> int | str:
    """An int when rational, else a string such as "3+2*sqrt(2)+sqrt(5)"."""
    if not value:
        return 0
    if set(value) == {1}:
        return value[1]
    parts: list[str] = []
    for m in sorted(value):
        c = value[m]
        if m == 1:
            body = str(abs(c))
        elif abs(c) == 1:
            body = f"sqrt({m})"
        else:
            body = f"{abs(c)}*sqrt({m})"
        sign = "-" if c < 0 else "+"
        parts.append(body if not parts and c > 0 else f"{sign}{body}")
    return "".join(parts)
