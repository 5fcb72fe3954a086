"""Instructions per request, and per step of the items list, counted by callgrind.

    uv run python -m benchmarks.instructions     # about 10 minutes; needs valgrind

Instruction counts do not depend on what else the machine is doing, so they show
what a change to the hot path buys where timings on a shared machine cannot. Each
figure is (count for 300 runs - count for 100 runs) / 200, from
`benchmarks/request_probe.py` in the rendered project's production install.
"""

import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.project import Project, render_default_project
from tests.helpers import ROOT

SEED_ROWS = 100
FEW, MANY = 100, 300

PROBES = {
    "health": "rendered GET /health",
    "list": "rendered GET /api/v1/items (20 + total)",
    "get": "rendered GET /api/v1/items/{id}",
    "raw_list": "raw asyncpg app, 20 rows",
    "raw_get": "raw asyncpg app, one row",
    "session_page": "  list step: read session + page query (rows)",
    "session_only": "  list step: read session, connection, close",
    "checkout": "  list step: pool checkout and return alone",
    "core_page": "  list step: the page query on a held connection",
    "driver_page": "  list step: that SQL by asyncpg, same connection",
    "validate_page": "  list step: validate the page (ItemPage)",
    "serialise_page": "  list step: serialise the page to JSON",
}


def instructions(project: Project, probe: str, count: int, item_id: str) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        project.python,
        "-m",
        "benchmarks.request_probe",
        probe,
        str(count),
        item_id,
    ]
    env = project.env(
        PYTHONPATH=str(ROOT),
        APP_ENVIRONMENT="production",
        APP_LOG_LEVEL="INFO",
        BENCH_DATABASE_URL=project.database_url,
    )
    result = subprocess.run(  # noqa: S603 - our own probe, bounded by its count
        command, cwd=project.path, env=env, capture_output=True, text=True, check=False
    )
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError(f"callgrind gave no count for {probe}:\n{result.stderr[-3000:]}")


def per_run(project: Project, probe: str, item_id: str) -> float:
    few = instructions(project, probe, FEW, item_id)
    many = instructions(project, probe, MANY, item_id)
    return (many - few) / (MANY - FEW)


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is missing: apt-get install valgrind", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="fastapi-template-instructions-"))
    project, _ = render_default_project(workdir, copies=1)
    try:
        project.install()
        project.migrate_and_seed(SEED_ROWS)
        item_id = project.db("newest", project.database_url)
        # The request logs go to stdout, which the probe discards with the rest.
        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = dict(
                zip(PROBES, pool.map(lambda p: per_run(project, p, item_id), PROBES), strict=True)
            )
    finally:
        project.drop_databases()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{'instructions per run (callgrind)':<50} {'millions':>9}")
    for probe, label in PROBES.items():
        print(f"{label:<50} {counts[probe] / 1e6:>9.2f}")
    for name, ours, raw in (
        ("items list vs raw asyncpg (raw / rendered)", "list", "raw_list"),
        ("get by id vs raw asyncpg (raw / rendered)", "get", "raw_get"),
    ):
        print(f"{name:<50} {counts[raw] / counts[ours]:>8.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
