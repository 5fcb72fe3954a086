import shutil
from pathlib import Path

import pytest

from tests import matrix
from tests.helpers import copy_worktree, snapshot_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, committed into a scratch repository."""
    return snapshot_template(tmp_path_factory.mktemp("template") / "repo")


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
