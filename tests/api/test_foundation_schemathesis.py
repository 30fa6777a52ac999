"""Property-based API testing over the OpenAPI schema: no input makes the server fail (5xx),
every error is a problem document, and responses match the schema.

Runs on SQLite with the demo data loaded and a steward's token, so that most operations
reach real code paths rather than stopping at authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from commonpot import demo, migrate
from commonpot.accounts import service as accounts
from commonpot.app import create_app
from commonpot.settings import Settings
from commonpot.wiring import open_database

pytestmark = pytest.mark.slow


def _build_app() -> tuple[FastAPI, str]:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cp-schemathesis-"))
    url = f"sqlite:///{folder / 'api.db'}"
    migrate.upgrade(url)
    database = open_database(url)
    with database.unit_of_work() as session:
        result = demo.load(session)
        steward = result.ctx.users["amara"]
        _, secret = accounts.create_api_token(session, steward, "schemathesis")
    database.dispose()
    app = create_app(
        Settings(
            database_url=url, secret_key="s" * 40, data_dir=folder / "var", base_url="http://t"
        )
    )
    return app, secret


APP, TOKEN = _build_app() if __name__ != "__main__" else (None, "")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _dispose() -> Iterator[None]:
    yield
    APP.state.db.dispose()


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_fails_on_any_input(case: schemathesis.Case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    case.validate_response(response, checks=(not_a_server_error,))
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])
        assert "application/problem+json" in str(content_type), (
            case.operation.label,
            response.status_code,
            response.text[:200],
        )
