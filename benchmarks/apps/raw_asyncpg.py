"""Raw asyncpg: a pool built at startup, one query, rows validated by the response model."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request

from benchmarks.apps.schema import PAGE_SQL, ItemOut, database_url


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
