"""Render the template across the answer matrix and run each project's own checks.

- Full runs (tests/matrix.py: defaults, all-on, all-off and a pairwise-covering
  set, plus custom names): install with uv (one shared cache), then run exactly
  what the rendered README tells users to run: ruff format --check, ruff check,
  mypy (strict), lint-imports and pytest against the local PostgreSQL and Redis.
- Every other valid combination: rendered, then ruff format --check, ruff check
  and a byte-compile, in batches.
- Newer Python floors: rendered and statically checked (uv may not download
  Python here, so they cannot be installed).
"""

import compileall
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import matrix
from tests.helpers import (
    coverage_gate,
    project_env,
    render,
    run,
    run_project_checks,
    uv_sync,
)

FULL_RUNS: dict[str, dict[str, Any]] = {
    **matrix.full_runs(),
    "custom-names": {
        "project_name": "Orders API",
        "project_slug": "orders-api",
        "package_name": "orders_api_service_long_name_x",
        "description": "Takes orders and keeps them.",
        "author_name": "Platform Team",
        "author_email": "platform@example.org",
    },
}
STATIC_RUNS: dict[str, dict[str, Any]] = {
    "python-3.12": {"python_version": "3.12", "project_name": "Py Twelve"},
    "python-3.13": {"python_version": "3.13", "project_name": "Py Thirteen", **matrix.all_on()},
    # The shortest and longest package names shift line lengths the most.
    "short-package": {"project_name": "Ab", "package_name": "ab", **matrix.all_on()},
    "long-package": {"package_name": "a_package_name_of_thirty_chars", **matrix.all_on()},
    # A package that sorts after `tests` must not change the tests' import order.
    "late-package": {"project_name": "Warehouse", **matrix.all_on()},
    # The deployment options change no Python; tests/test_deployment.py validates their files.
    "kubernetes-no-docker-no-ci": {"kubernetes": True, "docker": False, "ci": "none"},
}
SWEEP_BATCHES = 4
# The full runs that run their tests under coverage, as the rendered CI does, and then
# CI's gate; coverage makes a run about 30% slower, so the rest run plain pytest. The
# lowest figure (all-off), SQLite, and every option on. Every full run reached the floor
# when it was set (docs/options.md gives the figures).
COVERAGE_RUNS = frozenset({"all-off", "sqlite-tracing-sentry", "all-on"})
# pytest's `record_property` fixture.
RecordProperty = Callable[[str, object], None]
LEFTOVER_JINJA = re.compile(r"\{\{-?\s*[A-Za-z_]|\{%-?\s*[a-z]")
# GitHub Actions expressions are meant to stay.
ACTIONS_EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


def assert_fully_rendered(project: Path) -> None:
    for path in project.rglob("*"):
        assert not path.name.endswith(".jinja"), path
        assert not LEFTOVER_JINJA.search(path.name), path
        if path.is_file() and ".git" not in path.parts:
            text = ACTIONS_EXPRESSION.sub("", path.read_text())
            assert not LEFTOVER_JINJA.search(text), f"unrendered Jinja in {path}"


def ruff(cwd: Path, *args: str) -> None:
    ruff_binary = shutil.which("ruff")
    assert ruff_binary, "ruff must be installed in the template's environment"
    run(cwd, ruff_binary, *args)


def test_matrix_covers_every_pair_of_option_values() -> None:
    runs = list(matrix.full_runs().values())
    covered = set().union(*(matrix.pairs(answers) for answers in runs))
    everything = set().union(*(matrix.pairs(a) for a in matrix.all_combinations()))

    assert everything - covered == set()
    assert len(runs) + len(matrix.sweep()) == len(list(matrix.all_combinations()))


def audit_workflows(project: Path) -> None:
    """The rendered CI and Dependabot config pass zizmor's security audit (pinned actions,
    permissions, a cooldown for updates, ...).

    tests/test_deployment.py checks it against the workflow schema. actionlint itself
    runs in the rendered CI: its PyPI wrapper cannot be built without GitHub access.
    """
    workflows = sorted(str(path) for path in (project / ".github" / "workflows").glob("*.y*ml"))
    assert workflows, "the project has no workflows"
    assert shutil.which("zizmor"), "zizmor must be installed in the template's environment"
    dependabot = [str(path) for path in (project / ".github").glob("dependabot.y*ml")]
    run(project, "zizmor", "--offline", *workflows, *dependabot)


@pytest.mark.parametrize("name", sorted(STATIC_RUNS))
def test_newer_python_floors_and_extreme_names_render_clean(
    template: Path, tmp_path: Path, name: str
) -> None:
    project = render(template, tmp_path / name, STATIC_RUNS[name])

    assert_fully_rendered(project)
    python = STATIC_RUNS[name].get("python_version", "3.11")
    assert f'requires-python = ">={python}"' in (project / "pyproject.toml").read_text()
    assert (project / ".python-version").read_text().strip() == python
    ruff(project, "format", "--check", ".")
    ruff(project, "check", ".")
    if STATIC_RUNS[name].get("ci", "github") == "github":
        audit_workflows(project)


@pytest.mark.parametrize("batch", range(SWEEP_BATCHES))
def test_every_other_combination_renders_lint_clean(
    template_directory: Path, tmp_path: Path, batch: int
) -> None:
    combinations = matrix.sweep()[batch::SWEEP_BATCHES]
    projects = []
    for index, answers in enumerate(combinations):
        project = render(template_directory, tmp_path / f"p{index}", answers, vcs_ref=None)
        assert_fully_rendered(project)
        projects.append(project)

    ruff(tmp_path, "format", "--check", *map(str, projects))
    ruff(tmp_path, "check", *map(str, projects))
    for project, answers in zip(projects, combinations, strict=True):
        assert compileall.compile_dir(project, quiet=1, force=True), answers


@pytest.mark.parametrize("name", sorted(FULL_RUNS))
def test_rendered_project_passes_its_own_checks(
    template: Path, tmp_path: Path, name: str, record_property: RecordProperty
) -> None:
    project = render(template, tmp_path / name, FULL_RUNS[name])
    assert_fully_rendered(project)

    run_project_checks(project, name, coverage=name in COVERAGE_RUNS)
    if name in COVERAGE_RUNS:
        total, verdict = coverage_gate(project)
        assert verdict.endswith("reaches the floor of 85%."), verdict
        # Printed at the end of the run (tests/conftest.py), beside the floor.
        record_property("coverage", total)


def test_the_coverage_gate_fails_ci_when_coverage_drops(
    template_directory: Path, tmp_path: Path
) -> None:
    """With one test file left (the rest deleted, say), the rendered CI's gate refuses."""
    project = render(template_directory, tmp_path / "gate", matrix.full_runs()["all-off"], None)
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    steps = [step["run"] for step in workflow["jobs"]["test"]["steps"] if "run" in step]
    sync, tests, gate_command, _html = steps
    assert (sync, tests, gate_command) == (
        "uv sync --locked",
        "uv run coverage run -m pytest",
        "uv run python -m tests.support.coverage_gate",
    )
    uv_sync(project)  # no lock file yet to be --locked to
    run(project, *tests.split(), "-q", "-p", "no:cacheprovider", "tests/api/test_health.py")

    gate = subprocess.run(
        gate_command.split(),
        cwd=project,
        capture_output=True,
        text=True,
        env=project_env(),
        check=False,
    )

    assert gate.returncode == 2, gate.stdout + gate.stderr
    assert "is below the floor of 85%." in gate.stdout, gate.stdout
