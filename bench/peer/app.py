"""The peer catachess is measured against: the same framework and server, nothing else.

One process, FastAPI on uvicorn, a raw asyncpg pool, no ORM, no auth, no logs, no
metrics: (a) POST /rows inserts one row, (b) GET /rows/{id} selects one by primary key.
Whatever catachess spends beyond this is the price of its safety layers.
Run: PEER_DATABASE_URL=postgresql://... uvicorn bench.peer.app:app
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

SCHEMA = """
CREATE TABLE IF NOT EXISTS peer_rows (
    id uuid PRIMARY KEY,
    name varchar(200) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


class RowCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class Row(BaseModel):
    id: uuid.UUID
    name: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    size = int(os.environ.get("PEER_POOL_SIZE", "16"))
    pool = await asyncpg.create_pool(os.environ["PEER_DATABASE_URL"], min_size=size, max_size=size)
    await pool.execute(SCHEMA)
    app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/rows", status_code=201, response_model=Row)
async def insert_row(body: RowCreate, request: Request) -> Row:
    row_id = uuid.uuid4()
    await request.app.state.pool.execute(
        "INSERT INTO peer_rows (id, name) VALUES ($1, $2)", row_id, body.name
    )
    return Row(id=row_id, name=body.name)


@app.get("/rows/{row_id}", response_model=Row)
async def select_row(row_id: uuid.UUID, request: Request) -> Row:
    found = await request.app.state.pool.fetchrow(
        "SELECT id, name FROM peer_rows WHERE id = $1", row_id
    )
    if found is None:
        raise HTTPException(404)
    return Row(id=found["id"], name=found["name"])
