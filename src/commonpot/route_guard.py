"""Skip whole routers that cannot hold the requested path, before FastAPI tries their routes.

FastAPI (0.16x) matches an included router by trying each of its routes in turn (with some
bookkeeping per route), and does it again when it hands the request over; with every
domain's routers included in the app, a request for a page in one of the last routers
tried a few hundred route patterns first, which cost more CPU than the page itself.
`guard_routers(app)` gives each included router one combined pattern of all its routes'
path patterns (its nested routers' too): a router whose pattern does not match the path is
passed over at once, as none of its routes could have matched it. Routers holding a route
whose pattern cannot be read (hosts, frontends, anything unknown) are tried as before, and
the pattern is rebuilt when a route is added. Which route answers a path does not change.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, _EffectiveRouteContext, _IncludedRouter
from starlette._utils import get_route_path
from starlette.routing import Match, Mount, Route
from starlette.types import Scope

# compile_path escapes literal text, so `(?P<` only ever opens a parameter's group
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def _pattern(candidate: Any) -> str | None:
    """The path pattern of one route of a router, without group names (None if unknown)."""
    regex = None
    if isinstance(candidate, _EffectiveRouteContext):
        if isinstance(candidate.original_route, APIRoute):
            regex = candidate.path_regex
        elif type(candidate.starlette_route) in (Route, Mount):
            regex = getattr(candidate.starlette_route, "path_regex", None)
    if not isinstance(regex, re.Pattern) or not regex.pattern.startswith("^/"):
        return None
    return _NAMED_GROUP.sub("(?:", regex.pattern)


class GuardedRouter(_IncludedRouter):
    """An included router that first checks the path against all its routes' patterns."""

    _guard_version: int | None = None
    _guard_patterns: tuple[str, ...] | None = None
    _guard: re.Pattern[str] | None = None
    _guard_routers: tuple[Any, ...] = ()

    def effective_candidates(self) -> list[_EffectiveRouteContext | _IncludedRouter]:
        found = super().effective_candidates()
        for candidate in found:
            if type(candidate) is _IncludedRouter:
                candidate.__class__ = GuardedRouter
        return found

    def _version(self) -> int:
        # a route added to, or a router included in, any router of this branch bumps that
        # router's count (FastAPI's add_api_route / include_router); summing the counts of
        # the known routers is cheaper than FastAPI's walk over every route
        return sum(router._routes_version for router in self._guard_routers)

    def patterns(self) -> tuple[str, ...] | None:
        """The path patterns of every route of this router and its nested ones, or None."""
        if self._guard_routers and self._version() == self._guard_version:
            return self._guard_patterns
        found: list[str] = []
        routers: list[Any] = [self.original_router]
        readable = True
        for candidate in self.effective_candidates():
            if isinstance(candidate, GuardedRouter):
                inner = candidate.patterns()
                routers.extend(candidate._guard_routers)
                if inner is None:
                    readable = False
                else:
                    found.extend(inner)
                continue
            pattern = _pattern(candidate)
            if pattern is None:
                readable = False
            else:
                found.append(pattern)
        self._guard_routers = tuple(routers)
        self._guard_patterns = tuple(found) if readable else None
        self._guard = (
            re.compile("|".join(f"(?:{p})" for p in found)) if readable and found else None
        )
        self._guard_version = self._version()
        return self._guard_patterns

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        patterns = self.patterns()
        if patterns is not None and scope["type"] in ("http", "websocket"):
            guard = self._guard
            if guard is None or guard.match(get_route_path(scope)) is None:
                return Match.NONE, {}
        return super().matches(scope)


def guard_routers(app: FastAPI) -> None:
    """Give the app's included routers (and the routers they include) the pattern test."""
    for route in app.router.routes:
        if type(route) is _IncludedRouter:
            route.__class__ = GuardedRouter
