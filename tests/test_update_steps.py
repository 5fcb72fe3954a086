"""The update steps in copier_migrations/ that rewrite a user's file, on their own.

tests/test_update_from_history.py runs them inside real updates; these tests pin down
what they write, for the template's answers and for the user's own lines.
"""

import importlib.util
import itertools
from pathlib import Path
from types import ModuleType

import jinja2
import pytest

from tests.helpers import ROOT, git

ROUTER = "template/src/{{package_name}}/api/router.py.jinja"
# The last release whose api/router.py has the `api_router` shape.
OLD_SHAPE_RELEASE = "5b1d9a898028d5dda319ecce604605f26134b9aa"


def step(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "copier_migrations" / f"{name}.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_router(source: str, answers: dict[str, object]) -> str:
    environment = jinja2.Environment(  # noqa: S701 - renders Python, not HTML
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )
    return environment.from_string(source).render(package_name="svc", **answers)


ANSWERS = [
    {"auth": auth, "database": database, "redis": redis}
    for auth, database, redis in itertools.product(
        ("none", "jwt"), ("postgresql", "none"), (False, True)
    )
    if not (auth == "jwt" and database == "none")
]


def old_router(answers: dict[str, object]) -> str:
    return render_router(git(ROOT, "show", f"{OLD_SHAPE_RELEASE}:{ROUTER}"), answers)


def new_router(answers: dict[str, object]) -> str:
    return render_router((ROOT / ROUTER).read_text(), answers)


ALL_EXIST = dict.fromkeys(
    ("account_recovery", "auth", "items", "jobs", "text_analyses", "users"), True
)


@pytest.mark.parametrize("answers", ANSWERS, ids=lambda a: "-".join(map(str, a.values())))
def test_an_untouched_old_router_becomes_exactly_the_new_one(answers: dict[str, object]) -> None:
    registries = step("registries")

    merged = registries.merged_router(new_router(answers), old_router(answers), "svc", ALL_EXIST)

    assert merged == new_router(answers)


def test_the_teams_routers_are_added_in_order_with_their_options() -> None:
    answers = {"auth": "jwt", "database": "postgresql", "redis": True}
    teams = old_router(answers).replace(
        "import auth, items, jobs, users\n", "import auth, items, jobs, orders, users, widgets\n"
    ) + (
        "api_router.include_router(widgets.router)\n"
        'api_router.include_router(orders.router, prefix="/shop", tags=["shop"])\n'
    )

    merged = step("registries").merged_router(new_router(answers), teams, "svc", ALL_EXIST)

    assert (
        "from svc.api.routers import account_recovery, auth, items, jobs, orders, users, widgets\n"
        in merged
    )
    assert merged.endswith(
        "    app.include_router(jobs.router, prefix=API_V1)\n"
        "    app.include_router(widgets.router, prefix=API_V1)\n"
        '    app.include_router(orders.router, prefix=API_V1 + "/shop", tags=["shop"])\n'
    )
    compile(merged, "router.py", "exec")


def test_a_router_module_the_team_deleted_is_left_out() -> None:
    answers = {"auth": "none", "database": "postgresql", "redis": True}
    teams = new_router(answers).replace("import items, jobs\n", "import jobs\n")
    exists = {**ALL_EXIST, "items": False}

    merged = step("registries").merged_router(new_router(answers), teams, "svc", exists)

    assert "items.router" not in merged
    assert "from svc.api.routers import jobs\n" in merged


def test_conflicting_model_registrations_are_all_kept() -> None:
    conflicted = (
        '"""The models."""\n\n'
        "from svc.models.item import Item\n"
        "<<<<<<< before updating\n"
        "from svc.models.widget import Widget\n\n"
        '__all__ = ["Item", "Widget"]\n'
        "=======\n"
        "from svc.models.user import User\n\n"
        '__all__ = ["Item", "User"]\n'
        ">>>>>>> after updating\n"
    )

    merged = step("registries").merged_models(conflicted)

    assert merged == (
        '"""The models."""\n\n'
        "from svc.models.item import Item\n"
        "from svc.models.user import User\n"
        "from svc.models.widget import Widget\n\n"
        '__all__ = ["Item", "User", "Widget"]\n'
    )


def test_the_models_import_no_model_whose_module_is_not_there(tmp_path: Path) -> None:
    """The team deleted the example; the template's side of the merge still imported it."""
    for module in ("account_token", "user"):
        (tmp_path / f"{module}.py").write_text("")
    models = (
        '"""The models."""\n\n'
        "from svc.models.account_token import AccountToken\n"
        "from svc.models.item import Item\n"
        "from svc.models.user import User\n\n"
        '__all__ = ["AccountToken", "Item", "User"]\n'
    )
    registries = step("registries")

    assert registries.models_that_exist(models, "svc", tmp_path) == (
        '"""The models."""\n\n'
        "from svc.models.account_token import AccountToken\n"
        "from svc.models.user import User\n\n"
        '__all__ = ["AccountToken", "User"]\n'
    )
    (tmp_path / "user.py").unlink()
    (tmp_path / "account_token.py").unlink()
    assert registries.models_that_exist(models, "svc", tmp_path).endswith(
        "\n\n__all__: list[str] = []\n"
    )


def test_the_worker_lists_no_job_whose_module_is_not_there(tmp_path: Path) -> None:
    settings = (
        "from typing import Any\n\n"
        "from svc.tasks.items import archive_sold_out_items\n"
        "from svc.tasks.reports import send_report\n\n"
        "JOBS = [archive_sold_out_items, send_report]\n"
    )
    (tmp_path / "reports.py").write_text("")
    registries = step("registries")

    assert registries.jobs_that_exist(settings, "svc", tmp_path) == (
        "from typing import Any\n\n"
        "from svc.tasks.reports import send_report\n\n"
        "JOBS = [send_report]\n"
    )
    (tmp_path / "reports.py").unlink()
    assert registries.jobs_that_exist(settings, "svc", tmp_path).endswith(
        "\n\nJOBS: list[Any] = []\n"
    )


def test_the_worker_lists_no_job_that_nothing_defines(tmp_path: Path) -> None:
    """The team deleted the example job and its import; the template's list still names it."""
    (tmp_path / "email.py").write_text("")
    settings = (
        "from typing import Any\n\n"
        "from svc.tasks.email import send_email\n\n"
        "JOBS = [archive_sold_out_items, send_email]\n"
    )

    assert step("registries").jobs_that_exist(settings, "svc", tmp_path) == (
        "from typing import Any\n\nfrom svc.tasks.email import send_email\n\nJOBS = [send_email]\n"
    )


def test_a_conflict_over_the_workers_jobs_keeps_every_job_of_both_sides(tmp_path: Path) -> None:
    conflicted = (
        "from svc.db.sessions import create_sessionmaker\n"
        "<<<<<<< before updating\n"
        "from svc.tasks.reports import send_report\n\n"
        "JOBS = [send_report]\n"
        "=======\n"
        "from svc.tasks.email import send_email\n"
        "from svc.tasks.items import archive_sold_out_items\n\n"
        "JOBS = [archive_sold_out_items, send_email]\n"
        ">>>>>>> after updating\n"
        "\nlogger = None\n"
    )
    (tmp_path / "email.py").write_text("")
    (tmp_path / "reports.py").write_text("")
    registries = step("registries")

    merged = registries.jobs_that_exist(registries.merged_jobs(conflicted), "svc", tmp_path)

    # The example's module is gone (the team deleted it): its job goes with it.
    assert merged == (
        "from svc.db.sessions import create_sessionmaker\n"
        "from svc.tasks.email import send_email\n"
        "from svc.tasks.reports import send_report\n\n"
        "JOBS = [send_report, send_email]\n"
        "\nlogger = None\n"
    )


def test_a_conflict_with_the_teams_own_code_in_it_is_left_to_the_team() -> None:
    conflicted = (
        "<<<<<<< before updating\n"
        "JOBS = [send_report]\n"
        "RETRIES = 5\n"
        "=======\n"
        "JOBS = [send_email]\n"
        ">>>>>>> after updating\n"
    )

    assert step("registries").merged_jobs(conflicted) == conflicted


def test_a_move_tells_the_users_edits_from_copiers_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """move_file.py: a file only copier's commits touched is removed, not moved."""
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    (tmp_path / ".copier-answers.yml").write_text("_commit: v0\n")
    (tmp_path / "old.py").write_text("x = 1\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "Scaffold")
    (tmp_path / "edited.py").write_text("y = 1\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "Ours")
    move_file = step("move_file")

    assert move_file.edited_by_the_user("old.py") is False
    assert move_file.edited_by_the_user("edited.py") is True
