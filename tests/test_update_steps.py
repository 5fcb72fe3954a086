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


@pytest.mark.parametrize("answers", ANSWERS, ids=lambda a: "-".join(map(str, a.values())))
def test_an_untouched_old_router_becomes_exactly_the_new_one(answers: dict[str, object]) -> None:
    old = render_router(git(ROOT, "show", f"{OLD_SHAPE_RELEASE}:{ROUTER}"), answers)
    new = render_router((ROOT / ROUTER).read_text(), answers)

    assert step("router_registry").converted(old) == new


def test_the_users_routers_keep_their_order_and_options() -> None:
    old = render_router(git(ROOT, "show", f"{OLD_SHAPE_RELEASE}:{ROUTER}"), ANSWERS[0])
    old = old.replace("import items\n", "import items, orders, widgets\n") + (
        "api_router.include_router(widgets.router)\n"
        'api_router.include_router(orders.router, prefix="/shop", tags=["shop"])\n'
    )

    new = step("router_registry").converted(old)

    assert new is not None
    assert new.endswith(
        "    app.include_router(items.router, prefix=API_V1)\n"
        "    app.include_router(widgets.router, prefix=API_V1)\n"
        '    app.include_router(orders.router, prefix=API_V1 + "/shop", tags=["shop"])\n'
    )
    assert "from svc.api.routers import items, orders, widgets\n" in new
    compile(new, "router.py", "exec")


def test_a_router_file_with_more_than_its_registry_is_left_to_a_person() -> None:
    old = render_router(git(ROOT, "show", f"{OLD_SHAPE_RELEASE}:{ROUTER}"), ANSWERS[0])

    assert step("router_registry").converted(old + "\nVERSION = 2\n") is None


def test_a_router_already_in_the_new_shape_is_not_touched() -> None:
    new = render_router((ROOT / ROUTER).read_text(), ANSWERS[0])

    assert step("router_registry").converted(new) is None


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
