"""The production workers' event loop: uvloop, accepting every waiting connection.

uvloop's libuv accepts one connection per turn of the event loop and leaves the rest in
the kernel's queue until the next turn. On a busy worker a turn takes milliseconds, so
a burst of new connections is accepted at about a hundred a second: with 256 of them
arriving at once, the last request waited 3 s before the service saw it, while no
request that had been accepted waited more than 1 s (docs/performance.md). This loop
accepts every waiting connection each time the listening socket is ready, as
asyncio's own loop does, and keeps uvloop for everything else.
"""

import asyncio
import socket
from typing import Any

import uvloop

# Accepted in one go at most, so that a flood of connections cannot hold the loop.
ACCEPT_BATCH = 512
# After accept() fails for want of file descriptors or memory, wait this long before
# trying again, as asyncio's own loop does, rather than spin on a socket still ready.
ACCEPT_RETRY_SECONDS = 1.0


class GreedyAcceptLoop(uvloop.Loop):
    """uvloop's loop, but a server on a socket it is given (gunicorn's) accepts greedily."""

    async def create_server(
        self, protocol_factory: Any, host: Any = None, port: Any = None, **options: Any
    ) -> Any:
        sock = options.get("sock")
        if sock is None or options.get("ssl") is not None:
            return await super().create_server(protocol_factory, host, port, **options)
        return AcceptingServer(self, protocol_factory, sock)


class AcceptingServer:
    """A listening socket read by the loop; what uvicorn uses of `asyncio.Server`."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, protocol_factory: Any, sock: socket.socket
    ) -> None:
        self._loop = loop
        self._protocol_factory = protocol_factory
        self._sock = sock
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._accept_waiting)

    def _accept_waiting(self) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                connection, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return  # none left
            except ConnectionAbortedError:
                continue  # the client gave up while it waited
            except OSError:
                # Out of file descriptors or memory: pause instead of spinning.
                self._loop.remove_reader(self._sock.fileno())
                self._loop.call_later(ACCEPT_RETRY_SECONDS, self._resume)
                return
            task = self._loop.create_task(self._serve(connection))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _serve(self, connection: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._protocol_factory, connection)
        except OSError:  # the client went away before its connection was set up
            connection.close()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return (self._sock,)

    def _resume(self) -> None:
        if not self._closed:
            self._loop.add_reader(self._sock.fileno(), self._accept_waiting)

    def close(self) -> None:
        self._closed = True
        self._loop.remove_reader(self._sock.fileno())

    async def wait_closed(self) -> None:
        return None


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The loop factory uvicorn is given (`gunicorn.conf.py`)."""
    loop: asyncio.AbstractEventLoop = GreedyAcceptLoop()
    return loop
