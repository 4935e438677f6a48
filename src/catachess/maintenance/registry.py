"""Periodic jobs: each domain registers its own with @job; the runner runs them.

A job handles ONE bounded batch per call inside the transaction it is given and returns
how many items it handled; the runner calls it again (new transaction) until a batch
comes back smaller than the batch size, so a huge backlog never holds one transaction
for minutes. A job may also say how much work is waiting (`backlog=`), which
`catachess maintenance status` shows.
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings

JobFunction = Callable[[AsyncSession, Settings, int], Awaitable[int]]
BacklogFunction = Callable[[AsyncSession, Settings], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    batch_size: int
    description: str
    backlog: BacklogFunction | None = None

    @property
    def lock_key(self) -> int:
        """A stable 63-bit key for pg_try_advisory_lock, derived from the job name."""
        return 7_400_000_000 + zlib.crc32(self.name.encode())


JOBS: dict[str, Job] = {}


def job(
    name: str, *, batch_size: int = 500, backlog: BacklogFunction | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register `function(session, settings, batch_size) -> items handled` as a job.

    `backlog(session, settings) -> items waiting` is optional; keep it one indexed count.
    """

    def register(function: JobFunction) -> JobFunction:
        JOBS[name] = Job(
            name=name,
            run=function,
            batch_size=batch_size,
            description=(function.__doc__ or name).strip().splitlines()[0],
            backlog=backlog,
        )
        return function

    return register
