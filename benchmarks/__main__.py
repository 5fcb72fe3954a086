"""Benchmark a rendered service against bare FastAPI and minimal database endpoints.

    bash benchmarks/run.sh            # installs wrk when missing, then runs this
    uv run python -m benchmarks --help

One run renders the default project, installs, migrates and seeds it, times its test
suite, then starts it with its production command (gunicorn, one uvicorn worker) beside
three baselines served by plain uvicorn, and loads each in turn from wrk on another
core. Baselines and the service are loaded alternately, round after round, so both
see the same machine; the ratios compare figures from the same round.
"""

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import LoadResult, Server, free_port, pinned, rss_mib, wrk
from benchmarks.project import Project, RenderTimes, check_tools, render_default_project
from benchmarks.report import (
    LOAD_CORE,
    SEED_ROWS,
    SERVER_CORE,
    Measurements,
    Scenario,
    report,
)
from benchmarks.soak import soak
from benchmarks.starvation import starve
from tests.helpers import ROOT

WARMUP_SECONDS = 2


def servers(project: Project, workdir: Path, core: int | None) -> dict[str, Server]:
    """The service by its production command, and the baselines by plain uvicorn."""
    baseline_env = project.env(PYTHONPATH=str(ROOT), BENCH_DATABASE_URL=project.database_url)

    def uvicorn(name: str, module: str) -> Server:
        port = free_port()
        command = [str(project.bin / "uvicorn"), module, "--host", "127.0.0.1", f"--port={port}"]
        return Server(
            name, pinned(core, command), ROOT, baseline_env, port, workdir / f"{name}.log"
        )

    port = free_port()
    rendered_env = project.env(
        BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", APP_ENVIRONMENT="production"
    )
    rendered = Server(
        "rendered",
        pinned(core, [str(project.bin / "gunicorn"), "--config", "gunicorn.conf.py"]),
        project.path,
        rendered_env,
        port,
        workdir / "rendered.log",
        forks_worker=True,
    )
    return {
        "rendered": rendered,
        "bare": uvicorn("bare", "benchmarks.apps.bare:app"),
        "orm": uvicorn("orm", "benchmarks.apps.orm:app"),
        "asyncpg": uvicorn("asyncpg", "benchmarks.apps.raw_asyncpg:app"),
    }


def cold_starts(pair: Sequence[Server], runs: int) -> dict[str, list[float]]:
    """Start and stop each server in turn; the first start of each only warms caches."""
    seconds: dict[str, list[float]] = {server.name: [] for server in pair}
    for attempt in range(runs + 1):
        for server in pair:
            elapsed = server.start()
            server.stop()
            if attempt:
                seconds[server.name].append(elapsed)
    return seconds


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=10, help="load per scenario per round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds of every scenario"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--cold-starts", type=int, default=5, help="measured starts per server")
    parser.add_argument("--copies", type=int, default=3, help="timed `copier copy` runs")
    parser.add_argument(
        "--starve-seconds", type=float, default=10, help="each starvation load; 0 skips them"
    )
    parser.add_argument("--soak-seconds", type=float, default=60, help="0 skips the soak")
    parser.add_argument("--soak-connections", type=int, default=64)
    parser.add_argument(
        "--skip-test-suite", action="store_true", help="do not time the rendered tests"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory and databases")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    missing = check_tools("wrk", "uv")
    if missing:
        print(
            f"missing: {', '.join(missing)}; `bash benchmarks/run.sh` installs wrk", file=sys.stderr
        )
        return 2
    server_core, load_core = (SERVER_CORE, LOAD_CORE) if _can_pin() else (None, None)
    workdir = Path(tempfile.mkdtemp(prefix="fastapi-template-bench-"))
    out = print
    out(f"work directory: {workdir}")
    project, render_times = render_default_project(workdir, args.copies)
    out(
        f"copier copy: {', '.join(f'{s:.2f} s' for s in render_times.template)};"
        f" one-file template: {', '.join(f'{s:.2f} s' for s in render_times.floor)}"
    )
    try:
        failures = _measure(args, project, workdir, render_times, server_core, load_core)
    finally:
        if args.keep:
            out(f"kept {workdir} and database {project.database_url}")
        else:
            if Path(project.python).exists():
                project.drop_databases()
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


def _measure(
    args: argparse.Namespace,
    project: Project,
    workdir: Path,
    render_times: RenderTimes,
    server_core: int | None,
    load_core: int | None,
) -> list[str]:
    """Install, migrate, seed, time the tests, then start, load and soak the servers."""
    out = print
    install_seconds = project.install()
    out(f"uv sync: {install_seconds:.1f} s")
    project.migrate_and_seed(SEED_ROWS)
    suite, first_suite_seconds = None, None
    if not args.skip_test_suite:
        first, suite = project.test_suite_runs(workdir)
        first_suite_seconds = first.wall_seconds
        out(
            f"rendered test suite (uv run pytest): {first.wall_seconds:.1f} s,"
            f" then {suite.wall_seconds:.1f} s ({suite.fixed_seconds:.1f} s fixed cost)"
        )
    newest_item = project.db("newest", project.database_url)

    by_name = servers(project, workdir, server_core)
    started: list[Server] = []
    try:
        starts = cold_starts(
            [by_name["bare"], by_name["orm"], by_name["rendered"]], args.cold_starts
        )
        out(
            "cold starts: "
            + "; ".join(f"{k} {', '.join(f'{s:.2f}' for s in v)} s" for k, v in starts.items())
        )
        for server in by_name.values():
            server.start()
            started.append(server)
        rendered, asyncpg = by_name["rendered"], by_name["asyncpg"]
        scenarios = {
            "bare": Scenario("bare FastAPI /health (uvicorn)", by_name["bare"], "/health"),
            "health": Scenario("rendered /health", rendered, "/health"),
            "orm": Scenario("minimal SQLAlchemy ORM, 20 rows", by_name["orm"], "/items"),
            "list": Scenario("rendered /api/v1/items (20 + total)", rendered, "/api/v1/items"),
            "raw_list": Scenario("raw asyncpg, 20 rows", asyncpg, "/items"),
            "get": Scenario("rendered GET /api/v1/items/{id}", rendered, "/api/v1/items/"),
            "raw_get": Scenario("raw asyncpg, one row", asyncpg, "/items/"),
            "create": Scenario("rendered POST /api/v1/items", rendered, "/api/v1/items", "r"),
            "raw_create": Scenario("raw asyncpg, INSERT RETURNING", asyncpg, "/items", "a"),
        }
        for key in ("get", "raw_get"):
            scenarios[key].path += newest_item
        for scenario in scenarios.values():  # warm caches, pools and prepared statements
            _load(scenario, WARMUP_SECONDS, args.connections, load_core, "warm-up")
            _clean_up_after(scenario, project)
        for round_number in range(1, args.rounds + 1):
            for scenario in scenarios.values():
                result = _load(scenario, args.seconds, args.connections, load_core, round_number)
                scenario.results.append(result)
                _clean_up_after(scenario, project)
            out(f"round {round_number}/{args.rounds} done")
        rss = {name: rss_mib(by_name[name].worker_pid) for name in ("bare", "orm", "rendered")}
        measured = Measurements(scenarios, starts, rss, render_times, suite, first_suite_seconds)
        if args.starve_seconds > 0:
            for connections in (64, 256):
                measured.starvation.append(
                    starve(
                        rendered,
                        "/api/v1/items",
                        connections=connections,
                        seconds=args.starve_seconds,
                        server_core=server_core,
                        load_core=load_core,
                    )
                )
                out(f"starvation load at {connections} connections done")
        if args.soak_seconds > 0:
            measured.soak = soak(
                project,
                rendered,
                seconds=args.soak_seconds,
                connections=args.soak_connections,
                core=load_core,
                workdir=workdir,
            )
    finally:
        for server in started:
            server.stop()

    return report(args, measured)


def _clean_up_after(scenario: Scenario, project: Project) -> None:
    """After a create load, the table holds the seeded rows only again."""
    if scenario.create_tag is not None:
        project.db("trim", project.database_url)


def _can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1


def _load(
    scenario: Scenario, seconds: float, connections: int, core: int | None, run: object
) -> LoadResult:
    url = f"http://127.0.0.1:{scenario.server.port}{scenario.path}"
    if scenario.create_tag is None:
        return wrk(url, seconds=seconds, connections=connections, core=core, server=scenario.server)
    # Names are unique per run, so that no create is refused as a duplicate.
    return wrk(
        url,
        seconds=seconds,
        connections=connections,
        core=core,
        server=scenario.server,
        script="answers.lua",
        env={"BENCH_CREATE_TAG": f"{scenario.create_tag}{run}-{os.getpid()}"},
    )


if __name__ == "__main__":
    raise SystemExit(main())
