"""The rendered CI's dependency audit, run offline against a local advisory database.

The `audit-dependencies` job exports the locked runtime dependencies and audits them
with pip-audit. Here its own commands run as the workflow gives them; the only
change is pip-audit's source of advisories: an OSV-compatible server on loopback
(`--vulnerability-service osv --osv-url`) that knows one advisory or none. So the
test proves what the job does with a clean lock file and with a vulnerable one,
without the internet and without waiting for a real vulnerability.
"""

import json
import shlex
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from tests.helpers import project_env, render, run

ADVISORY_ID = "PYSEC-2026-TEST"
# A runtime dependency of every variant: the audit must name it when it is vulnerable.
VULNERABLE = "orjson"


class AdvisoryDatabase(BaseHTTPRequestHandler):
    """OSV's query API (POST /v1/query, one package version per request)."""

    vulnerable: ClassVar[set[str]] = set()
    queried: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["content-length"])))
        name = query["package"]["name"]
        self.queried.append(name)
        answer: dict[str, Any] = {}
        if name in self.vulnerable:
            answer["vulns"] = [advisory(name)]
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        """Quiet: pytest shows the audit's own output when a test fails."""


def advisory(name: str) -> dict[str, Any]:
    return {
        "id": ADVISORY_ID,
        "summary": "A vulnerability made up for this test",
        "details": "Every version before 999.0.",
        "modified": "2026-12-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "999.0"}]}
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def osv_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AdvisoryDatabase)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def project(template_directory: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service with a lock file, as CI checks it out (the defaults: PostgreSQL)."""
    project = render(template_directory, tmp_path_factory.mktemp("audit") / "p", {}, None)
    run(project, "uv", "lock", "--quiet")
    return project


def audit_job(project: Path) -> list[list[str]]:
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    steps = workflow["jobs"]["audit-dependencies"]["steps"]
    return [shlex.split(step["run"]) for step in steps if "run" in step]


def run_audit(
    project: Path, osv_url: str, vulnerable: set[str]
) -> subprocess.CompletedProcess[str]:
    export, audit = audit_job(project)
    run(project, *export)
    AdvisoryDatabase.vulnerable = vulnerable
    AdvisoryDatabase.queried.clear()
    return subprocess.run(
        [
            *audit,
            "--vulnerability-service",
            "osv",
            "--osv-url",
            osv_url,
            "--progress-spinner",
            "off",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env=project_env(),
        check=False,
    )


def test_the_audit_exports_only_the_locked_runtime_dependencies_with_hashes(
    project: Path,
) -> None:
    export, _ = audit_job(project)
    run(project, *export)
    requirements = (project / export[export.index("--output-file") + 1]).read_text()

    pins = [line for line in requirements.splitlines() if line and line[0].isalpha()]
    names = {line.split("==")[0] for line in pins}
    assert {"fastapi", "asyncpg", VULNERABLE} <= names
    assert not names & {"pytest", "mypy", "ruff", "coverage"}, "dev tools are not shipped"
    assert all("==" in line for line in pins), pins
    assert requirements.count("--hash=sha256:") >= len(pins)


def test_the_audit_passes_when_no_locked_package_has_an_advisory(
    project: Path, osv_url: str
) -> None:
    result = run_audit(project, osv_url, vulnerable=set())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr
    assert VULNERABLE in AdvisoryDatabase.queried
    assert "pytest" not in AdvisoryDatabase.queried


def test_the_audit_fails_naming_a_locked_package_with_an_advisory(
    project: Path, osv_url: str
) -> None:
    result = run_audit(project, osv_url, vulnerable={VULNERABLE})

    assert result.returncode == 1, result.stdout + result.stderr
    (row,) = [line.split() for line in result.stdout.splitlines() if ADVISORY_ID in line]
    assert row[0] == VULNERABLE
    assert row[-1] == "999.0"  # the fixed version, which `uv lock --upgrade-package` takes
