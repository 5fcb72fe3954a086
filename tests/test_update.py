"""`copier update` across versions keeps the user's work and brings the template's.

Each test builds its versions from the working tree in a scratch template repository
(tests/update_history.py): PRE is the layout before the moves listed in copier.yml's
`_migrations`, CURRENT is the working tree, NEXT is the working tree plus what a later
release might change (template-owned files, and the example resource, which an update
must leave alone). Only the main scenario installs and tests the updated project; the
others check git's view of the result, which is where update bugs show.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_update

from tests.helpers import (
    COPIER_OPTIONS,
    ROOT,
    commit_all,
    copy_worktree,
    git,
    render,
    run_project_checks,
)
from tests.releases import latest
from tests.update_history import (
    CURRENT,
    MOVES,
    NEXT,
    PRE,
    History,
    build_history,
    bumped_pre_commit_rev,
    replace_once,
)

# Not the defaults, so an update that fell back to a default answer would show.
ANSWERS: dict[str, Any] = {
    "project_name": "Update Demo",
    "project_slug": "update-demo",
    "package_name": "demo_update",
    "description": "Proves that copier update keeps user edits.",
    "author_name": "Update Team",
    "author_email": "update-team@example.org",
}
PACKAGE = ANSWERS["package_name"]
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build_history(tmp_path_factory.mktemp("update-history") / "template")


def scaffold(history: History, destination: Path, version: str, data: dict[str, Any]) -> Path:
    """What a user does first: render one version and commit it."""
    render(history.repo, destination, data, vcs_ref=version)
    git(destination, "init", "-q")
    commit_all(destination, "Scaffold from template")
    return destination


def update(project: Path, version: str | None = None) -> None:
    """`copier update --trust --defaults [--vcs-ref version]`; None means the latest tag."""
    run_update(project, vcs_ref=version, overwrite=True, **COPIER_OPTIONS)


def answers(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return loaded


def project_files(project: Path) -> list[Path]:
    return [path for path in project.rglob("*") if path.is_file() and ".git" not in path.parts]


def conflicted_paths(project: Path) -> list[str]:
    return git(project, "diff", "--name-only", "--diff-filter=U").split()


def files_with_markers(project: Path) -> list[str]:
    return sorted(
        str(path.relative_to(project))
        for path in project_files(project)
        if CONFLICT_MARKER.search(path.read_text(errors="replace"))
    )


def assert_merged_cleanly(project: Path) -> None:
    assert conflicted_paths(project) == []
    assert list(project.rglob("*.rej")) == []
    assert files_with_markers(project) == []


def user_side(text: str) -> str:
    """The file as it is when every conflict is resolved in favour of the user."""
    pattern = re.compile(
        r"^<{7} before updating\n(.*?)^={7}\n.*?^>{7} after updating\n", re.MULTILINE | re.DOTALL
    )
    return pattern.sub(r"\1", text)


# --- The user's typical edits -------------------------------------------------------

WIDGET_SCHEMA = f'''"""Widgets: a resource added after scaffolding."""

from {PACKAGE}.schemas.base import AppBaseModel


class WidgetRead(AppBaseModel):
    name: str
'''
WIDGET_ROUTER = f'''"""Read-only catalogue of widget kinds."""

from fastapi import APIRouter, status

from {PACKAGE}.api.errors import error_responses
from {PACKAGE}.schemas.widget import WidgetRead

router = APIRouter(prefix="/widgets", tags=["widgets"])

CATALOGUE = (WidgetRead(name="sprocket"), WidgetRead(name="gear"))


@router.get("", status_code=status.HTTP_200_OK, summary="List widgets", responses=error_responses())
async def list_widgets() -> list[WidgetRead]:
    """Every widget kind, in catalogue order."""
    return list(CATALOGUE)
'''
WIDGET_TESTS = '''"""The widget catalogue."""

from httpx import AsyncClient


async def test_list_widgets_returns_the_catalogue(client: AsyncClient) -> None:
    response = await client.get("/api/v1/widgets")

    assert response.status_code == 200, response.text
    assert response.json() == [{"name": "sprocket"}, {"name": "gear"}]
'''
USER_FILES = {
    f"src/{PACKAGE}/schemas/widget.py": WIDGET_SCHEMA,
    f"src/{PACKAGE}/api/routers/widgets.py": WIDGET_ROUTER,
    "tests/api/test_widgets.py": WIDGET_TESTS,
}


def make_typical_edits(project: Path) -> None:
    """Add a resource, change a setting, edit the example router; then commit."""
    for relative, text in USER_FILES.items():
        (project / relative).write_text(text)
    replace_once(
        project / f"src/{PACKAGE}/api/router.py",
        f"from {PACKAGE}.api.routers import items\n",
        f"from {PACKAGE}.api.routers import items, widgets\n",
    )
    replace_once(
        project / f"src/{PACKAGE}/api/router.py",
        "    app.include_router(items.router, prefix=API_V1)\n",
        "    app.include_router(items.router, prefix=API_V1)\n"
        "    app.include_router(widgets.router, prefix=API_V1)\n",
    )
    replace_once(
        project / f"src/{PACKAGE}/core/settings/app.py",
        "max_body_bytes: Annotated[int, Field(gt=0)] = 1_048_576",
        "max_body_bytes: Annotated[int, Field(gt=0)] = 2_097_152",
    )
    replace_once(
        project / ".env.example", "APP_MAX_BODY_BYTES=1048576", "APP_MAX_BODY_BYTES=2097152"
    )
    replace_once(
        project / f"src/{PACKAGE}/api/routers/items.py",
        'summary="List items"',
        'summary="Items page"',
    )
    commit_all(project, "Add widgets, allow 2 MiB bodies, retitle the items listing")


# --- Tests ----------------------------------------------------------------------------


def test_update_to_next_version_keeps_user_edits_and_applies_template_changes(
    history: History, tmp_path: Path
) -> None:
    project = scaffold(history, tmp_path / "update-demo", CURRENT, ANSWERS)
    make_typical_edits(project)
    edited = {path: path.read_bytes() for path in project_files(project)}

    update(project)

    assert_merged_cleanly(project)
    assert answers(project)["_commit"] == NEXT
    assert {key: answers(project)[key] for key in ANSWERS} == ANSWERS
    # The user's edits are all there ...
    for relative, text in USER_FILES.items():
        assert (project / relative).read_text() == text
    router = (project / f"src/{PACKAGE}/api/router.py").read_text()
    assert "import items, widgets\n" in router
    assert "app.include_router(widgets.router, prefix=API_V1)\n" in router
    assert "= 2_097_152" in (project / f"src/{PACKAGE}/core/settings/app.py").read_text()
    assert "APP_MAX_BODY_BYTES=2097152" in (project / ".env.example").read_text()
    # The example resource is the user's: NEXT retitled one of its routes, the update did not.
    items_router = project / f"src/{PACKAGE}/api/routers/items.py"
    assert items_router.read_bytes() == edited[items_router]
    assert 'summary="Get an item"' in items_router.read_text()
    # ... and so are the template's changes.
    pre_commit = (project / ".pre-commit-config.yaml").read_text()
    assert bumped_pre_commit_rev(edited[project / ".pre-commit-config.yaml"].decode()) in pre_commit
    assert (project / ".editorconfig").read_bytes() == (history.next_editorconfig).read_bytes()
    # Nothing else changed: the update touched only what NEXT changed.
    changed = set(git(project, "status", "--porcelain", "--untracked-files=all").splitlines())
    assert changed == {" M .copier-answers.yml", " M .pre-commit-config.yaml", "?? .editorconfig"}

    # The updated project still passes every check its README lists.
    report = run_project_checks(project, "update main scenario")
    assert "PASSED tests/api/test_widgets.py::test_list_widgets_returns" in report


def test_update_to_the_same_version_changes_nothing(history: History, tmp_path: Path) -> None:
    project = scaffold(history, tmp_path / "update-noop", CURRENT, ANSWERS)
    make_typical_edits(project)

    update(project, CURRENT)

    assert git(project, "status", "--porcelain", "--untracked-files=all", "--ignored") == ""


def test_update_of_a_line_the_user_also_changed_shows_a_conflict(
    history: History, tmp_path: Path
) -> None:
    project = scaffold(history, tmp_path / "update-conflict", CURRENT, ANSWERS)
    pre_commit = project / ".pre-commit-config.yaml"
    original = pre_commit.read_text()
    template_rev = bumped_pre_commit_rev(original)
    user_rev = "rev: v5.0.0"
    pre_commit.write_text(original.replace(history.current_pre_commit_rev, user_rev, 1))
    commit_all(project, "Pin pre-commit-hooks to v5")

    update(project)

    assert conflicted_paths(project) == [".pre-commit-config.yaml"]
    assert files_with_markers(project) == [".pre-commit-config.yaml"]
    assert list(project.rglob("*.rej")) == []
    merged = pre_commit.read_text()
    assert f"<<<<<<< before updating\n    {user_rev}\n=======\n    {template_rev}\n" in merged
    assert user_side(merged) == original.replace(history.current_pre_commit_rev, user_rev, 1)


def test_moved_file_keeps_the_users_edits_at_its_new_path(history: History, tmp_path: Path) -> None:
    old, new = MOVES[0].old, MOVES[0].new
    project = scaffold(history, tmp_path / "update-moved", PRE, ANSWERS)
    user_test = "\n\ndef test_the_users_own_contract() -> None:\n    assert True is not False\n"
    with (project / old).open("a") as file:
        file.write(user_test)
    users_version = (project / old).read_text()
    commit_all(project, "Add a contract of our own")

    update(project, CURRENT)

    assert not (project / old).exists()
    # Copier merges a moved file without a common ancestor, so each user edit is a
    # conflict block; keeping the user's side gives back exactly the user's file.
    assert conflicted_paths(project) == [new]
    assert list(project.rglob("*.rej")) == []
    assert user_side((project / new).read_text()) == users_version
    assert files_with_markers(project) == [new]


def test_moved_file_the_user_never_edited_updates_cleanly_across_versions(
    history: History, tmp_path: Path
) -> None:
    project = scaffold(history, tmp_path / "update-moved-clean", PRE, ANSWERS)
    fresh = render(history.repo, tmp_path / "fresh", ANSWERS, vcs_ref=NEXT)

    update(project)

    assert_merged_cleanly(project)
    assert answers(project)["_commit"] == NEXT
    for move in MOVES:
        assert not (project / move.old).exists()
        assert (project / move.new).read_bytes() == (fresh / move.new).read_bytes()


EXAMPLE_FILES = {
    "postgresql": [
        f"src/{PACKAGE}/api/routers/items.py",
        f"src/{PACKAGE}/models/item.py",
        f"src/{PACKAGE}/schemas/item.py",
        f"src/{PACKAGE}/services/items.py",
        "migrations/versions/2026-11-22_0001_create_item.py",
        "tests/api/test_items.py",
    ],
    "jwt": [
        f"src/{PACKAGE}/api/routers/items.py",
        f"src/{PACKAGE}/models/item.py",
        f"src/{PACKAGE}/schemas/item.py",
        f"src/{PACKAGE}/services/items.py",
        "migrations/versions/2026-11-22_0001_create_user_account_and_item.py",
        "tests/api/test_items.py",
        "tests/api/test_item_ownership.py",
    ],
    "none": [
        f"src/{PACKAGE}/api/routers/text_analyses.py",
        f"src/{PACKAGE}/schemas/text_analysis.py",
        f"src/{PACKAGE}/services/text_analysis.py",
        "tests/api/test_text_analyses.py",
    ],
}
EXAMPLE_FILES["redis"] = [
    *EXAMPLE_FILES["postgresql"],
    f"src/{PACKAGE}/api/routers/jobs.py",
    f"src/{PACKAGE}/schemas/item_archive.py",
    f"src/{PACKAGE}/services/item_archive.py",
    f"src/{PACKAGE}/tasks/items.py",
    "tests/api/test_jobs.py",
]
EXAMPLE_ANSWERS = {
    "postgresql": {},
    "jwt": {"auth": "jwt"},
    "none": {"database": "none"},
    "redis": {"redis": True},
}


@pytest.mark.parametrize("variant", sorted(EXAMPLE_FILES))
def test_example_resource_is_the_users_once_generated(
    history: History, tmp_path: Path, variant: str
) -> None:
    """Deleting the example (the usual first step of a real service) survives updates."""
    data = {**ANSWERS, **EXAMPLE_ANSWERS[variant]}
    project = scaffold(history, tmp_path / f"update-owned-{variant}", CURRENT, data)
    example = EXAMPLE_FILES[variant]
    for relative in example:
        git(project, "rm", "-q", relative)
    commit_all(project, "Drop the example resource")

    update(project)

    assert_merged_cleanly(project)
    assert answers(project)["_commit"] == NEXT
    assert [relative for relative in example if (project / relative).exists()] == []


def test_rendering_is_deterministic(template: Path, tmp_path: Path) -> None:
    def tree(project: Path) -> dict[str, tuple[int, bytes]]:
        return {
            str(path.relative_to(project)): (path.stat().st_mode, path.read_bytes())
            for path in project_files(project)
        }

    first = render(template, tmp_path / "first", ANSWERS)
    second = render(template, tmp_path / "second", ANSWERS)

    assert tree(first) == tree(second)


def test_answers_file_holds_the_answers_and_no_secret(template: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    questions = {name: spec for name, spec in config.items() if not name.startswith("_")}
    secret = {name for name, spec in questions.items() if spec.get("secret")}
    always_asked = {
        name
        for name, spec in questions.items()
        if spec.get("when", True) is True and name not in secret
    }
    may_be_asked = {name for name, spec in questions.items() if spec.get("when", True) is not False}

    project = render(template, tmp_path / "answers", ANSWERS)
    stored = set(answers(project))

    assert {"_commit", "_src_path"} | always_asked <= stored
    assert stored <= {"_commit", "_src_path"} | (may_be_asked - secret)
    # The service's own secrets go to the untracked .env, never to a tracked file.
    git(project, "init", "-q")
    git(project, "check-ignore", "-q", ".env")
    assert not (project / ".env").exists()


def test_old_versions_replay_without_extensions_or_network() -> None:
    """Replaying an old version needs nothing but copier, git and Python's standard library."""
    config = yaml.safe_load((ROOT / "copier.yml").read_text())

    assert "_jinja_extensions" not in config
    # External data only from the service itself (its answers files), never from outside.
    for path in config.get("_external_data", {}).values():
        assert not path.startswith("/"), path
        assert ".." not in path.split("/"), path
    steps = [*config.get("_migrations", []), *config.get("_tasks", [])]
    for step in steps:
        assert not re.search(r"\b(curl|wget|pip|uv|uvx|git (fetch|pull|clone))\b", step["command"])
        script = re.search(r"copier_migrations/(\w+\.py)", step["command"])
        assert script, step["command"]
        tree = ast.parse((ROOT / "copier_migrations" / script[1]).read_text())
        imported = {
            (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
            if not isinstance(node, ast.ImportFrom) or node.module
        }
        # The standard library, and what copier itself runs on.
        assert imported <= {*sys.stdlib_module_names, "jinja2", "yaml"}, imported


# The `_migrations` entries that are not moves: they run after every update, and
# tests/test_update_steps.py and tests/test_update_answers.py prove them (a resource's,
# tests/test_resources.py).
OTHER_STEPS = ("registries.py", "user_accounts_revision.py", "resource.py")


def test_every_migration_is_replayed_by_these_tests() -> None:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    migrations = config.get("_migrations", [])
    moves = [step for step in migrations if "move_file.py" in step["command"]]

    assert {step["version"] for step in moves} == {move.version for move in MOVES}
    for move in MOVES:
        assert any(f"{move.old} {move.new}" in step["command"] for step in moves), move
    others = [step for step in migrations if step not in moves]
    assert [step.get("version") for step in others] == [None] * len(OTHER_STEPS)
    for step, script in zip(others, OTHER_STEPS, strict=True):
        assert script in step["command"]
        assert "_stage == 'after'" in step["when"]


def test_latest_release_updates_cleanly_to_the_working_tree(tmp_path: Path) -> None:
    tag, commit = latest().tag, latest().commit
    repo = tmp_path / "released"
    repo.mkdir()
    git(repo, "init", "-q")
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x"], cwd=repo, input=archive.stdout, check=True)
    commit_all(repo, f"release {tag}", tag=tag)
    project = tmp_path / "update-from-release"
    render(repo, project, ANSWERS, vcs_ref=tag)
    git(project, "init", "-q")
    commit_all(project, f"Scaffold from {tag}")
    # The working tree becomes an untagged commit after the tag: <tag>.post1.dev0+g<sha>.
    for entry in repo.iterdir():
        if entry.name != ".git":
            subprocess.run(["rm", "-rf", str(entry)], check=True)
    copy_worktree(repo)
    commit_all(repo, "working tree")

    update(project, "HEAD")

    assert_merged_cleanly(project)
    assert answers(project)["_commit"] != tag
