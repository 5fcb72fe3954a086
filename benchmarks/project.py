"""The rendered project under test: render it, install it, give it a seeded database."""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ROOT, commit_all, git, project_env, run, snapshot_template

# Any password passes PostgreSQL's trust auth here; production mode only insists it is strong.
UNUSED_PASSWORD = "benchmark-password-unused-with-trust-auth"  # noqa: S105
PACKAGE = "my_service"
TIMING_PLUGIN = Path(__file__).resolve().parent / "suite_timing.py"


@dataclass
class SuiteRun:
    """One `uv run pytest` of the rendered project, split by benchmarks/suite_timing.py."""

    wall_seconds: float
    started: float
    figures: dict[str, float]

    @property
    def parts(self) -> dict[str, float]:
        """The fixed cost by part, in seconds."""
        figures = self.figures
        return {
            "start-up and plugins": figures["session_start"] - self.started,
            "collection": figures["collected"] - figures["session_start"],
            "session fixtures": figures["fixture_setup_seconds"],
            "after the last test": self.started + self.wall_seconds - figures["last_test_done"],
        }

    @property
    def fixed_seconds(self) -> float:
        """Start-up, imports, collection, session fixtures and the end of the run."""
        return sum(self.parts.values())

    @property
    def tests_seconds(self) -> float:
        return self.wall_seconds - self.fixed_seconds


def one_file_template(destination: Path) -> Path:
    """The smallest template copier renders: one question, one file, one commit.

    `copier copy` of it is the floor every template pays (starting copier, cloning the
    template, asking, writing), measured in the same run as the real template.
    """
    destination.mkdir(parents=True)
    (destination / "copier.yml").write_text("project_name:\n  type: str\n  default: floor\n")
    (destination / "README.md.jinja").write_text("# {{ project_name }}\n")
    git(destination, "init", "-q")
    commit_all(destination, "one-file template")
    return destination


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

    def test_suite_runs(self, workdir: Path) -> list[SuiteRun]:
        """`uv run pytest` in the project, as its README runs it, twice.

        With Python's default of writing bytecode, which this run restores if the
        environment turned it off (PYTHONDONTWRITEBYTECODE): pytest then caches the
        modules it rewrites for assertions, among them every module of the
        schemathesis, hypothesis and anyio plugins (about 340, 2.7 s here). The first
        run fills that cache, as a developer's first run after `uv sync` does; the
        second is what every later run costs.
        """
        plugin_dir = workdir / "pytest-plugins"
        plugin_dir.mkdir(exist_ok=True)
        shutil.copy(TIMING_PLUGIN, plugin_dir / TIMING_PLUGIN.name)
        timing_file = workdir / "suite-timing.json"
        test_url = f"{self.database_url}_test"
        runs = []
        for _ in range(2):
            started = time.time()
            run(
                self.path,
                "uv",
                "run",
                "pytest",
                "-q",
                "-p",
                TIMING_PLUGIN.stem,
                TEST_DATABASE_URL=test_url,
                PYTHONDONTWRITEBYTECODE="",
                PYTHONPATH=str(plugin_dir),
                SUITE_TIMING_FILE=str(timing_file),
            )
            wall = time.time() - started
            runs.append(SuiteRun(wall, started, json.loads(timing_file.read_text())))
        return runs

    def drop_databases(self) -> None:
        self.db("drop", self.database_url)


@dataclass
class RenderTimes:
    """Wall times of `copier copy`: this template, and the one-file floor, alternately."""

    template: list[float]
    floor: list[float]


def render_default_project(workdir: Path, copies: int) -> tuple[Project, RenderTimes]:
    """Render the default answers `copies` times (timed); the first copy is the one used.

    The one-file template is rendered as many times, alternately, so both see the
    same machine.
    """
    template = snapshot_template(workdir / "template")
    floor = one_file_template(workdir / "one-file-template")
    times = RenderTimes([], [])
    for n in range(copies):
        times.template.append(copier_copy(template, workdir / f"render-{n}"))
        times.floor.append(copier_copy(floor, workdir / f"floor-{n}"))
        shutil.rmtree(workdir / f"floor-{n}")
    for n in range(1, copies):
        shutil.rmtree(workdir / f"render-{n}")
    database_url = f"postgresql://postgres@127.0.0.1:5432/bench_{os.getpid()}"
    return Project(workdir / "render-0", database_url), times


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def check_tools(*names: str) -> list[str]:
    """The command-line tools the run needs that are missing."""
    missing = [name for name in names if shutil.which(name) is None]
    probe = ["pg_isready", "-h", "127.0.0.1", "-q"]
    if shutil.which(probe[0]) is None or subprocess.run(probe, check=False).returncode != 0:  # noqa: S603
        missing.append("PostgreSQL on 127.0.0.1:5432")
    return missing
