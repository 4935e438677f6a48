"""`catachess serve` serves the built web app at / beside the unchanged API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from catachess.app import create_app
from catachess.config import Settings
from tests.factories import a_user

INDEX = "<!doctype html><title>catachess app</title>"
ASSET = "console.log('hashed');"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def a_build(directory: Path) -> Path:
    (directory / "assets").mkdir(parents=True)
    (directory / "index.html").write_text(INDEX)
    (directory / "assets" / "index-Ab12Cd34.js").write_text(ASSET)
    return directory


async def serving(settings: Settings, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"web_dist": dist}), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def web(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serving(settings, a_build(tmp_path / "dist")):
        yield client


@pytest.fixture
async def unbuilt(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serving(settings, tmp_path / "no-dist"):
        yield client


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/register",
        "/n/3f1c",
        "/s/abc",
        "/s/abc/def?move=x",
        "/invite/tok",
        "/public",
        "/public?order=stars",
        "/settings",
        "/search?q=berlin&kind=comment",
        "/search/positions?fen=8/8/8/8/8/8/8/K6k%20w%20-%20-",
    ],
)
async def test_client_routes_get_index_html_never_cached(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path, headers=BROWSER)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/index-Ab12Cd34.js")
    assert response.status_code == 200
    assert response.text == ASSET
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_trash_is_the_page_for_a_browser_and_the_api_for_everyone_else(
    web: httpx.AsyncClient,
) -> None:
    page = await web.get("/trash", headers=BROWSER)
    assert page.text == INDEX
    anonymous = await web.get("/trash", headers={"Accept": "application/json"})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    user = await a_user(web)
    listing = await web.get("/trash", headers=user.headers)
    assert listing.status_code == 200
    assert listing.json() == {"items": [], "next_cursor": None}


async def test_search_is_the_page_for_a_browser_and_the_api_for_everyone_else(
    web: httpx.AsyncClient,
) -> None:
    for path in ("/search?q=berlin", "/search/positions?fen=8/8/8/8/8/8/8/K6k%20w%20-%20-"):
        assert (await web.get(path, headers=BROWSER)).text == INDEX
        anonymous = await web.get(path, headers={"Accept": "application/json"})
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
    user = await a_user(web)
    found = await web.get("/search?q=berlin", headers=user.headers)
    assert found.status_code == 200
    assert found.json() == {"items": [], "next_cursor": None}
    # The public listing's API lives under /public/, beside the /public page.
    listing = await web.get("/public/studies", headers={"Accept": "application/json"})
    assert listing.status_code == 200
    assert isinstance(listing.json()["items"], list)


@pytest.mark.parametrize(
    "path", ["/nope", "/assets/missing-123.js", "/assets/../pyproject.toml", "/index.html"]
)
async def test_other_paths_stay_problem_json_404(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path, headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_api_paths_are_unchanged(web: httpx.AsyncClient) -> None:
    assert (await web.get("/health", headers=BROWSER)).json()["status"] == "ok"
    me = await web.get("/users/me", headers=BROWSER)
    assert me.status_code == 401
    assert me.headers["content-type"] == "application/problem+json"


async def test_without_a_build_the_client_routes_say_how_to_build(
    unbuilt: httpx.AsyncClient,
) -> None:
    for path in ("/", "/s/abc"):
        response = await unbuilt.get(path, headers=BROWSER)
        assert response.status_code == 200
        assert "npm run build" in response.text
        assert "Node.js &ge; 20" in response.text
    assert (await unbuilt.get("/assets/index-Ab12Cd34.js")).status_code == 404
    assert (await unbuilt.get("/health")).status_code == 200
