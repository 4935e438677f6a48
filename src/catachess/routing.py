"""The unit of work of one HTTP request: one session, one transaction, committed before
the response is sent.

FastAPI may run the teardown of a yield-dependency after the response has gone out, so
the commit cannot live there: this route class wraps each endpoint, commits when the
endpoint produced a success response and rolls back otherwise. A failing commit raises,
and the client gets a 5xx instead of a 2xx for work that was not stored.

Idempotency keys are handled here too (not in a middleware): the key is claimed in the
same transaction, the response is stored in it before the commit, and a replay is
answered without running the endpoint. See catachess.idempotency.http.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Coroutine
from functools import cached_property
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.routing import Match
from starlette.types import Scope

from catachess import bodies
from catachess.config import Settings
from catachess.events import guard
from catachess.idempotency import http as idempotency

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]

FAULT_HEADER = "x-catachess-fault"


class PrefixedRoute(APIRoute):
    """An APIRoute that a request is first matched against by the text before the path's
    first parameter ("/nodes/" of "/nodes/{node_id}"): a string comparison.

    The router asks every route listed before the one that matches, a hundred of them
    for a study's routes, and each asks a regex and FastAPI's scope bookkeeping. The
    path is the full one: routes are added to the app as they are (app.py), never under
    an included router's prefix. Behind a root_path, the regex decides alone.
    """

    @cached_property
    def literal_prefix(self) -> str:
        return self.path.partition("{")[0]

    def ruled_out(self, scope: Scope) -> bool:
        path: str = scope["path"]
        return (
            scope["type"] == "http"
            and not scope.get("root_path")
            and not path.startswith(self.literal_prefix)
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.ruled_out(scope):
            return Match.NONE, {}
        return super().matches(scope)


class TransactionalRoute(PrefixedRoute):
    # The setting that bounds this route's request bodies (catachess.bodies).
    body_limit_setting = "MAX_BODY_BYTES"

    def body_limit(self, settings: Settings) -> int:
        return settings.max_body_bytes

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        methods = {method.upper() for method in options.get("methods") or ()}
        self.read_only = not methods & idempotency.WRITE_METHODS
        if not self.read_only:
            options.update(
                idempotency.documented(options.get("responses"), options.get("openapi_extra"))
            )
        super().__init__(path, endpoint, **options)

    def get_route_handler(self) -> Endpoint:
        endpoint = super().get_route_handler()
        route_template = self.path
        keys_accepted = idempotency.accepts_keys(self.openapi_extra)
        credential_scoped = idempotency.credential_scoped(self.openapi_extra)

        needs_user = _needs_user(self.dependant)

        async def run_read(request: Request) -> Response:
            # No transaction: no BEGIN/COMMIT round trips (db.engine.make_read_sessionmaker).
            # The session opens on first use (get_session): a read that needs one statement
            # and no ORM (db.raw.Prebuilt.fetchrow_alone) costs no session at all.
            request.state.route_template = route_template
            state = request.state
            state.session = None
            try:
                response = await endpoint(request)
                if state.session is not None:
                    guard.ensure_nothing_written(state.session.sync_session)
            finally:
                if state.session is not None:
                    await state.session.close()
            return response

        if self.read_only:
            return run_read

        async def run_in_transaction(request: Request) -> Response:
            request.state.route_template = route_template
            settings: Settings = request.app.state.settings
            limit = self.body_limit(settings)
            with_body = request.method in bodies.BODY_METHODS
            if with_body:
                bodies.refuse_declared(request, limit, self.body_limit_setting)
            sessions: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
            session = sessions()
            request.state.session = session
            try:
                small = needs_user and with_body and bodies.declared_small(request)
                key = (
                    idempotency.key_to_claim_as_caller(request, keys_accepted=keys_accepted)
                    if small
                    else None
                )
                if key is not None:
                    # A small keyed write: its body is read first (it came with the
                    # headers), then one statement checks the token and claims the key.
                    await bodies.read_limited(request, limit, self.body_limit_setting)
                    keyed = await idempotency.begin_as_caller(
                        request, session, route_template, key, credential_scoped=credential_scoped
                    )
                    if keyed is None:
                        raise _unauthorized()
                else:
                    if needs_user:
                        await _authenticate_first(request, session)
                    if with_body:
                        if not bodies.declared_small(request):
                            # A large or chunked body may take long to arrive: hold no
                            # connection meanwhile (the user stays loaded, detached).
                            await session.close()
                        await bodies.read_limited(request, limit, self.body_limit_setting)
                    keyed = await idempotency.begin(
                        request,
                        session,
                        route_template,
                        keys_accepted=keys_accepted,
                        credential_scoped=credential_scoped,
                    )
                if keyed is not None and keyed.replay is not None:
                    # Nothing was written: the read-only transaction ends after the
                    # replay is sent, one round trip sooner for the client.
                    keyed.replay.release = session.close
                    return keyed.replay
                response = await endpoint(request)
                if response.status_code >= 400:
                    await session.close()  # rolls back
                    return response
                if keyed is not None:
                    await keyed.store(response)
                _fault_point(request, "kill-before-commit")
                await session.commit()
                await session.close()
            except BaseException:
                await session.close()  # rolls back
                raise
            _fault_point(request, "kill-after-commit")
            if keyed is not None:
                await keyed.after_commit()
            return response

        return run_in_transaction


def _unauthorized() -> Exception:
    from catachess.auth.deps import unauthorized  # auth.deps imports this module

    return unauthorized()


def _needs_user(dependant: Dependant) -> bool:
    """Whether the endpoint (or a dependency of it) requires an authenticated user."""
    from catachess.auth.deps import current_user  # auth.deps imports this module

    return dependant.call is current_user or any(_needs_user(sub) for sub in dependant.dependencies)


async def _authenticate_first(request: Request, session: AsyncSession) -> None:
    """401 before the body is read: an anonymous client never makes the server buffer."""
    from catachess.auth.deps import resolve_user

    if await resolve_user(request, session) is None:
        raise _unauthorized()


async def get_session(request: Request) -> AsyncSession:
    """The request's session, opened by TransactionalRoute, or by its first use in a read
    route (async: a plain function dependency would be sent to a worker thread on every
    request)."""
    session: AsyncSession | None = request.state.session
    if session is None:  # a read route's, opened now (run_read closes it)
        sessions: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
        session = request.state.session = sessions()
    return session


def _fault_point(request: Request, name: str) -> None:
    """Crash tests only: die like a killed process at this point of the unit of work.

    Inert unless CATACHESS_FAULT_HOOKS=1, which production never sets.
    """
    settings: Settings = request.app.state.settings
    if settings.fault_hooks and request.headers.get(FAULT_HEADER) == name:
        os.kill(os.getpid(), signal.SIGKILL)
