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
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import LoadResult, Server, free_port, pinned, rss_mib, wrk
from benchmarks.project import (
    PACKAGE,
    Project,
    check_tools,
    median,
    render_default_project,
)
from benchmarks.soak import MAX_RSS_GROWTH, SoakResult, soak
from tests.helpers import ROOT

SEED_ROWS = 100
SERVER_CORE, LOAD_CORE = 1, 0
WARMUP_SECONDS = 2

# Targets from the performance issue; docs/performance.md explains each.
HEALTH_VS_BARE = 0.85
LIST_VS_ORM = 1.0
COLD_START_VS_BARE = 1.5
RSS_VS_BARE = 1.6
TEST_SUITE_SECONDS = 20.0
COPY_SECONDS = 3.0


@dataclass
class Scenario:
    label: str
    server: Server
    path: str
    results: list[LoadResult] = field(default_factory=list)

    def summary(self) -> tuple[float, float, float, int, float]:
        """Median req/s, p50 ms, p99 ms over the rounds; all errors; median CPU µs/request."""
        return (
            median([r.rps for r in self.results]),
            median([r.p50_ms for r in self.results]),
            median([r.p99_ms for r in self.results]),
            sum(r.errors for r in self.results),
            median([r.cpu_us_per_request for r in self.results]),
        )


def ratio(ours: Scenario, baseline: Scenario) -> tuple[float, float]:
    """Median over rounds of ours/baseline throughput, and of the CPU cost per request."""
    rps = [o.rps / b.rps for o, b in zip(ours.results, baseline.results, strict=True)]
    cpu = [
        b.cpu_us_per_request / o.cpu_us_per_request
        for o, b in zip(ours.results, baseline.results, strict=True)
    ]
    return median(rps), median(cpu)


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


ERROR_KINDS = {
    "connect_errors": "connect",
    "read_errors": "read",
    "write_errors": "write",
    "status_errors": "HTTP>=400",
    "timeouts": "timeout",
}


def error_kinds(runs: Sequence[Scenario | LoadResult]) -> str:
    """Which kinds of error wrk saw, e.g. ` (timeout 19)`; empty when there were none."""
    results = [r for run in runs for r in (run.results if isinstance(run, Scenario) else [run])]
    counts = {label: sum(r.raw[key] for r in results) for key, label in ERROR_KINDS.items()}
    found = ", ".join(f"{label} {count}" for label, count in counts.items() if count)
    return f" ({found})" if found else ""


def failed_statuses(result: LoadResult) -> str:
    """The soak's answers of 400 and above by status, e.g. ` [503 x3]`; empty when none."""
    counts = sorted(result.raw.get("failed_statuses", {}).items())
    return f" [{', '.join(f'{status} x{count}' for status, count in counts)}]" if counts else ""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=10, help="load per scenario per round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds of every scenario"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--cold-starts", type=int, default=3, help="measured starts per server")
    parser.add_argument("--copies", type=int, default=3, help="timed `copier copy` runs")
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
    project, copy_seconds = render_default_project(workdir, args.copies)
    out(f"copier copy: {', '.join(f'{s:.2f} s' for s in copy_seconds)}")
    try:
        failures = _measure(args, project, workdir, copy_seconds, server_core, load_core)
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
    copy_seconds: list[float],
    server_core: int | None,
    load_core: int | None,
) -> list[str]:
    """Install, migrate, seed, time the tests, then start, load and soak the servers."""
    out = print
    install_seconds = project.install()
    out(f"uv sync: {install_seconds:.1f} s")
    project.migrate_and_seed(SEED_ROWS)
    test_seconds = None
    if not args.skip_test_suite:
        first, test_seconds = project.test_suite_seconds()
        out(f"rendered test suite (uv run pytest): {first:.1f} s, then {test_seconds:.1f} s")

    by_name = servers(project, workdir, server_core)
    started: list[Server] = []
    soak_result: SoakResult | None = None
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
        scenarios = [
            Scenario("bare FastAPI /health (uvicorn)", by_name["bare"], "/health"),
            Scenario("rendered /health", by_name["rendered"], "/health"),
            Scenario("minimal SQLAlchemy ORM, 20 rows", by_name["orm"], "/items"),
            Scenario("rendered /api/v1/items (20 + total)", by_name["rendered"], "/api/v1/items"),
            Scenario("raw asyncpg, 20 rows", by_name["asyncpg"], "/items"),
        ]
        for scenario in scenarios:  # warm caches, pools and prepared statements
            _load(scenario, WARMUP_SECONDS, args.connections, load_core)
        for round_number in range(1, args.rounds + 1):
            for scenario in scenarios:
                scenario.results.append(_load(scenario, args.seconds, args.connections, load_core))
            out(f"round {round_number}/{args.rounds} done")
        rss = {name: rss_mib(by_name[name].worker_pid) for name in ("bare", "orm", "rendered")}
        if args.soak_seconds > 0:
            soak_result = soak(
                project,
                by_name["rendered"],
                seconds=args.soak_seconds,
                connections=args.soak_connections,
                core=load_core,
                workdir=workdir,
            )
    finally:
        for server in started:
            server.stop()

    return _report(args, scenarios, starts, rss, test_seconds, copy_seconds, soak_result)


def _can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1


def _load(scenario: Scenario, seconds: float, connections: int, core: int | None) -> LoadResult:
    url = f"http://127.0.0.1:{scenario.server.port}{scenario.path}"
    return wrk(url, seconds=seconds, connections=connections, core=core, server=scenario.server)


def _report(
    args: argparse.Namespace,
    scenarios: list[Scenario],
    starts: dict[str, list[float]],
    rss: dict[str, float],
    test_seconds: float | None,
    copy_seconds: list[float],
    soak_result: SoakResult | None,
) -> list[str]:
    out = print
    bare, health, orm, items, asyncpg = scenarios
    out()
    out(
        f"Load: {args.rounds} rounds x {args.seconds:g} s per scenario,"
        f" {args.connections} connections, wrk on core {LOAD_CORE}, servers on core"
        f" {SERVER_CORE}, one worker each ({PACKAGE}, {SEED_ROWS} rows)"
    )
    header = ("scenario", "req/s", "p50 ms", "p99 ms", "errors", "CPU us/req")
    out("{:<38} {:>8} {:>8} {:>8} {:>7} {:>11}".format(*header))
    for scenario in scenarios:
        rps, p50, p99, errors, cpu = scenario.summary()
        out(f"{scenario.label:<38} {rps:>8.0f} {p50:>8.2f} {p99:>8.2f} {errors:>7d} {cpu:>11.0f}")

    failures: list[str] = []

    def check(name: str, value: float, ok: bool, target: str, extra: str = "") -> None:
        out(f"{name:<44} {value:>7.2f}{extra:<14} {target:<12} {verdict(ok)}")
        if not ok:
            failures.append(name)

    def reference(name: str, value: float) -> None:
        out(f"{name:<44} {value:>7.2f}x{'':<13} (for reference)")

    out()
    header = ("ratio (rendered / baseline), same rounds", "req/s", "CPU-normalised", "target")
    out("{:<44} {:>7} {:<14} {}".format(*header))
    health_rps, health_cpu = ratio(health, bare)
    check(
        "/health vs bare FastAPI",
        health_rps,
        health_rps >= HEALTH_VS_BARE,
        f">= {HEALTH_VS_BARE}x",
        f"  {health_cpu:.2f}x",
    )
    list_rps, list_cpu = ratio(items, orm)
    check(
        "items list vs minimal SQLAlchemy ORM",
        list_rps,
        list_rps >= LIST_VS_ORM,
        f">= {LIST_VS_ORM}x",
        f"  {list_cpu:.2f}x",
    )
    raw_rps, raw_cpu = ratio(items, asyncpg)
    out(f"{'items list vs raw asyncpg':<44} {raw_rps:>7.2f}  {raw_cpu:.2f}x{'':<9} (for reference)")
    errors = sum(s.summary()[3] for s in scenarios)
    check("errors across all load runs", errors, errors == 0, "== 0", error_kinds(scenarios))

    out()
    bare_start, ours_start = median(starts["bare"]), median(starts["rendered"])
    check(
        f"cold start ({ours_start:.2f} s / bare {bare_start:.2f} s)",
        ours_start / bare_start,
        ours_start / bare_start <= COLD_START_VS_BARE,
        f"<= {COLD_START_VS_BARE}x",
        "x",
    )
    orm_start = median(starts["orm"])
    reference(f"cold start vs minimal ORM ({orm_start:.2f} s)", ours_start / orm_start)
    check(
        f"RSS per worker after load ({rss['rendered']:.0f} / bare {rss['bare']:.0f} MiB)",
        rss["rendered"] / rss["bare"],
        rss["rendered"] / rss["bare"] <= RSS_VS_BARE,
        f"<= {RSS_VS_BARE}x",
        "x",
    )
    reference(f"RSS vs minimal ORM ({rss['orm']:.0f} MiB)", rss["rendered"] / rss["orm"])
    if test_seconds is not None:
        check(
            "rendered test suite (second run), seconds",
            test_seconds,
            test_seconds < TEST_SUITE_SECONDS,
            f"< {TEST_SUITE_SECONDS:g} s",
            " s",
        )
    copy = median(copy_seconds)
    check("copier copy, seconds (median)", copy, copy < COPY_SECONDS, f"< {COPY_SECONDS:g} s", " s")

    if soak_result is not None:
        load = soak_result.load
        out()
        out(
            f"Soak: {load.seconds:.0f} s, {args.soak_connections} connections, mixed reads and"
            f" writes (55% list, 15% get, 20% create, 10% update): {load.rps:.0f} req/s,"
            f" p50 {load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms"
        )
        check(
            "soak errors",
            load.errors,
            load.errors == 0,
            "== 0",
            error_kinds([load]) + failed_statuses(load),
        )
        check(
            f"soak RSS growth ({soak_result.rss_start_mib:.1f} -> {soak_result.rss_end_mib:.1f}"
            f" MiB, max {soak_result.rss_max_mib:.1f})",
            soak_result.rss_growth * 100,
            soak_result.rss_growth <= MAX_RSS_GROWTH and soak_result.same_worker,
            f"<= {MAX_RSS_GROWTH * 100:g} %",
            " %",
        )
        check(
            f"acknowledged writes missing (of {soak_result.acknowledged_writes})",
            soak_result.missing_writes,
            soak_result.missing_writes == 0 and soak_result.acknowledged_writes > 0,
            "== 0",
        )
    out()
    out("PASS: every target met" if not failures else f"FAIL: {'; '.join(failures)}")
    return failures


if __name__ == "__main__":
    raise SystemExit(main())
