"""The unit of work of one HTTP request: one session, one transaction, committed before
the response is sent.

FastAPI may run the teardown of a yield-dependency after the response has gone out, so
the commit cannot live there: this route class wraps each endpoint, commits when the
endpoint produced a success response and rolls back otherwise. A failing commit raises,
and the client gets a 5xx instead of a 2xx for work that was not stored.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Endpoint:
        endpoint = super().get_route_handler()
        route_template = self.path

        async def run_in_transaction(request: Request) -> Response:
            request.state.route_template = route_template
            sessions: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
            async with sessions() as session:
                request.state.session = session
                try:
                    response = await endpoint(request)
                except BaseException:
                    await session.rollback()
                    raise
                if response.status_code < 400:
                    await session.commit()
                else:
                    await session.rollback()
                return response

        return run_in_transaction


def get_session(request: Request) -> AsyncSession:
    """The request's session, opened by TransactionalRoute."""
    session: AsyncSession = request.state.session
    return session
