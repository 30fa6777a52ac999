"""The router guard passes over routers that cannot hold a path, and nothing else changes."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, _EffectiveRouteContext, _IncludedRouter
from starlette.routing import BaseRoute, Match

from commonpot.app import create_app
from commonpot.route_guard import GuardedRouter, guard_routers
from commonpot.settings import Settings

UUID = "12345678-1234-1234-1234-1234567890ab"
SAMPLE = {"int": "7", "path": "a/b.txt", "float": "1.5", "uuid": UUID}


def _scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def _chosen(route: BaseRoute, scope: dict[str, Any]) -> Any:
    """The route that finally answers inside an included router (or the route itself)."""
    while isinstance(route, _IncludedRouter):
        match, _, inner, _ = route._match(scope)
        assert match != Match.NONE and inner is not None
        route = inner
    return route


def _key(route: Any) -> tuple[str, str]:
    """A route told apart across two apps: its endpoint's name and its path pattern."""
    endpoint = getattr(route, "endpoint", None)
    name = f"{endpoint.__module__}.{endpoint.__qualname__}" if endpoint else repr(route)
    return name, str(getattr(route, "path_format", ""))


def resolve(app: FastAPI, method: str, path: str) -> tuple[Match, Any]:
    """Which route of the app a request goes to (FULL first, else the first PARTIAL)."""
    partial: tuple[Match, Any] | None = None
    for route in app.router.routes:
        scope = _scope(method, path)
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return match, _chosen(route, scope)
        if match == Match.PARTIAL and partial is None:
            partial = (match, _chosen(route, scope))
    return partial or (Match.NONE, None)


def _leaf_paths(routes: list[Any]) -> list[tuple[str, str]]:
    """(method, concrete path) for every route of every included router, nested ones too."""
    found: list[tuple[str, str]] = []
    for route in routes:
        if isinstance(route, _IncludedRouter):
            found += _leaf_paths(route.effective_candidates())
            continue
        api = isinstance(route, _EffectiveRouteContext) and isinstance(
            route.original_route, APIRoute
        )
        if api or isinstance(route, APIRoute):
            fmt, convertors, methods = route.path_format, route.param_convertors, route.methods
        else:
            continue
        path = fmt
        for name, convertor in convertors.items():
            kind = type(convertor).__name__.replace("Convertor", "").lower()
            path = path.replace("{" + name + "}", SAMPLE.get(kind, "x1"))
        for method in sorted(methods or {"GET"}):
            found.append((method, path))
    return found


def test_every_route_answers_as_without_the_guard(settings: Settings) -> None:
    guarded = create_app(settings)
    plain = create_app(settings)
    for route in plain.router.routes:
        if type(route) is GuardedRouter:
            route.__class__ = _IncludedRouter
    try:
        paths = _leaf_paths(plain.router.routes)
        assert len(paths) > 200  # every domain's routes, not an empty walk
        assert any(type(r) is GuardedRouter for r in guarded.router.routes)
        for method, path in paths:
            expected = resolve(plain, method, path)
            got = resolve(guarded, method, path)
            assert expected[0] != Match.NONE, (method, path)
            assert got[0] == expected[0], (method, path)
            assert _key(got[1]) == _key(expected[1]), (method, path)
            # another method on the same path: the same 405 (PARTIAL) or other route
            other = resolve(guarded, "PATCH", path)
            assert other[0] == resolve(plain, "PATCH", path)[0], path
        for path in ("/nowhere", "/api/nowhere/7", "/communities", "/static"):
            assert resolve(guarded, "GET", path)[0] == resolve(plain, "GET", path)[0], path
    finally:
        guarded.state.db.dispose()
        plain.state.db.dispose()


def test_a_router_that_cannot_hold_the_path_is_passed_over() -> None:
    app = FastAPI()
    items = APIRouter(prefix="/items")
    calls: list[str] = []

    @items.get("/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    app.include_router(items)
    guard_routers(app)
    included = app.router.routes[-1]
    assert isinstance(included, GuardedRouter)
    original = _IncludedRouter.matches

    def counting(self: _IncludedRouter, scope: Any) -> Any:
        calls.append(scope["path"])
        return original(self, scope)

    _IncludedRouter.matches = counting  # type: ignore[method-assign]
    try:
        assert included.matches(_scope("GET", "/other/7"))[0] == Match.NONE
        assert calls == []  # FastAPI's own walk was not run
        assert included.matches(_scope("GET", "/items/7"))[0] == Match.FULL
        assert calls == ["/items/7"]
    finally:
        _IncludedRouter.matches = original  # type: ignore[method-assign]


def test_routes_added_later_are_found() -> None:
    app = FastAPI()
    outer = APIRouter(prefix="/a")
    inner = APIRouter(prefix="/b")

    @inner.get("/one")
    def one() -> int:
        return 1

    outer.include_router(inner)
    app.include_router(outer)
    guard_routers(app)
    assert resolve(app, "GET", "/a/b/one")[0] == Match.FULL
    assert resolve(app, "GET", "/a/b/two")[0] == Match.NONE

    @inner.get("/two")
    def two() -> int:
        return 2

    assert resolve(app, "GET", "/a/b/two")[1].endpoint is two
    guard = app.router.routes[-1]
    assert isinstance(guard, GuardedRouter) and guard._guard is not None
    assert re.search("two", guard._guard.pattern)
