"""Raw asyncpg: a pool built at startup, one query per request, validated by the response model."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException, Request

from benchmarks.apps.schema import INSERT_SQL, ONE_SQL, PAGE_SQL, ItemIn, ItemOut, database_url


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(database_url(), min_size=1, max_size=10)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/items", response_model=list[ItemOut])
async def list_items(request: Request) -> list[dict[str, Any]]:
    async with request.app.state.pool.acquire() as connection:
        rows = await connection.fetch(PAGE_SQL)
    return [dict(row) for row in rows]


@app.get("/items/{item_id}", response_model=ItemOut)
async def get_item(item_id: uuid.UUID, request: Request) -> dict[str, Any]:
    async with request.app.state.pool.acquire() as connection:
        row = await connection.fetchrow(ONE_SQL, item_id)
    if row is None:
        raise HTTPException(status_code=404)
    return dict(row)


@app.post("/items", status_code=201, response_model=ItemOut)
async def create_item(data: ItemIn, request: Request) -> dict[str, Any]:
    async with request.app.state.pool.acquire() as connection:
        row = await connection.fetchrow(INSERT_SQL, uuid.uuid4(), data.name, data.quantity)
    return dict(row)
