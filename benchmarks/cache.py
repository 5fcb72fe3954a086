"""The response cache of `redis=true` on the items list: with it, and without (the baseline).

    uv run python -m benchmarks.cache                 # 3 rounds of 10 s each
    uv run python -m benchmarks.cache --seconds 3 --rounds 2

Renders the template with redis=true, installs, migrates and seeds it as the main
benchmark does, then starts the service twice by its production command (one worker
each), with CACHE_ENABLED=true and with CACHE_ENABLED=false, and loads
GET /api/v1/items on each in turn, round after round, so both see the same machine.
Prints each round's figures and the ratio of the cached to the uncached service.
Needs PostgreSQL and Redis on loopback (bash benchmarks/run.sh starts PostgreSQL).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import LoadResult, Server, free_port, pinned, wrk
from benchmarks.project import Project
from benchmarks.report import LOAD_CORE, SEED_ROWS, SERVER_CORE
from tests.helpers import render, snapshot_template

LIST = "/api/v1/items"
WARMUP_SECONDS = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cache", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="load per server per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    return parser.parse_args(argv)


def service(project: Project, workdir: Path, *, cached: bool, core: int | None) -> Server:
    port = free_port()
    name = "cached" if cached else "uncached"
    env = project.env(
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        APP_ENVIRONMENT="production",
        CACHE_ENABLED=str(cached).lower(),
        # A prefix of this run's own: no entry of another run is ever read.
        REDIS_KEY_PREFIX=f"bench-cache-{os.getpid()}:",
    )
    command = pinned(core, [str(project.bin / "gunicorn"), "--config", "gunicorn.conf.py"])
    return Server(
        name, command, project.path, env, port, workdir / f"{name}.log", forks_worker=True
    )


def load(server: Server, seconds: float, connections: int, core: int | None) -> LoadResult:
    url = f"http://127.0.0.1:{server.port}{LIST}"
    return wrk(url, seconds=seconds, connections=connections, core=core, server=server)


def line(name: str, result: LoadResult) -> str:
    return (
        f"{name:<9} {result.rps:>8.0f} req/s  p50 {result.p50_ms:6.2f} ms  p99"
        f" {result.p99_ms:6.2f} ms  {result.cpu_us_per_request:6.0f} us CPU/request"
        f"  errors {result.errors}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("missing: wrk (`bash benchmarks/run.sh` installs it)", file=sys.stderr)
        return 2
    pinning = shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1
    server_core, load_core = (SERVER_CORE, LOAD_CORE) if pinning else (None, None)
    workdir = Path(tempfile.mkdtemp(prefix="fastapi-template-cache-bench-"))
    template = snapshot_template(workdir / "template")
    path = render(template, workdir / "service", {"redis": True})
    project = Project(path, f"postgresql://postgres@127.0.0.1:5432/bench_cache_{os.getpid()}")
    servers: list[Server] = []
    try:
        project.install()
        project.migrate_and_seed(SEED_ROWS)
        servers = [
            service(project, workdir, cached=cached, core=server_core) for cached in (True, False)
        ]
        for server in servers:
            server.start()
            load(server, WARMUP_SECONDS, args.connections, load_core)
        print(f"GET {LIST} ({SEED_ROWS} rows, a page of 20 and the total), one worker each")
        ratios = []
        for round_number in range(1, args.rounds + 1):
            cached, uncached = (load(s, args.seconds, args.connections, load_core) for s in servers)
            ratios.append(cached.rps / uncached.rps)
            print(f"round {round_number}: {line('cached', cached)}")
            print(f"round {round_number}: {line('uncached', uncached)}  (the baseline)")
            print(
                f"round {round_number}: cached / uncached = {ratios[-1]:.2f}x requests per second"
            )
            if cached.errors or uncached.errors:
                print("errors under load: see the servers' logs", file=sys.stderr)
                return 1
        print(f"median ratio over {args.rounds} rounds: {statistics.median(ratios):.2f}x")
    finally:
        for server in servers:
            server.stop()
        if Path(project.python).exists():
            project.drop_databases()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
