"""Render the template with several answer sets and run each project's own checks.

A full run installs the project with uv (one shared cache), then runs exactly what
the rendered README tells its users to run: ruff format --check, ruff check, mypy
(strict) and pytest against the local PostgreSQL.
"""

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import render, run, database_url_for

# Answer sets that the machine's Python (3.11) can install and test end to end.
FULL_RUNS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "custom-names": {
        "project_name": "Orders API",
        "project_slug": "orders-api",
        "package_name": "orders_api_service_long_name_x",
        "description": "Takes orders and keeps them.",
        "author_name": "Platform Team",
        "author_email": "platform@example.org",
    },
}
# Newer floors cannot be installed here (uv may not download Python), so they are
# rendered and statically checked with the template's own ruff.
STATIC_RUNS: dict[str, dict[str, Any]] = {
    "python-3.12": {"python_version": "3.12", "project_name": "Py Twelve"},
    "python-3.13": {"python_version": "3.13", "project_name": "Py Thirteen"},
    # The shortest and longest package names shift line lengths the most.
    "short-package": {"project_name": "Ab", "package_name": "ab"},
    "long-package": {"package_name": "a_package_name_of_thirty_chars"},
}
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


def ruff(project: Path, *args: str) -> None:
    ruff_binary = shutil.which("ruff")
    assert ruff_binary, "ruff must be installed in the template's environment"
    run(project, ruff_binary, *args)


def audit_workflows(project: Path) -> None:
    """The rendered CI is valid GitHub Actions and passes zizmor's security audit.

    actionlint itself runs in the rendered CI; its PyPI wrapper cannot be built
    offline, so the schema check stands in for it here.
    """
    workflows = sorted(str(path) for path in (project / ".github" / "workflows").glob("*.y*ml"))
    assert workflows, "the project has no workflows"
    for tool in ("check-jsonschema", "zizmor"):
        assert shutil.which(tool), f"{tool} must be installed in the template's environment"
    run(project, "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    run(project, "zizmor", "--offline", *workflows)


@pytest.mark.parametrize("name", sorted(STATIC_RUNS))
def test_newer_python_floors_render_formatted_and_lint_clean(
    template: Path, tmp_path: Path, name: str
) -> None:
    project = render(template, tmp_path / name, STATIC_RUNS[name])

    assert_fully_rendered(project)
    python = STATIC_RUNS[name].get("python_version", "3.11")
    assert f'requires-python = ">={python}"' in (project / "pyproject.toml").read_text()
    assert (project / ".python-version").read_text().strip() == python
    ruff(project, "format", "--check", ".")
    ruff(project, "check", ".")
    audit_workflows(project)


@pytest.mark.parametrize("name", sorted(FULL_RUNS))
def test_rendered_project_passes_its_own_checks(template: Path, tmp_path: Path, name: str) -> None:
    project = render(template, tmp_path / name, FULL_RUNS[name])
    assert_fully_rendered(project)
    package = FULL_RUNS[name].get("package_name", "my_service")
    database_url = database_url_for(name)

    run(project, "uv", "sync", "--quiet")
    run(project, "uv", "run", "--no-sync", "ruff", "format", "--check", ".")
    run(project, "uv", "run", "--no-sync", "ruff", "check", ".")
    run(project, "uv", "run", "--no-sync", "mypy")
    result = run(
        project,
        "uv",
        "run",
        "--no-sync",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        TEST_DATABASE_URL=database_url,
    )

    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
    assert " failed" not in result.stdout, result.stdout
    assert " skipped" not in result.stdout, result.stdout
    assert (project / "src" / package / "main.py").is_file()
