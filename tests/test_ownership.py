"""The template's own tests do not drive the example resource, which is the user's.

A template test that used the example would fail once the user changed or deleted it,
and an update would bring it back to a service that never had it. Such a test belongs
to the example: copier.yml lists it in `_exclude` (generated once, never updated).
The example job of redis=true, which updates like the plumbing, may use it too.
"""

import re
from pathlib import Path

import pytest

from tests.helpers import render
from tests.real_history import EXAMPLE_JOB, example_files

PACKAGE = "my_service"
# The example's modules and routes, as a test would name them.
EXAMPLE = re.compile(
    r"\.(models\.item|schemas\.item|services\.items|schemas\.text_analysis|services\.text_analysis)\b"
    r"|/api/v1/(items|text-analyses)\b"
    # A client generated from the schema names the example's operations.
    r"|\bapi\.(items|text_analyses)\.(items|text_analyses)_"
)
VARIANTS = {
    "defaults": {},
    "jwt-redis": {"auth": "jwt", "redis": True},
    "none-redis": {"database": "none", "redis": True},
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_only_the_examples_own_tests_name_it(
    template_directory: Path, tmp_path: Path, variant: str
) -> None:
    project = render(template_directory, tmp_path / variant, VARIANTS[variant], vcs_ref=None)
    owned_by_the_example = {
        *example_files(project, PACKAGE),
        *(path.format(package=PACKAGE) for path in EXAMPLE_JOB),
        "tests/api/test_jobs.py",
        "tests/test_worker.py",
    }

    naming_it = sorted(
        str(path.relative_to(project))
        for path in (project / "tests").rglob("*.py")
        if EXAMPLE.search(path.read_text())
    )

    assert naming_it
    assert [path for path in naming_it if path not in owned_by_the_example] == []
