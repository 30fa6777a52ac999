"""The foundation's HTTP API: health, OpenAPI, problems, communities, places, tokens."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commonpot.db import Database
from tests.factories.accounts import PASSWORD, bearer, csrf_headers, make_world, sign_in


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    schema = client.get("/openapi.json").json()
    assert "/api/communities" in schema["paths"]
    assert "/api/communities/{slug}/places" in schema["paths"]


def test_openapi_declares_the_bearer_token_on_every_api_operation(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["HTTPBearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    api = [
        operation
        for path, operations in schema["paths"].items()
        if path.startswith("/api/")
        for operation in operations.values()
    ]
    assert len(api) > 100  # every domain's API is in the schema
    assert all(operation.get("security") == [{"HTTPBearer": []}] for operation in api)
    assert "security" not in schema["paths"]["/healthz"]["get"]


def test_unknown_api_path_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] and "/api/no/such/thing" in body["detail"]


def test_public_readable_by_anyone_private_only_by_members(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    assert client.get("/api/communities/publicville").status_code == 200
    hidden = client.get("/api/communities/privatehill")
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"
    slugs = {c["slug"] for c in client.get("/api/communities").json()}
    assert slugs == {"publicville"}
    headers = bearer(db, world.private_member)
    assert client.get("/api/communities/privatehill", headers=headers).status_code == 200
    slugs = {c["slug"] for c in client.get("/api/communities", headers=headers).json()}
    assert slugs == {"publicville", "privatehill"}


def test_validation_error_names_the_field_and_stores_nothing(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    headers = bearer(db, world.member)
    before = client.get("/api/communities/publicville/places").json()
    response = client.post(
        "/api/communities/publicville/places",
        json={"name": "Spring", "lat": 123, "lon": 0},
        headers=headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["field"] == "lat"
    assert client.get("/api/communities/publicville/places").json() == before


def test_member_adds_place_duplicate_is_conflict(client: TestClient, db: Database) -> None:
    world = make_world(db)
    headers = bearer(db, world.member)
    made = client.post(
        "/api/communities/publicville/places",
        json={"name": "Spring Well", "kind": "site", "lat": 51.46, "lon": -2.58},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    again = client.post(
        "/api/communities/publicville/places",
        json={"name": "Spring Well", "kind": "site", "lat": 51.46, "lon": -2.58},
        headers=headers,
    )
    assert again.status_code == 409
    assert again.json()["field"] == "name"


def test_token_login_and_revocation(client: TestClient, db: Database) -> None:
    world = make_world(db)
    made = client.post("/api/auth/token", json={"email": world.member.email, "password": PASSWORD})
    assert made.status_code == 201
    secret = made.json()["token"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=headers).json()["email"] == world.member.email
    token_id = made.json()["id"]
    assert client.delete(f"/api/me/tokens/{token_id}", headers=headers).status_code == 204
    refused = client.get("/api/me", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_login_rate_limited_after_failures(client: TestClient, db: Database) -> None:
    world = make_world(db)
    for _ in range(5):
        wrong = client.post(
            "/api/auth/token", json={"email": world.member.email, "password": "wrong password!"}
        )
        assert wrong.status_code == 401
    blocked = client.post(
        "/api/auth/token", json={"email": world.member.email, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert "Wait" in blocked.json()["detail"]


def test_cookie_api_write_needs_csrf_header(client: TestClient, db: Database) -> None:
    world = make_world(db)
    sign_in(client, db, world.member)
    body = {"name": "Orchard", "lat": 51.4, "lon": -2.5}
    refused = client.post("/api/communities/publicville/places", json=body)
    assert refused.status_code == 403
    accepted = client.post("/api/communities/publicville/places", json=body, headers=csrf_headers())
    assert accepted.status_code == 201


def test_invitation_flow_over_api(client: TestClient, db: Database) -> None:
    world = make_world(db)
    steward = bearer(db, world.steward)
    made = client.post("/api/communities/publicville/invitations", json={}, headers=steward)
    assert made.status_code == 201
    token = made.json()["url"].rsplit("/", 1)[1]
    outsider = bearer(db, world.outsider)
    joined = client.post("/api/invitations/accept", json={"token": token}, headers=outsider)
    assert joined.status_code == 201
    assert joined.json()["role"] == "member"
    reused = client.post("/api/invitations/accept", json={"token": token}, headers=outsider)
    assert reused.status_code == 409
