"""Changing an answer with `copier update -d`, on a service its team has edited.

Every option is turned on later and off later, with the copier CLI, on a service whose
team edited the example and added a resource of their own (tests/real_history.py).
Turning an option on must merge cleanly and bring the option's files; the result runs
ruff, strict mypy, lint-imports and pytest (SUITES says which tests) for a Python
option, or ruff and the option's validators for deployment files. Turning it
off again must give back exactly the service as it was before it was on, which itself
runs every check (test_auth_turned_on_later...). Some changes are refused.
"""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import (
    ROOT,
    commit_all,
    database_url_for,
    git,
    render,
    run,
    run_project_checks,
    tracked,
    uv_sync,
)
from tests.real_history import EDITED, make_user
from tests.test_deployment import hadolint, kubernetes_validate, schema
from tests.test_update import assert_merged_cleanly

PACKAGE = "my_service"

# Each option, its value when off and when on, and a file that only "on" renders.
TOGGLES: dict[str, tuple[Any, Any, str]] = {
    "redis": (False, True, f"src/{PACKAGE}/worker.py"),
    "metrics": (False, True, f"src/{PACKAGE}/api/routers/metrics.py"),
    "tracing": (False, True, f"src/{PACKAGE}/core/tracing.py"),
    "sentry": (False, True, f"src/{PACKAGE}/core/sentry.py"),
    "docker": (False, True, "Dockerfile"),
    "kubernetes": (False, True, "deploy/kubernetes/deployment.yaml"),
    "ci": ("none", "github", ".github/workflows/ci.yml"),
}
DEPLOYMENT = {"docker", "kubernetes", "ci"}
# The suite that runs once an option is on: all of it for redis, which touches the most
# (settings, lifespan, router, worker); for the others, their own tests and the wiring,
# with the team's (a full run of each costs a minute and proves little more).
SUITES: dict[str, tuple[str, ...]] = {
    "redis": (),
    "metrics": ("tests/core/test_metrics.py", "tests/test_metrics_server.py"),
    "tracing": ("tests/core/test_tracing.py", "tests/db/test_tracing.py"),
    "sentry": ("tests/core/test_sentry.py",),
}
TEAMS_AND_WIRING = ("tests/api/test_widgets.py", "tests/test_app_wiring.py")


def copier_update(project: Path, *data: str) -> subprocess.CompletedProcess[str]:
    """`copier update --trust --defaults -d ...` to the template's HEAD, from PATH's copier."""
    arguments = [argument for pair in data for argument in ("-d", pair)]
    command = ["copier", "update", "--trust", "--defaults", "--quiet", "--vcs-ref", "HEAD"]
    return subprocess.run(
        [*command, *arguments], cwd=project, capture_output=True, text=True, check=False
    )


def service(template: Path, destination: Path, answers: dict[str, Any]) -> Path:
    render(template, destination, answers)
    git(destination, "init", "-q")
    commit_all(destination, "Scaffold from template")
    make_user(destination, PACKAGE, EDITED)
    return destination


def yaml_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.mark.parametrize("option", sorted(TOGGLES))
def test_an_option_turned_on_later_and_off_again(
    template: Path, tmp_path: Path, option: str
) -> None:
    off, on, only_when_on = TOGGLES[option]
    project = service(template, tmp_path / "service", {option: off})
    before = tracked(project)

    turned_on = copier_update(project, f"{option}={yaml_value(on)}")

    assert turned_on.returncode == 0, turned_on.stderr
    assert_merged_cleanly(project)
    assert (project / only_when_on).is_file()
    assert "widgets" in (project / f"src/{PACKAGE}/api/router.py").read_text()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers[option] == on
    commit_all(project, f"Turn {option} on")
    checked = shutil.copytree(project, tmp_path / "checked", ignore=shutil.ignore_patterns(".git"))
    if option in DEPLOYMENT:
        run(checked, "ruff", "format", "--check", ".")
        run(checked, "ruff", "check", "--no-cache", ".")
        validate_deployment(checked, option)
    else:
        suite = (*SUITES[option], *TEAMS_AND_WIRING) if SUITES[option] else ()
        report = run_project_checks(checked, f"answers {option} on", *suite)
        assert "PASSED tests/api/test_widgets.py::test_a_created_widget_is_listed" in report

    turned_off = copier_update(project, f"{option}={yaml_value(off)}")

    assert turned_off.returncode == 0, turned_off.stderr
    assert_merged_cleanly(project)
    assert not (project / only_when_on).exists()
    git(project, "add", "-A")
    assert tracked(project) == before


def validate_deployment(project: Path, option: str) -> None:
    if option == "docker":
        for result in (
            hadolint(project / "Dockerfile"),
            schema("vendor.compose-spec", project / "compose.yaml"),
        ):
            assert result.returncode == 0, result.stdout + result.stderr
    elif option == "kubernetes":
        manifests = sorted((project / "deploy/kubernetes").glob("*.yaml"))
        result = kubernetes_validate("1.31.0", *manifests)
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        result = schema("vendor.github-workflows", project / ".github/workflows/ci.yml")
        assert result.returncode == 0, result.stdout + result.stderr


# --- auth=jwt turned on later ------------------------------------------------------------


def psql(database_url: str, sql: str) -> str:
    result = run(
        ROOT, "psql", database_url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql
    )
    return result.stdout.strip()


# Migrates a service's own database, as its team does where its databases are.
MIGRATE = ("uv", "run", "--no-sync", "alembic", "upgrade", "head")


def empty_database(label: str) -> tuple[str, dict[str, str]]:
    """A new, empty database: its URL, and the variables that point a service at it."""
    database = database_url_for(label)
    admin, name = database.rsplit("/", 1)
    psql(f"{admin}/postgres", f'DROP DATABASE IF EXISTS "{name}"')
    psql(f"{admin}/postgres", f'CREATE DATABASE "{name}"')
    # Trust authentication on 127.0.0.1: the password is required, not checked.
    return database, {"DATABASE_NAME": name, "DATABASE_PASSWORD": "unused"}


def test_auth_turned_on_later_adds_a_revision_that_keeps_every_row(
    template: Path, tmp_path: Path
) -> None:
    project = service(template, tmp_path / "service", {})
    run_project_checks(shutil.copytree(project, tmp_path / "before"), "answers before auth")
    first_revisions = {
        path.name: path.read_bytes() for path in (project / "migrations/versions").glob("*.py")
    }
    database, environment = empty_database("answers auth later")
    uv_sync(project)
    commit_all(project, "Lock the dependencies")
    run(project, *MIGRATE, **environment)
    psql(
        database,
        "INSERT INTO item (id, name, quantity, status) VALUES"
        " (gen_random_uuid(), 'kept through the update', 3, 'active')",
    )
    psql(database, "INSERT INTO widget (id, name) VALUES (gen_random_uuid(), 'sprocket')")

    turned_on = copier_update(project, "auth=jwt")

    assert turned_on.returncode == 0, turned_on.stderr
    assert_merged_cleanly(project)
    revisions = {path.name: path for path in (project / "migrations/versions").glob("*.py")}
    # The revisions the service had are untouched; two more create the user table, then
    # add account recovery, each on top of the one before.
    assert {name: revisions[name].read_bytes() for name in first_revisions} == first_revisions
    users, recovery = sorted(set(revisions) - set(first_revisions))
    assert users.endswith("_0003_add_user_account.py")
    assert 'down_revision: str | None = "0002"' in revisions[users].read_text()
    assert recovery.endswith("_0004_add_account_recovery.py")
    assert 'down_revision: str | None = "0003"' in revisions[recovery].read_text()
    uv_sync(project)
    run(project, *MIGRATE, **environment)
    assert psql(database, "SELECT name, quantity FROM item") == "kept through the update|3"
    assert psql(database, "SELECT name FROM widget") == "sprocket"
    assert psql(database, "SELECT count(*) FROM user_account") == "0"
    assert psql(database, "SELECT count(*) FROM account_token") == "0"
    commit_all(project, "Turn auth on")
    run_project_checks(project, "answers auth later")


# --- Changes an update refuses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "change", "message"),
    [
        ({}, "database=none", "database cannot change in an update"),
        ({}, "database=sqlite", "database cannot change in an update"),
        ({"auth": "jwt"}, "auth=none", "auth=jwt cannot be turned off in an update"),
    ],
)
def test_an_answer_an_update_cannot_change_is_refused_before_anything_is_written(
    template: Path, tmp_path: Path, start: dict[str, Any], change: str, message: str
) -> None:
    project = render(template, tmp_path / "service", start)
    git(project, "init", "-q")
    commit_all(project, "Scaffold from template")
    before = tracked(project)

    refused = copier_update(project, change)

    assert refused.returncode != 0
    assert message in refused.stderr
    assert "docs/updating.md" in refused.stderr
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    assert tracked(project) == before
