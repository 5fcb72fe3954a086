import re
import shutil
from pathlib import Path

import pytest

from tests import matrix
from tests.helpers import ROOT, copy_worktree, snapshot_template
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
