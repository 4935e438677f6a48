"""The router's shortcut (routing.PrefixedRoute) never rules out a route that matches."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from catachess.app import create_app
from catachess.routing import PrefixedRoute

PARAMETER = re.compile(r"\{[^}]+\}")


def test_the_prefix_shortcut_agrees_with_the_full_match_on_every_route() -> None:
    """Every route's path, its parameters filled, sent with every method to every route:
    each route answers as APIRoute's own matching does, the shortcut skipped."""
    app = create_app()
    routes = [route for route in app.routes if isinstance(route, PrefixedRoute)]
    assert len(routes) > 50
    paths = {PARAMETER.sub("0b1c7c5e-8a0e-4c55-9d5f-4f7f5b2c9a11", route.path) for route in routes}
    paths |= {"/", "/nodes", "/nodesx", "/no", "/studies/x/y/z"}
    for path in paths:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            scope = {
                "type": "http",
                "path": path,
                "method": method,
                "root_path": "",
                "headers": [(b"accept", b"text/html")],
            }
            for route in routes:
                shortcut, _ = route.matches(dict(scope))
                full, _ = APIRoute.matches(route, dict(scope))
                assert shortcut == full, (path, method, route.path)


def test_no_router_is_included_under_a_prefix_the_shortcut_would_not_see() -> None:
    """PrefixedRoute compares the request with the route's own path: a router included
    through FastAPI's include_router (whose prefix is not in its routes' paths) would be
    ruled out wrongly, so the app adds routes themselves (app.py)."""
    app = create_app()
    assert all(
        isinstance(route, APIRoute) or not hasattr(route, "original_router") for route in app.routes
    )
    paths = [getattr(route, "path", "") for route in app.routes if isinstance(route, PrefixedRoute)]
    assert "/nodes/{node_id}" in paths and "/studies/{study_id}" in paths
