"""Load the pool cannot serve at once, on a server held to part of a core.

With 64 or 256 connections and a pool of 10, most requests wait for a connection.
Every one must still get an answer: served, or refused with a 503 that says when to
come back (Retry-After) once it has waited the pool timeout. None may be left to time
out at the client, and the worker's memory must stay bounded: it grows while the
queue fills (each waiting request holds its buffers), then must not grow any more.

A CPU-burning process on the server's core takes about half of it, so the check
does not depend on a fast host: the queue is longer than on an idle core.
"""

import subprocess
import sys
import threading
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
# Growth allowed in the load's second half over the first half's peak.
MAX_LATE_RSS_GROWTH = 0.05
RSS_SAMPLE_SECONDS = 0.5
NO_ANSWER = ("connect_errors", "read_errors", "write_errors", "timeouts")


@dataclass
class StarvationResult:
    connections: int
    load: LoadResult
    rss_before_mib: float
    # RSS every RSS_SAMPLE_SECONDS during the load.
    rss_samples_mib: list[float]

    @property
    def rss_peaks_mib(self) -> tuple[float, float]:
        """The highest RSS in the first half of the load, and in the second half."""
        half = max(1, len(self.rss_samples_mib) // 2)
        first, second = self.rss_samples_mib[:half], self.rss_samples_mib[half:]
        return max(first), max(second or first)

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
        early, late = self.rss_peaks_mib
        if late > early * (1 + MAX_LATE_RSS_GROWTH):
            found.append(f"RSS still growing: {early:.1f} MiB, then {late:.1f} MiB")
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
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(RSS_SAMPLE_SECONDS):
            samples.append(rss_mib(worker))

    sampler = threading.Thread(target=sample, daemon=True)
    with cpu_burner(server_core, seconds + CLIENT_TIMEOUT_SECONDS + 5):
        sampler.start()
        try:
            load = wrk(
                url,
                seconds=seconds,
                connections=connections,
                core=load_core,
                server=server,
                script="answers.lua",
                timeout_seconds=CLIENT_TIMEOUT_SECONDS,
            )
        finally:
            done.set()
            sampler.join()
    return StarvationResult(connections, load, rss_before, samples or [rss_before])
