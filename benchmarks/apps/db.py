"""Database chores the harness runs in the rendered project's virtualenv (it has asyncpg).

python -m benchmarks.apps.db recreate URL
python -m benchmarks.apps.db seed URL ROWS
python -m benchmarks.apps.db missing URL IDS_FILE   # prints how many ids are absent
python -m benchmarks.apps.db newest URL             # prints the id of the newest item
python -m benchmarks.apps.db trim URL               # back to the seeded rows only
python -m benchmarks.apps.db drop URL
"""

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


async def recreate(url: str) -> None:
    admin_url, name = _admin_url(url)
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop(url: str) -> None:
    """Drop the database and every one named after it (the test suite's `NAME_test*`)."""
    admin_url, name = _admin_url(url)
    connection = await asyncpg.connect(admin_url)
    try:
        names = await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2",
            name,
            name.replace("_", r"\_") + r"\_%",
        )
        for row in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await connection.close()


async def seed(url: str, rows: int) -> None:
    """Rows with distinct creation times, so "newest first" is a real ordering."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO item (id, name, description, quantity, status, created_at, updated_at) "
            "SELECT gen_random_uuid(), 'seeded-' || g, 'Seeded item number ' || g, g, "
            "'active', now() - g * interval '1 second', now() - g * interval '1 second' "
            "FROM generate_series(1, $1) AS g",
            rows,
        )
        await connection.execute("ANALYZE item")
    finally:
        await connection.close()


async def missing(url: str, ids_file: Path) -> None:
    ids = [line.strip() for line in ids_file.read_text().splitlines() if line.strip()]
    connection = await asyncpg.connect(url)
    try:
        found = await connection.fetchval(
            "SELECT count(*) FROM item WHERE id = ANY($1::uuid[])", ids
        )
    finally:
        await connection.close()
    print(len(set(ids)) - found)


async def trim(url: str) -> None:
    """Delete what the create loads added, and vacuum, so lists read the seeded rows.

    A list page sorts the table and counts every row (`count(*) OVER ()`): thousands of
    created rows, or their dead tuples, would make every later list slower.
    """
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DELETE FROM item WHERE name NOT LIKE 'seeded-%'")
        await connection.execute("VACUUM ANALYZE item")
    finally:
        await connection.close()


async def newest(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        print(await connection.fetchval("SELECT id FROM item ORDER BY created_at DESC LIMIT 1"))
    finally:
        await connection.close()


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    if command == "recreate":
        asyncio.run(recreate(url))
    elif command == "drop":
        asyncio.run(drop(url))
    elif command == "seed":
        asyncio.run(seed(url, int(rest[0])))
    elif command == "missing":
        asyncio.run(missing(url, Path(rest[0])))
    elif command == "trim":
        asyncio.run(trim(url))
    elif command == "newest":
        asyncio.run(newest(url))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
