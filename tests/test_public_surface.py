"""The template's public surface: what a service's own code may import, kept working.

A service's own code (its resources, the example it edited, its tests) imports names
from modules the template owns and rewrites on every update: the base schemas, errors,
dependencies, the session, pagination, security, settings and the test fixtures. Every
name such a module defined at a release, or at the commit before the working tree (for
services that track main), must still be defined now, with the same answers: a name
that is replaced stays, deprecated, until the next major version. docs/updating.md
lists the surface.
"""

import ast
from pathlib import Path

import pytest

from tests.helpers import render
from tests.real_history import ANSWER_SETS, Start, resolve
from tests.releases import RELEASES

PUBLIC_MODULES = (
    "src/{pkg}/api/deps.py",
    "src/{pkg}/api/errors.py",
    "src/{pkg}/api/pagination.py",
    "src/{pkg}/api/rate_limit.py",
    "src/{pkg}/api/redis.py",
    "src/{pkg}/api/security.py",
    "src/{pkg}/api/session.py",
    "src/{pkg}/core/config.py",
    "src/{pkg}/core/errors.py",
    "src/{pkg}/core/rate_limit.py",
    "src/{pkg}/core/security.py",
    "src/{pkg}/core/settings/base.py",
    "src/{pkg}/db/base.py",
    "src/{pkg}/schemas/base.py",
    "src/{pkg}/schemas/pagination.py",
    "src/{pkg}/services/job_queue.py",
    "src/{pkg}/services/redis_health.py",
    "tests/conftest.py",
    "tests/support/*.py",
)
PACKAGE = "my_service"
REFERENCES = [
    *(Start(release.commit, f"release {release.tag}") for release in RELEASES),
    Start("HEAD", "HEAD~1 of the working tree"),
]


def defined_names(module: Path) -> set[str]:
    """The public names a module defines itself (not those it imports)."""
    names = set()
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


def surface(project: Path) -> dict[str, set[str]]:
    modules = {}
    for pattern in PUBLIC_MODULES:
        for module in project.glob(pattern.format(pkg=PACKAGE)):
            modules[str(module.relative_to(project))] = defined_names(module)
    return modules


@pytest.mark.parametrize("answer_set", sorted(ANSWER_SETS))
@pytest.mark.parametrize("reference", REFERENCES, ids=lambda start: start.why)
def test_every_public_name_of_an_earlier_version_is_still_defined(
    history_template: Path, tmp_path: Path, reference: Start, answer_set: str
) -> None:
    answers = ANSWER_SETS[answer_set]
    old = render(history_template, tmp_path / "old", answers, resolve(history_template, reference))
    new = render(history_template, tmp_path / "new", answers, vcs_ref="HEAD")

    old_surface, new_surface = surface(old), surface(new)
    missing = {
        module: sorted(names - new_surface.get(module, set()))
        for module, names in old_surface.items()
        if names - new_surface.get(module, set())
    }

    assert old_surface
    assert missing == {}, "keep these, deprecated, until the next major version"
