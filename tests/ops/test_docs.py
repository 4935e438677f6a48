"""/docs works without the internet and can log in (issue 12, item 13)."""

from __future__ import annotations

import re

import httpx


async def test_docs_load_every_asset_from_this_server(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert urls and not [url for url in urls if "://" in url or url.startswith("//")]
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
    script = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert len(script.content) > 100_000


async def test_openapi_declares_bearer_auth_on_authenticated_endpoints(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "a token from POST /auth/login",
    }
    assert schema["paths"]["/users/me"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/auth/login"]["post"]
    assert "security" not in schema["paths"]["/health"]["get"]


async def test_a_token_still_goes_through_our_own_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/users/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
