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
    RenderTimes,
    SuiteRun,
    check_tools,
    median,
    render_default_project,
)
from benchmarks.soak import MAX_RSS_GROWTH, SoakResult, soak
from benchmarks.starvation import LONGEST_ALLOWED_MS, StarvationResult, starve
from tests.helpers import ROOT

SEED_ROWS = 100
SERVER_CORE, LOAD_CORE = 1, 0
WARMUP_SECONDS = 2

# Targets; docs/performance.md explains each. The run fails only on a ratio (both
# sides measured in the same run) or on a request that went wrong; the absolute
# figures depend on the machine, and are reported against their targets only.
HEALTH_VS_BARE = 0.85
LIST_VS_ORM = 1.0
LIST_VS_RAW = 0.6
COLD_START_VS_ORM = 1.1
RSS_VS_BARE = 1.6
COPY_VS_FLOOR = 2.0
SUITE_FIXED_SECONDS = 2.0
TEST_SUITE_SECONDS = 20.0


@dataclass
class Scenario:
    label: str
    server: Server
    path: str
    # Set for a scenario that creates items: each run posts names under its own tag.
    create_tag: str | None = None
    results: list[LoadResult] = field(default_factory=list)

    def summary(self) -> tuple[float, float, float, float, int, float]:
        """Median req/s, p50 ms, p99 ms over the rounds; the longest wait; all errors;
        median CPU µs/request."""
        return (
            median([r.rps for r in self.results]),
            median([r.p50_ms for r in self.results]),
            median([r.p99_ms for r in self.results]),
            max(r.longest_ms for r in self.results),
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


@dataclass
class Measurements:
    scenarios: dict[str, Scenario]
    starts: dict[str, list[float]]
    rss: dict[str, float]
    render_times: RenderTimes
    suite: SuiteRun | None = None
    first_suite_seconds: float | None = None
    starvation: list[StarvationResult] = field(default_factory=list)
    soak: SoakResult | None = None


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

    return _report(args, measured)


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


class Report:
    """Lines of the report, and the names of the targets that were missed."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, name: str, value: float, ok: bool, target: str, extra: str = "") -> None:
        """A target the run fails on: a ratio, or a count of requests that went wrong."""
        print(f"{name:<46} {value:>7.2f}{extra:<14} {target:<12} {verdict(ok)}")
        if not ok:
            self.failures.append(name)

    def absolute(self, name: str, value: float, ok: bool, target: str, unit: str) -> None:
        """A figure in seconds: shown against its target, never failing the run."""
        status = "met" if ok else "not met"
        print(f"{name:<46} {value:>7.2f}{unit:<14} {target:<12} {status} (absolute, reported)")

    def reference(self, name: str, value: float, extra: str = "x") -> None:
        print(f"{name:<46} {value:>7.2f}{extra:<14} (for reference)")


def _report(args: argparse.Namespace, measured: Measurements) -> list[str]:
    out = print
    scenarios = measured.scenarios
    out()
    out(
        f"Load: {args.rounds} rounds x {args.seconds:g} s per scenario,"
        f" {args.connections} connections, wrk on core {LOAD_CORE}, servers on core"
        f" {SERVER_CORE}, one worker each ({PACKAGE}, {SEED_ROWS} rows)"
    )
    header = ("scenario", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "CPU us/req")
    out("{:<38} {:>8} {:>8} {:>8} {:>8} {:>7} {:>11}".format(*header))
    for scenario in scenarios.values():
        rps, p50, p99, longest, errors, cpu = scenario.summary()
        out(
            f"{scenario.label:<38} {rps:>8.0f} {p50:>8.2f} {p99:>8.2f} {longest:>8.0f}"
            f" {errors:>7d} {cpu:>11.0f}"
        )

    report = Report()
    out()
    header = ("ratio (rendered / baseline), same rounds", "req/s", "CPU-normalised", "target")
    out("{:<46} {:>7} {:<14} {}".format(*header))
    for name, ours, baseline, target in (
        ("/health vs bare FastAPI", "health", "bare", HEALTH_VS_BARE),
        ("items list vs minimal SQLAlchemy ORM", "list", "orm", LIST_VS_ORM),
        ("items list vs raw asyncpg", "list", "raw_list", LIST_VS_RAW),
    ):
        rps, cpu = ratio(scenarios[ours], scenarios[baseline])
        report.check(name, rps, rps >= target, f">= {target}x", f"  {cpu:.2f}x")
    for name, ours, baseline in (
        ("get by id vs raw asyncpg", "get", "raw_get"),
        ("create vs raw asyncpg", "create", "raw_create"),
    ):
        rps, cpu = ratio(scenarios[ours], scenarios[baseline])
        report.reference(name, rps, f"  {cpu:.2f}x")
    errors = sum(s.summary()[4] for s in scenarios.values())
    report.check(
        "errors across all load runs",
        errors,
        errors == 0,
        "== 0",
        error_kinds(list(scenarios.values())),
    )

    out()
    starts = {name: median(seconds) for name, seconds in measured.starts.items()}
    cold = starts["rendered"] / starts["orm"]
    report.check(
        f"cold start ({starts['rendered']:.2f} s / minimal ORM {starts['orm']:.2f} s)",
        cold,
        cold <= COLD_START_VS_ORM,
        f"<= {COLD_START_VS_ORM}x",
        "x",
    )
    report.reference(
        f"cold start vs bare FastAPI ({starts['bare']:.2f} s)", starts["rendered"] / starts["bare"]
    )
    rss = measured.rss
    report.check(
        f"RSS per worker after load ({rss['rendered']:.0f} / bare {rss['bare']:.0f} MiB)",
        rss["rendered"] / rss["bare"],
        rss["rendered"] / rss["bare"] <= RSS_VS_BARE,
        f"<= {RSS_VS_BARE}x",
        "x",
    )
    report.reference(f"RSS vs minimal ORM ({rss['orm']:.0f} MiB)", rss["rendered"] / rss["orm"])
    copy, floor = median(measured.render_times.template), median(measured.render_times.floor)
    report.check(
        f"copier copy ({copy:.2f} s / one-file template {floor:.2f} s)",
        copy / floor,
        copy / floor <= COPY_VS_FLOOR,
        f"<= {COPY_VS_FLOOR}x",
        "x",
    )
    suite = measured.suite
    if suite is not None:
        report.absolute(
            f"rendered suite, second run (first {measured.first_suite_seconds:.1f} s)",
            suite.wall_seconds,
            suite.wall_seconds < TEST_SUITE_SECONDS,
            f"< {TEST_SUITE_SECONDS:g} s",
            " s",
        )
        report.absolute(
            "  of which fixed cost (start, collect, set up)",
            suite.fixed_seconds,
            suite.fixed_seconds <= SUITE_FIXED_SECONDS,
            f"<= {SUITE_FIXED_SECONDS:g} s",
            " s",
        )
        out("    " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in suite.parts.items()))
        report.reference("  and the tests themselves", suite.tests_seconds, " s")

    for result in measured.starvation:
        load = result.load
        out()
        out(
            f"Starvation: {load.seconds:.0f} s, {result.connections} connections to the items"
            f" list, the server's core shared with a CPU burner: {load.rps:.0f} req/s,"
            f" p99 {load.p99_ms:.0f} ms, longest wait {load.longest_ms:.0f} ms,"
            f" {result.refused} answered 503, RSS {result.rss_before_mib:.1f} MiB before,"
            f" peaks {result.rss_peaks_mib[0]:.1f} then {result.rss_peaks_mib[1]:.1f} MiB"
        )
        report.check(
            f"  longest wait, ms ({result.connections} connections)",
            load.longest_ms,
            load.longest_ms <= LONGEST_ALLOWED_MS,
            f"<= {LONGEST_ALLOWED_MS:g}",
        )
        problems = result.problems
        report.check(
            f"  unanswered, or wrong answers ({result.connections} connections)",
            len(problems),
            not problems,
            "== 0",
            f" {'; '.join(problems)}" if problems else "",
        )

    soak_result = measured.soak
    if soak_result is not None:
        load = soak_result.load
        out()
        out(
            f"Soak: {load.seconds:.0f} s, {args.soak_connections} connections, mixed reads and"
            f" writes (55% list, 15% get, 20% create, 10% update): {load.rps:.0f} req/s,"
            f" p50 {load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms"
        )
        report.check(
            "soak errors",
            load.errors,
            load.errors == 0,
            "== 0",
            error_kinds([load]) + failed_statuses(load),
        )
        report.check(
            f"soak RSS growth ({soak_result.rss_start_mib:.1f} -> {soak_result.rss_end_mib:.1f}"
            f" MiB, max {soak_result.rss_max_mib:.1f})",
            soak_result.rss_growth * 100,
            soak_result.rss_growth <= MAX_RSS_GROWTH and soak_result.same_worker,
            f"<= {MAX_RSS_GROWTH * 100:g} %",
            " %",
        )
        report.check(
            f"acknowledged writes missing (of {soak_result.acknowledged_writes})",
            soak_result.missing_writes,
            soak_result.missing_writes == 0 and soak_result.acknowledged_writes > 0,
            "== 0",
        )
    out()
    failures = report.failures
    out("PASS: every target met" if not failures else f"FAIL: {'; '.join(failures)}")
    return failures


if __name__ == "__main__":
    raise SystemExit(main())
