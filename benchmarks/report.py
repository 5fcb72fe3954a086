"""The benchmark's report: the figures of every scenario, and each target against them."""

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.harness import LoadResult, Server
from benchmarks.project import PACKAGE, RenderTimes, SuiteRun, median
from benchmarks.soak import MAX_RSS_GROWTH, SoakResult
from benchmarks.starvation import LONGEST_ALLOWED_MS, StarvationResult

SEED_ROWS = 100
SERVER_CORE, LOAD_CORE = 1, 0

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


def report(args: argparse.Namespace, measured: Measurements) -> list[str]:
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
