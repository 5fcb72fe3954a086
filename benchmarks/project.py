"""The rendered project under test: render it, install it, give it a seeded database."""

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ROOT, project_env, run, snapshot_template

# Any password passes PostgreSQL's trust auth here; production mode only insists it is strong.
UNUSED_PASSWORD = "benchmark-password-unused-with-trust-auth"  # noqa: S105
PACKAGE = "my_service"


def copier_copy(template: Path, destination: Path) -> float:
    """`copier copy --defaults` as a user runs it; returns its wall time in seconds."""
    copier = Path(sys.executable).with_name("copier")
    command = [str(copier), "copy", "--defaults", "--trust", "--quiet", "--vcs-ref", "HEAD"]
    started = time.perf_counter()
    run(ROOT, *command, str(template), str(destination))
    return time.perf_counter() - started


@dataclass
class Project:
    path: Path
    database_url: str

    @property
    def serving_venv(self) -> Path:
        """The production install the servers run from (see `install`)."""
        return self.path / ".venv-serve"

    @property
    def python(self) -> str:
        return str(self.bin / "python")

    @property
    def bin(self) -> Path:
        return self.serving_venv / "bin"

    def database_env(self) -> dict[str, str]:
        """The service's DATABASE_* settings for the benchmark database."""
        name = self.database_url.rsplit("/", 1)[1]
        return {
            "DATABASE_HOST": "127.0.0.1",
            "DATABASE_PORT": "5432",
            "DATABASE_USER": "postgres",
            "DATABASE_PASSWORD": UNUSED_PASSWORD,
            "DATABASE_NAME": name,
        }

    def env(self, **extra: str) -> dict[str, str]:
        return project_env(**self.database_env(), **extra)

    def db(self, *args: str) -> str:
        """Run a chore of benchmarks/apps/db.py with the project's asyncpg."""
        result = run(ROOT, self.python, "-m", "benchmarks.apps.db", *args, PYTHONPATH=str(ROOT))
        return result.stdout.strip()

    def install(self) -> float:
        """Two installs: `.venv` with the dev group for the test suite, as a developer
        has it, and `.venv-serve` as the Dockerfile builds the image (no dev group, the
        package itself installed, not editable, compiled bytecode). The servers run from
        the second: dev tools change what a worker imports (structlog loads `rich` when
        it is there) and so its start-up time and memory."""
        started = time.perf_counter()
        run(self.path, "uv", "sync", "--quiet", "--compile-bytecode")
        run(
            self.path,
            "uv",
            "sync",
            "--quiet",
            "--compile-bytecode",
            "--no-dev",
            "--no-editable",
            UV_PROJECT_ENVIRONMENT=str(self.serving_venv),
        )
        return time.perf_counter() - started

    def migrate_and_seed(self, rows: int) -> None:
        self.db("recreate", self.database_url)
        run(self.path, str(self.bin / "alembic"), "upgrade", "head", **self.database_env())
        self.db("seed", self.database_url, str(rows))

    def test_suite_seconds(self) -> list[float]:
        """Wall times of `uv run pytest` in the project, as its README runs it, twice.

        With Python's default of writing bytecode, which this run restores if the
        environment turned it off (PYTHONDONTWRITEBYTECODE): pytest then caches the
        modules it rewrites for assertions, among them every module of the
        schemathesis, hypothesis and anyio plugins (about 340, 2.7 s here). The first
        run fills that cache, as a developer's first run after `uv sync` does; the
        second is what every later run costs.
        """
        test_url = f"{self.database_url}_test"
        seconds = []
        for _ in range(2):
            started = time.perf_counter()
            run(
                self.path,
                "uv",
                "run",
                "pytest",
                "-q",
                TEST_DATABASE_URL=test_url,
                PYTHONDONTWRITEBYTECODE="",
            )
            seconds.append(time.perf_counter() - started)
        return seconds

    def drop_databases(self) -> None:
        self.db("drop", self.database_url)


def render_default_project(workdir: Path, copies: int) -> tuple[Project, list[float]]:
    """Render the default answers `copies` times (timed); the first copy is the one used."""
    template = snapshot_template(workdir / "template")
    seconds = [copier_copy(template, workdir / f"render-{n}") for n in range(copies)]
    for n in range(1, copies):
        shutil.rmtree(workdir / f"render-{n}")
    database_url = f"postgresql://postgres@127.0.0.1:5432/bench_{os.getpid()}"
    return Project(workdir / "render-0", database_url), seconds


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def check_tools(*names: str) -> list[str]:
    """The command-line tools the run needs that are missing."""
    missing = [name for name in names if shutil.which(name) is None]
    probe = ["pg_isready", "-h", "127.0.0.1", "-q"]
    if shutil.which(probe[0]) is None or subprocess.run(probe, check=False).returncode != 0:  # noqa: S603
        missing.append("PostgreSQL on 127.0.0.1:5432")
    return missing
