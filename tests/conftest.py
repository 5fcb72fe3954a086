from pathlib import Path

import pytest

from tests.helpers import snapshot_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, committed into a scratch repository."""
    return snapshot_template(tmp_path_factory.mktemp("template") / "repo")
