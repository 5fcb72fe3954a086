"""`copier update` from real earlier commits of this repository to the working tree.

For each start (tests/real_history.py says why each commit is there) and each answer
set, three services are made and committed, their users do what users do (keep the
example; edit it and add a resource; delete it), and each is updated to the working
tree with the copier CLI, as the docs tell users to. Every update must merge without a
conflict marker or a .rej file and keep what the user did. Then the sampled services
run every check their README lists (uv sync, ruff format --check, ruff check, strict
mypy, lint-imports, pytest on a real PostgreSQL); the others run ruff on the result.
FULL_CHECKS says which ones, chosen so that each user and each answer set runs in full
at least once, and so do the release and HEAD~1.
"""

from pathlib import Path

import pytest
import yaml

from tests.helpers import (
    ROOT,
    commit_all,
    coverage_gate,
    git,
    render,
    run,
    run_project_checks,
    tracked,
)
from tests.real_history import (
    ALL_ON_STARTS,
    ANSWER_SETS,
    DEFAULT_STARTS,
    DELETED,
    EDITED,
    KEPT,
    USERS,
    Start,
    example_files,
    make_user,
    resolve,
)
from tests.test_update import files_with_markers

PACKAGE = "my_service"
# (answer set, start) -> the user whose service runs every check; the rest run ruff.
FULL_CHECKS = {
    ("defaults", "33727ff"): DELETED,
    ("defaults", "5b1d9a8"): EDITED,
    ("defaults", "HEAD"): KEPT,
    ("all-on", "8e04408"): EDITED,
    ("all-on", "5b1d9a8"): DELETED,
    ("all-on", "HEAD"): KEPT,
}
# The full check that also runs the rendered CI's coverage gate (coverage makes a run
# about 30% slower): the oldest start, whose user deleted the example, as the lowest.
GATED = ("defaults", "33727ff")
CASES = [("defaults", start) for start in DEFAULT_STARTS] + [
    ("all-on", start) for start in ALL_ON_STARTS
]


def copier(project: Path, *arguments: str) -> None:
    """The copier CLI of this repository's environment, as a user runs it."""
    run(project, "copier", *arguments, "--trust", "--defaults", "--quiet")


def scaffold(template: Path, destination: Path, commit: str, answers: dict[str, object]) -> Path:
    render(template, destination, {**answers}, vcs_ref=commit)
    git(destination, "init", "-q")
    commit_all(destination, "Scaffold from template")
    return destination


def assert_update_kept_the_users_work(
    project: Path, user: str, before: dict[str, bytes], example: list[str]
) -> None:
    assert git(project, "diff", "--name-only", "--diff-filter=U") == ""
    assert sorted(str(path.relative_to(project)) for path in project.rglob("*.rej")) == []
    assert files_with_markers(project) == []
    if user == DELETED:
        gone = [path for path in example if not path.startswith("migrations/")]
        assert [path for path in gone if (project / path).exists()] == []
    else:
        # The example (and the tests that drive it) are the user's: never rewritten.
        changed = [path for path in example if (project / path).read_bytes() != before[path]]
        assert changed == []
    if user == EDITED:
        for path in (
            f"src/{PACKAGE}/api/routers/widgets.py",
            f"src/{PACKAGE}/models/widget.py",
            f"src/{PACKAGE}/services/widgets.py",
            "tests/api/test_widgets.py",
            "migrations/versions/2026-12-01_0002_create_widget.py",
        ):
            assert (project / path).read_bytes() == before[path], path
        assert "widgets" in (project / f"src/{PACKAGE}/api/router.py").read_text()


def ruff(project: Path) -> None:
    """The cheap checks, with this repository's ruff and the service's own configuration."""
    run(project, "ruff", "format", "--check", ".")
    run(project, "ruff", "check", "--no-cache", ".")


@pytest.mark.parametrize(
    ("answer_set", "start"), CASES, ids=[f"{label}-from-{start.commit}" for label, start in CASES]
)
def test_update_from_real_history_keeps_every_service_working(
    history_template: Path, tmp_path: Path, answer_set: str, start: Start
) -> None:
    commit = resolve(history_template, start)
    new_commit = git(history_template, "describe", "--tags", "HEAD").strip()
    full = FULL_CHECKS.get((answer_set, start.commit))
    for user in USERS:
        project = scaffold(history_template, tmp_path / user, commit, ANSWER_SETS[answer_set])
        example = example_files(project, PACKAGE)
        make_user(project, PACKAGE, user)
        before = tracked(project)

        copier(project, "update", "--vcs-ref", "HEAD")

        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["_commit"] == new_commit
        assert_update_kept_the_users_work(project, user, before, example)
        if user == full:
            label = f"history {answer_set} {start.commit} {user}"
            gated = (answer_set, start.commit) == GATED
            run_project_checks(project, label, coverage=gated)
            if gated:
                # The rendered CI's coverage gate passes too: the service predates it, so
                # has no floor (tests/adopted_practices.py is its own), and is under 85%.
                _, verdict = coverage_gate(project)
                assert "No floor" in verdict, verdict
        else:
            ruff(project)


def test_every_start_is_a_commit_of_this_history() -> None:
    starts = {start.commit for start in (*DEFAULT_STARTS, *ALL_ON_STARTS)} - {"HEAD"}
    for commit in starts:
        assert git(ROOT, "cat-file", "-t", commit).strip() == "commit", commit
    assert {start for _, start in FULL_CHECKS} <= starts | {"HEAD"}
    sampled = {(label, user) for (label, _), user in FULL_CHECKS.items()}
    assert sampled == {(label, user) for label in ANSWER_SETS for user in USERS}
