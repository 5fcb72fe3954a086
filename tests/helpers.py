"""Rendering the template from a committed snapshot, and running commands in the result."""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from copier import Settings, run_copy

ROOT = Path(__file__).resolve().parents[1]

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "template-tests",
    "GIT_AUTHOR_EMAIL": "template-tests@example.com",
    "GIT_COMMITTER_NAME": "template-tests",
    "GIT_COMMITTER_EMAIL": "template-tests@example.com",
}
COPIER_OPTIONS: dict[str, Any] = {
    "defaults": True,
    "unsafe": True,
    "quiet": True,
    "settings": Settings(),
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_IDENTITY},
    )
    return result.stdout


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    if tag:
        git(repo, "tag", tag)


def copy_worktree(destination: Path) -> None:
    """Tracked and untracked-but-not-ignored files, as they are on disk now."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def tracked(project: Path) -> dict[str, bytes]:
    """Every file git tracks in a project, with its bytes."""
    listed = filter(None, git(project, "ls-files", "-z").split("\0"))
    return {path: (project / path).read_bytes() for path in listed}


def snapshot_template(destination: Path) -> Path:
    """A git repository holding the working tree in one commit.

    Rendering from it (not from ROOT) includes uncommitted edits without copier's
    dirty-tree warning and records a commit that a later `copier update` can find.
    """
    destination.mkdir(parents=True)
    git(destination, "init", "-q")
    copy_worktree(destination)
    commit_all(destination, "snapshot of the working tree")
    return destination


def render(
    template: Path, destination: Path, data: dict[str, Any], vcs_ref: str | None = "HEAD"
) -> Path:
    run_copy(str(template), destination, data=data, vcs_ref=vcs_ref, **COPIER_OPTIONS)
    return destination


def database_url_for(label: str) -> str:
    """A database name of its own for one rendered project's test run.

    The process id keeps concurrent runs of the template suite (other worktrees,
    xdist workers) from dropping each other's databases.
    """
    name = re.sub(r"[^a-z0-9]+", "_", label.lower())[:30]
    return f"postgresql://postgres@127.0.0.1:5432/tpl_{name}_{os.getpid()}"


def project_env(**extra: str) -> dict[str, str]:
    """The environment for commands run inside a rendered project."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTEST_ADDOPTS"}}
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.pop("PYTEST_XDIST_WORKER", None)
    return {**env, **extra}


def run(cwd: Path, *command: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Run a command in a rendered project; fail with its whole output if it fails."""
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=project_env(**extra_env), check=False
    )
    if result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command)}` failed with exit code {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


# A directory this run's workers share (tests/conftest.py makes it): the lock of each
# distinct pyproject.toml, resolved once, and a seed for mypy's incremental cache.
RUN_CACHE = "TEMPLATE_TESTS_RUN_CACHE"


def _shared(name: str) -> Path | None:
    directory = os.environ.get(RUN_CACHE)
    return Path(directory) / name if directory else None


def _publish(source: Path, target: Path) -> None:
    """Copy a file or folder to `target` atomically (another worker may race us)."""
    scratch = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    if source.is_dir():
        shutil.copytree(source, scratch)
    else:
        shutil.copyfile(source, scratch)
    # A folder cannot replace one that another worker published first; it holds the same.
    with contextlib.suppress(OSError):
        os.replace(scratch, target)
    if scratch.exists():
        shutil.rmtree(scratch) if scratch.is_dir() else scratch.unlink()


def uv_sync(project: Path, *options: str) -> None:
    """`uv sync` in a rendered project that has no lock yet, resolving once per run.

    The first project with a given pyproject.toml (and .python-version) resolves against
    PyPI as a user's first `uv sync` does; a later one with the same bytes starts from
    the lock uv wrote then, so it installs the same versions without asking PyPI about
    every package again (a minute's worth of round trips on a slow network). A project
    that already has a lock keeps it: that is its team's.
    """
    lock = project / "uv.lock"
    shared = None
    if not lock.exists():
        inputs = b"".join(
            (project / name).read_bytes() if (project / name).exists() else b""
            for name in ("pyproject.toml", ".python-version")
        )
        shared = _shared(f"{hashlib.sha256(inputs).hexdigest()}.lock")
        if shared and shared.exists():
            shutil.copyfile(shared, lock)
    run(project, "uv", "sync", "--quiet", *options)
    if shared and not shared.exists():
        _publish(lock, shared)


def mypy(project: Path) -> None:
    """Strict mypy, as the rendered README runs it, incrementally from this run's seed.

    The first project checked cold leaves its cache as the seed; a later project starts
    from a copy of it. mypy rechecks every module whose source, options or dependencies'
    interfaces differ from the cached ones (and every module with an error, which it
    never caches), so the verdict is the cold run's; what is saved is re-analysing the
    third-party packages that every project installs (SQLAlchemy, pydantic, FastAPI).
    tests/test_practices.py's mypy violations already run incrementally the same way.
    """
    seed_mypy_cache(project)
    run(project, "uv", "run", "--no-sync", "mypy")
    seed = _shared("mypy-seed")
    if seed and not seed.exists() and (project / ".mypy_cache").is_dir():
        _publish(project / ".mypy_cache", seed)


def seed_mypy_cache(project: Path) -> None:
    """Give a project with no mypy cache a copy of this run's seed (see `mypy`)."""
    seed = _shared("mypy-seed")
    if seed and seed.is_dir() and not (project / ".mypy_cache").exists():
        shutil.copytree(seed, project / ".mypy_cache")


def run_project_checks(
    project: Path, database_label: str, *tests: str, coverage: bool = False
) -> str:
    """Install a rendered project and run every check its README lists.

    `tests` narrows pytest to those paths (the rest of the checks still see everything).
    `coverage` runs the tests as the rendered CI does, under coverage (`coverage_gate`
    then runs CI's gate). Returns pytest's report (one line per test) after asserting
    that tests ran and none failed or was skipped.
    """
    uv_sync(project)
    run(project, "uv", "run", "--no-sync", "ruff", "format", "--check", ".")
    run(project, "uv", "run", "--no-sync", "ruff", "check", ".")
    mypy(project)
    run(project, "uv", "run", "--no-sync", "lint-imports")
    runner = ("coverage", "run", "-m", "pytest") if coverage else ("pytest",)
    report = run(
        project,
        # `-rfEsxXp`: a summary line for every test, like `-rA`, but without the
        # captured output of the tests that passed, so a failure's report is the end
        # of the output, where a CI log's tail shows it.
        *("uv", "run", "--no-sync", *runner, "-q", "-rfEsxXp", "-p", "no:cacheprovider"),
        *tests,
        TEST_DATABASE_URL=database_url_for(database_label),
    ).stdout
    # pytest's last line sums the run up, e.g. "133 passed in 16.49s".
    summary = report.strip().splitlines()[-1]
    assert re.search(r"\b\d+ passed\b", summary), report
    for outcome in ("failed", "error", "skipped", "xfailed", "xpassed", "deselected"):
        assert outcome not in summary, report
    return report


# The rendered CI's coverage gate (tests/support/coverage_gate.py in a rendered project).
COVERAGE_GATE = ("uv", "run", "--no-sync", "python", "-m", "tests.support.coverage_gate")


def coverage_gate(project: Path) -> tuple[str, str]:
    """The rendered CI's coverage gate, after `run_project_checks(..., coverage=True)`:
    it passes. Returns the total ("91.4%") and the gate's verdict (its last line)."""
    report = run(project, *COVERAGE_GATE).stdout
    total = re.search(r"^TOTAL\s.*?(\d+(?:\.\d+)?%)$", report, re.MULTILINE)
    assert total, report
    return total[1], report.strip().splitlines()[-1]
