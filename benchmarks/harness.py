"""Servers, probes and load: the pieces every scenario is built from.

Everything here talks to loopback only, and every wait is bounded.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LUA_DIR = Path(__file__).resolve().parent / "lua"
STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 40
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A loopback port that the system will give to no other process for a while.

    One connection is made to it and closed from the listening side, which leaves the
    port in TIME_WAIT (for a minute on Linux): the system hands it out to nobody, yet
    a server that sets SO_REUSEADDR, as gunicorn and uvicorn do, can bind it.
    """
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port: int = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = listener.accept()
            accepted.close()
    return port


def pinned(core: int | None, command: list[str]) -> list[str]:
    """Run `command` on one core when the machine has more than one (and taskset exists)."""
    if core is None:
        return command
    return ["taskset", "-c", str(core), *command]


def http_status(port: int, path: str, timeout: float = 1.0) -> int | None:
    """The status of one GET on loopback, or None when nothing answers yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces; the fields after ")" do not.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Server:
    """One HTTP server process (gunicorn master or plain uvicorn) on a loopback port."""

    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    port: int
    log: Path
    # gunicorn serves from a forked worker; uvicorn serves from the process itself.
    forks_worker: bool = False
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> float:
        """Start the server; seconds from process start to the first 200 on /health."""
        with self.log.open("ab") as output:
            started = time.perf_counter()
            self.process = subprocess.Popen(  # noqa: S603 - our own server command
                self.command, cwd=self.cwd, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        deadline = started + STARTUP_TIMEOUT_SECONDS
        while time.perf_counter() < deadline:
            if http_status(self.port, "/health") == 200:
                return time.perf_counter() - started
            if self.process.poll() is not None:
                break
            time.sleep(0.005)
        self.stop()
        tail = self.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{self.name} did not answer /health; its log ends with:\n{tail}")

    def stop(self) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL if it does not finish in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def worker_pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} is not running")
        if not self.forks_worker:
            return self.process.pid
        workers = _children(self.process.pid)
        if len(workers) != 1:
            raise RuntimeError(f"{self.name}: expected one worker, found {workers}")
        return workers[0]


@dataclass
class LoadResult:
    """What wrk measured in one run, plus the server's CPU time over the same run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_seconds: float
    raw: dict[str, Any]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def longest_ms(self) -> float:
        """The longest any request waited for its answer."""
        return float(self.raw["max_us"]) / 1000

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_seconds / max(self.requests, 1) * 1e6


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    core: int | None,
    server: Server,
    script: str = "report.lua",
    env: dict[str, str] | None = None,
    timeout_seconds: float = 5,
) -> LoadResult:
    """Load `url` for `seconds` (wrk stops by itself) and collect its figures.

    A request that has no answer after `timeout_seconds` counts as a timeout.
    """
    command = pinned(
        core,
        [
            "wrk",
            "--threads=1",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            f"--timeout={timeout_seconds:g}s",
            f"--script={LUA_DIR / script}",
            url,
        ],
    )
    worker = server.worker_pid
    cpu_before = cpu_seconds(worker)
    result = subprocess.run(  # noqa: S603 - fixed command against loopback
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + timeout_seconds + 60,
        env={**os.environ, **(env or {})},
    )
    cpu_used = cpu_seconds(worker) - cpu_before
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(lines[-1])
    errors = sum(
        figures[key]
        for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return LoadResult(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
        cpu_seconds=cpu_used,
        raw=figures,
    )
