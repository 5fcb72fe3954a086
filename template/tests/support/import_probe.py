"""Import every module of a package in a fresh interpreter and report what that started.

tests/test_app_wiring.py runs it as `python -m tests.support.import_probe <package>
[module to skip ...]`. It prints one JSON object: the network connections the imports
tried, the connection-holding objects alive afterwards and the threads running. All
three stay empty while engines, pools and clients are built in the lifespan.
"""

import gc
import importlib
import importlib.util
import json
import pkgutil
import socket
import sys
import threading
from typing import Any
from unittest import mock

# Objects that hold connections, by the module that defines them. A module that is not
# installed is left out: a service without a database has no SQLAlchemy.
CLIENT_TYPES = (
    ("sqlalchemy.engine", "Engine"),
    ("sqlalchemy.pool", "Pool"),
    ("redis", "ConnectionPool"),
    ("redis.asyncio", "ConnectionPool"),
    ("httpx", "Client"),
    ("httpx", "AsyncClient"),
)


def client_types() -> tuple[type, ...]:
    found = []
    for module_name, class_name in CLIENT_TYPES:
        if importlib.util.find_spec(module_name.partition(".")[0]) is not None:
            found.append(getattr(importlib.import_module(module_name), class_name))
    return tuple(found)


def import_everything(package_name: str, skip: set[str]) -> list[str]:
    package = importlib.import_module(package_name)
    imported = [package_name]
    for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
        if module.name not in skip:
            importlib.import_module(module.name)
            imported.append(module.name)
    return imported


def probe(package_name: str, skip: set[str]) -> dict[str, Any]:
    types = client_types()
    attempts: list[str] = []

    def refuse_connect(_socket: socket.socket, address: Any) -> None:
        attempts.append(f"connect {address!r}")
        raise ConnectionRefusedError("no network at import time")

    def refuse_lookup(host: Any, *_args: Any, **_kwargs: Any) -> None:
        attempts.append(f"look up {host!r}")
        raise socket.gaierror("no network at import time")

    with (
        mock.patch.object(socket.socket, "connect", refuse_connect),
        mock.patch.object(socket.socket, "connect_ex", refuse_connect),
        mock.patch.object(socket, "getaddrinfo", refuse_lookup),
    ):
        imported = import_everything(package_name, skip)
    clients = {type(o) for o in gc.get_objects() if issubclass(type(o), types)}
    threads = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return {
        "imported": imported,
        "connections": attempts,
        "clients": sorted(f"{t.__module__}.{t.__qualname__}" for t in clients),
        "threads": sorted(t.name for t in threads),
    }


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], set(sys.argv[2:]))))  # noqa: T201 - the test reads it
