"""A smoke test of the benchmark harness: its server, wrk and soak pieces for a second each.

The real run (`bash benchmarks/run.sh`) takes minutes and is never part of this suite;
this proves the pieces it is built from still work, against a stub server.
"""

import json
import os
import shutil
import sys
import urllib.request
from pathlib import Path

import pytest

from benchmarks.harness import LoadResult, Server, free_port, wrk
from tests.helpers import ROOT

STUB = Path(__file__).with_name("benchmark_stub.py")


@pytest.fixture
def stub_options() -> list[str]:
    return []


@pytest.fixture
def stub(tmp_path: Path, stub_options: list[str]):
    assert shutil.which("wrk"), "wrk is required: `apt-get install wrk` (.ci/run installs it)"
    port = free_port()
    server = Server(
        "stub",
        [sys.executable, str(STUB), str(port), *stub_options],
        ROOT,
        dict(os.environ),
        port,
        tmp_path / "stub.log",
    )
    seconds_to_first_200 = server.start()
    assert 0 < seconds_to_first_200 < 30
    yield server
    server.stop()
    assert server.process is not None
    assert server.process.returncode is not None


def test_wrk_reports_throughput_latency_errors_and_server_cpu(stub: Server) -> None:
    result = wrk(
        f"http://127.0.0.1:{stub.port}/health", seconds=1, connections=4, core=None, server=stub
    )

    assert result.requests > 0
    assert result.errors == 0
    assert result.rps > 0
    assert 0 < result.p50_ms <= result.p99_ms
    assert result.cpu_seconds > 0


def soak_briefly(stub: Server, tag: str, ids_file: Path) -> LoadResult:
    """One second of the soak's mixed traffic against the stub, from four connections."""
    return wrk(
        f"http://127.0.0.1:{stub.port}",
        seconds=1,
        connections=4,
        core=None,
        server=stub,
        script="soak.lua",
        env={"SOAK_RUN_TAG": tag, "SOAK_IDS_FILE": str(ids_file)},
    )


def test_the_soak_script_collects_every_acknowledged_write(stub: Server, tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    result = soak_briefly(stub, "smoke", ids_file)

    collected = ids_file.read_text().split()
    with urllib.request.urlopen(f"http://127.0.0.1:{stub.port}/created") as response:
        created = json.load(response)
    assert result.errors == 0
    assert result.raw["failed_statuses"] == {}
    assert collected
    assert len(set(collected)) == len(collected) == result.raw["acknowledged_writes"]
    # wrk stops mid-flight: a write can be made but never acknowledged, never the reverse.
    assert set(collected) <= set(created)
    assert len(created) - len(collected) <= 4


@pytest.mark.parametrize("stub_options", [["--refuse-updates"]])
def test_the_soak_script_counts_failed_answers_by_status(stub: Server, tmp_path: Path) -> None:
    result = soak_briefly(stub, "refused", tmp_path / "ids.txt")

    assert result.raw["status_errors"] > 0
    assert result.raw["failed_statuses"] == {"503": result.raw["status_errors"]}
