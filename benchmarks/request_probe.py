"""Run one probe N times in-process, in the rendered project's virtualenv.

    python -m benchmarks.request_probe PROBE N

`benchmarks/instructions.py` runs this under callgrind twice, with two values of N:
the difference of the two instruction counts, divided by the difference of the Ns, is
what one request (or one step of it) costs, start-up and imports left out. Requests
go straight to the ASGI app, without a socket: the HTTP server's share is the same
for every route and is measured by the load runs instead.
"""

import importlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop
from fastapi import FastAPI

WARMUP = 30
# The SQL of the list's page query, for asyncpg on the connection SQLAlchemy holds.
PAGE_SQL = (
    "SELECT id, name, description, quantity, status, created_at, updated_at,"
    " count(*) OVER () AS total FROM item ORDER BY created_at DESC, id LIMIT $1 OFFSET $2"
)
Probe = Callable[[], Awaitable[object]]


async def get(app: FastAPI, path: str) -> None:
    """One GET through the whole app: middleware, routing, dependencies, response."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    if sent[0]["status"] != 200:
        raise RuntimeError(f"GET {path} answered {sent[0]['status']}")


async def rendered_probes(app: FastAPI, item_id: str) -> dict[str, Probe]:
    # The rendered package: importable only in the rendered project's virtualenv.
    from my_service.schemas.item import ItemPage
    from my_service.services import items

    state = app.state
    async with state.read_sessionmaker() as session:
        rows, total = await items.list_items(session, limit=20, offset=0)
    page = ItemPage.model_validate({"items": rows, "total": total, "limit": 20, "offset": 0})

    async def session_page() -> object:
        async with state.read_sessionmaker() as session:
            return await items.list_items(session, limit=20, offset=0)

    async def session_only() -> object:
        async with state.read_sessionmaker() as session:
            return await session.connection()

    async def checkout() -> object:
        async with state.engine.connect() as connection:
            return connection

    held = await state.engine.connect()
    reads = await held.execution_options(isolation_level="AUTOCOMMIT")
    driver = (await reads.get_raw_connection()).driver_connection

    async def core_page() -> object:
        return (await reads.execute(items._PAGE, {"limit": 20, "offset": 0})).all()

    async def driver_page() -> object:
        return await driver.fetch(PAGE_SQL, 20, 0)

    async def validate_page() -> object:
        return ItemPage.model_validate({"items": rows, "total": total, "limit": 20, "offset": 0})

    async def serialise_page() -> object:
        return page.__pydantic_serializer__.to_json(page)

    return {
        "health": lambda: get(app, "/health"),
        "list": lambda: get(app, "/api/v1/items"),
        "get": lambda: get(app, f"/api/v1/items/{item_id}"),
        "session_page": session_page,
        "session_only": session_only,
        "checkout": checkout,
        "core_page": core_page,
        "driver_page": driver_page,
        "validate_page": validate_page,
        "serialise_page": serialise_page,
    }


async def main(name: str, count: int, item_id: str) -> None:
    if name.startswith("raw_"):
        app: FastAPI = importlib.import_module("benchmarks.apps.raw_asyncpg").app
    else:
        app = importlib.import_module("my_service.main").create_app()
    async with app.router.lifespan_context(app):
        if name.startswith("raw_"):
            probes: dict[str, Probe] = {
                "raw_list": lambda: get(app, "/items"),
                "raw_get": lambda: get(app, f"/items/{item_id}"),
            }
        else:
            probes = await rendered_probes(app, item_id)
        probe = probes[name]
        for _ in range(WARMUP + count):
            await probe()


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
