"""Swagger UI at /swagger over the OpenAPI document, which describes every route."""

from __future__ import annotations

import httpx


async def test_swagger_ui_is_served_at_swagger(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/swagger")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "swagger-ui" in response.text


async def test_the_openapi_document_lists_the_routes_and_their_errors(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/swagger/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    for path in ("/api/assets", "/api/assets/{asset_id}", "/api/health/live", "/api/health/ready", "/metrics"):
        assert path in document["paths"], path
    listing = document["paths"]["/api/assets"]["get"]
    assert {"200", "400", "503", "504"} <= set(listing["responses"])
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "cursor", "projectId", "type", "status", "ownerId", "q"} == names
    page = listing["responses"]["200"]
    schema = page["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/Asset"}}
    assert {"Link", "X-Next-Cursor"} <= set(page["headers"])
