"""Load the pool cannot serve at once, on a server held to part of a core.

With 64 or 256 connections and a pool of 10, most requests wait for a connection.
Every one must still get an answer: served, or refused with a 503 that says when to
come back (Retry-After) once it has waited the pool timeout. None may be left to time
out at the client, and the worker's memory must not grow with the queue.

A CPU-burning process on the server's core takes about half of it, so the check
does not depend on a fast host: the queue is longer than on an idle core.
"""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from benchmarks.harness import LoadResult, Server, pinned, rss_mib, wrk

# The service's default DATABASE_POOL_TIMEOUT_SECONDS.
POOL_TIMEOUT_SECONDS = 5.0
# A request answered with a 503 has waited the pool timeout, then needs to be answered.
LONGEST_ALLOWED_MS = (POOL_TIMEOUT_SECONDS + 1) * 1000
# The client waits longer than the pool, so that a 503 is seen rather than a timeout.
CLIENT_TIMEOUT_SECONDS = POOL_TIMEOUT_SECONDS * 2
MAX_RSS_GROWTH = 0.10
NO_ANSWER = ("connect_errors", "read_errors", "write_errors", "timeouts")


@dataclass
class StarvationResult:
    connections: int
    load: LoadResult
    rss_before_mib: float
    rss_after_mib: float

    @property
    def failed_statuses(self) -> dict[str, int]:
        statuses: dict[str, int] = self.load.raw["failed_statuses"]
        return statuses

    @property
    def refused(self) -> int:
        """Requests answered 503 after waiting the pool timeout."""
        return self.failed_statuses.get("503", 0)

    @property
    def unanswered(self) -> int:
        """Requests that got no HTTP answer at all (timeouts, dropped connections)."""
        return sum(int(self.load.raw[key]) for key in NO_ANSWER)

    @property
    def problems(self) -> list[str]:
        found = []
        if self.unanswered:
            found.append(f"{self.unanswered} requests without an answer")
        other = {status: n for status, n in self.failed_statuses.items() if status != "503"}
        if other:
            found.append(f"answers other than 503: {other}")
        if self.load.raw["without_retry_after"]:
            found.append(f"{self.load.raw['without_retry_after']} 503s without Retry-After")
        if self.load.longest_ms > LONGEST_ALLOWED_MS:
            found.append(f"longest wait {self.load.longest_ms:.0f} ms")
        if self.rss_after_mib > self.rss_before_mib * (1 + MAX_RSS_GROWTH):
            found.append(f"RSS grew from {self.rss_before_mib:.1f} to {self.rss_after_mib:.1f} MiB")
        return found


@contextmanager
def cpu_burner(core: int | None, seconds: float) -> Iterator[None]:
    """A process that spins on `core` for at most `seconds` (it stops by itself too)."""
    spin = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    burner = subprocess.Popen(pinned(core, [sys.executable, "-c", spin]))  # noqa: S603
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def starve(
    server: Server,
    path: str,
    *,
    connections: int,
    seconds: float,
    server_core: int | None,
    load_core: int | None,
) -> StarvationResult:
    url = f"http://127.0.0.1:{server.port}{path}"
    worker = server.worker_pid
    rss_before = rss_mib(worker)
    with cpu_burner(server_core, seconds + CLIENT_TIMEOUT_SECONDS + 5):
        load = wrk(
            url,
            seconds=seconds,
            connections=connections,
            core=load_core,
            server=server,
            script="answers.lua",
            timeout_seconds=CLIENT_TIMEOUT_SECONDS,
        )
    return StarvationResult(connections, load, rss_before, rss_mib(worker))
