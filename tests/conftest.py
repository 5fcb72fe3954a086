import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from tests import matrix
from tests.helpers import ROOT, RUN_CACHE, copy_worktree, snapshot_template
from tests.real_history import template_with_history


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, committed into a scratch repository."""
    return snapshot_template(tmp_path_factory.mktemp("template") / "repo")


@pytest.fixture(scope="session")
def history_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's real history, tags restored, with the working tree on top."""
    return template_with_history(tmp_path_factory.mktemp("real-history") / "template")


@pytest.fixture(scope="session")
def template_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree as a plain directory: copier renders it without cloning (faster)."""
    directory = tmp_path_factory.mktemp("template") / "plain"
    directory.mkdir()
    copy_worktree(directory)
    shutil.rmtree(directory / ".git", ignore_errors=True)
    return directory


def pytest_configure(config: pytest.Config) -> None:
    """One directory per run that every xdist worker shares (tests/helpers.py: uv_sync, mypy).

    Made by the controlling process before it starts the workers, which inherit its
    environment; a run of its own is never handed another run's.
    """
    if not hasattr(config, "workerinput"):
        os.environ[RUN_CACHE] = tempfile.mkdtemp(prefix="template-tests-run-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and RUN_CACHE in os.environ:
        shutil.rmtree(os.environ.pop(RUN_CACHE), ignore_errors=True)


# The tests that take minutes (--durations), started first so that no worker starts one
# while the other has nothing left. Only the order changes: every test still runs.
LONGEST_FIRST = (
    "tests/test_resources.py::test_a_resource_keeps_its_teams_edits",
    "tests/test_update_from_history.py::",
    "tests/test_update_answers.py::test_auth_turned_on_later",
    "tests/test_update.py::test_update_to_next_version",
    "tests/test_render.py::test_rendered_project_passes_its_own_checks",
    "tests/test_resources.py::test_generated_resources_pass_every_check",
    "tests/test_update_answers.py::test_an_option_turned_on_later",
    "tests/test_render.py::test_every_other_combination_renders_lint_clean",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first (LONGEST_FIRST); xdist then hands out the practices' groups first."""

    def rank(item: pytest.Item) -> int:
        prefixes = [i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)]
        return prefixes[0] if prefixes else len(LONGEST_FIRST)

    items.sort(key=rank)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which answer combinations the matrix ran, so a reader of CI output knows."""
    terminalreporter.section("answer matrix")
    for label, answers in matrix.full_runs().items():
        terminalreporter.line(f"full run  {label:<28} {answers}")
    terminalreporter.line(f"rendered and linted: {len(matrix.sweep())} further combinations")
    # Recorded by the full runs (tests/test_render.py); xdist brings them to this process.
    figures = sorted(
        (report.nodeid.rsplit("[", 1)[-1].rstrip("]"), value)
        for report in terminalreporter.stats.get("passed", [])
        for name, value in report.user_properties
        if name == "coverage"
    )
    if figures:
        terminalreporter.section("branch coverage of the full runs (CI's gate)")
        adopted = (ROOT / "template" / "tests" / "adopted_practices.py").read_text()
        floor = re.search(r"^COVERAGE_FLOOR = (\d+)$", adopted, re.MULTILINE)
        terminalreporter.line(f"{'floor (COVERAGE_FLOOR)':<28} {floor[1] if floor else '?'}%")
        for label, value in figures:
            terminalreporter.line(f"{label:<28} {value}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test proves nothing, so a run with one fails (xfail has no place here either)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != 0:
        return
    unproven = [
        report.nodeid
        for outcome in ("skipped", "xfailed", "xpassed")
        for report in reporter.stats.get(outcome, [])
    ]
    if unproven:
        reporter.write_line(f"FAILED: tests that proved nothing: {unproven}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
