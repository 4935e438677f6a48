"""Serve the built web app (web/dist): index.html on the client routes, hashed assets.

The app is a client of the public API, so this module only hands out files:
- `/assets/*`: Vite's content-hashed files, cached for a year (`immutable`);
- index.html on exactly the client routes (`/`, `/login`, `/register`, `/public`,
  `/settings`, `/trash`, `/search`, `/search/positions`, `/n/…`, `/s/…`, `/invite/…`),
  never cached, so a new build is picked up on reload. `/trash`, `/search` and
  `/search/positions` are also API paths: only a browser navigation (`Accept: text/html`)
  gets the page there; every other request reaches the API unchanged.
Any other path is the API's, and an unknown one stays a problem+json 404.
Without a build (a Python-only install) the client routes answer a page saying how to
build the app.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from catachess.routing import PrefixedRoute

ASSET_CACHE = "public, max-age=31536000, immutable"
INDEX_CACHE = "no-cache"

# Client routes: exact paths and prefixes (the router in web/src/router.ts mirrors these).
CLIENT_PATHS = ("/", "/login", "/register", "/public", "/settings")
CLIENT_PREFIXES = ("/n/", "/s/", "/invite/")
# Client routes that are also API paths: the page only for a browser navigation.
SHARED_PATHS = ("/trash", "/search", "/search/positions")

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>catachess</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>catachess</h1>
<p>The API is running, but the web app has not been built.</p>
<p>Build it with <code>make run</code> (needs Node.js &ge; 20 and npm), or by hand:
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p>
<p>The API documentation is at <a href="/docs">/docs</a>.</p>
</body></html>
"""


class ImmutableAssets(StaticFiles):
    """Static files whose names carry their content hash: cache them for good."""

    async def check_config(self) -> None:
        # Without a build (yet) every asset is a 404, not a server error.
        if self.directory is not None and os.path.isdir(self.directory):  # noqa: ASYNC240
            await super().check_config()

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = ASSET_CACHE
        return response


class NavigationRoute(PrefixedRoute):
    """Matches only a browser navigation, so the API route of the same path keeps the rest."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.ruled_out(scope):  # before the headers are read: most requests stop here
            return Match.NONE, {}
        accept = dict(scope.get("headers") or ()).get(b"accept", b"")
        if b"text/html" not in accept:
            return Match.NONE, {}
        return super().matches(scope)


def install(app: FastAPI, dist: Path) -> None:
    """Add the web app's routes to `app`, serving the build in `dist` (may not exist yet)."""
    page = _index_page(dist)
    for path in CLIENT_PATHS:
        app.add_api_route(path, page, methods=["GET", "HEAD"], include_in_schema=False)
    for prefix in CLIENT_PREFIXES:
        app.add_api_route(
            prefix + "{rest:path}", page, methods=["GET", "HEAD"], include_in_schema=False
        )
    for path in SHARED_PATHS:
        route = NavigationRoute(path, page, methods=["GET", "HEAD"], include_in_schema=False)
        # Ahead of the API's route of the same path, which would match first otherwise.
        app.router.routes.insert(0, route)
    app.mount("/assets", ImmutableAssets(directory=dist / "assets", check_dir=False), "assets")


def _index_page(dist: Path) -> Callable[[Request], Response]:
    index = dist / "index.html"

    def page(request: Request) -> Response:
        # Looked up per request: a build made while the server runs is served at once.
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, headers={"Cache-Control": INDEX_CACHE})
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": INDEX_CACHE})

    return page
