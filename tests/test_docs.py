"""The documentation site builds with `mkdocs build --strict` and documents every question."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import ROOT, render
from tests.matrix import all_on

# Between them, every option's test files.
RENDERS_FOR_CITATIONS = {
    # Every option's code, with a database.
    "everything": all_on(),
    "no-database": {"database": "none", "redis": True},
}


def build_site(source: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of the mkdocs.yml in `source`, into `site`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_docs_build_strictly(tmp_path: Path) -> None:
    result = build_site(ROOT, tmp_path / "site")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "deployment" / "index.html").is_file()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    with (tmp_path / "docs" / "faq.md").open("a") as faq:
        faq.write("\nSee [the missing page](no-such-page.md).\n")

    result = build_site(tmp_path, tmp_path / "site")

    assert result.returncode != 0
    assert "no-such-page.md" in result.stderr


def test_every_question_is_documented() -> None:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    asked = [
        name
        for name, spec in config.items()
        if not name.startswith("_") and spec.get("when") is not False
    ]
    headings = "\n".join(
        line
        for line in (ROOT / "docs" / "options.md").read_text().splitlines()
        if line.startswith("#")
    )

    undocumented = [name for name in asked if not re.search(rf"`{name}`", headings)]
    assert undocumented == []


def functions_by_test_file(root: Path) -> dict[str, set[str]]:
    """Each test file under `root`/tests, with the names of the test functions in it."""
    found = {}
    for path in (root / "tests").rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        found[path.relative_to(root).as_posix()] = names
    return found


def test_the_practices_catalogue_cites_only_real_checks(
    template_directory: Path, tmp_path: Path
) -> None:
    """Every test file and test the catalogue names exists in a rendered project (with
    the options that bring it) or in this repository, so a renamed test cannot leave
    a rule pointing at nothing."""
    files = functions_by_test_file(ROOT)
    for label, answers in RENDERS_FOR_CITATIONS.items():
        project = render(template_directory, tmp_path / label, answers, vcs_ref=None)
        files.update(functions_by_test_file(project))
    names = set().union(*files.values())
    catalogue = (ROOT / "docs" / "practices.md").read_text()

    cited_files = set(re.findall(r"\btests/[\w/]+\.py\b", catalogue))
    cited_tests = set(re.findall(r"\btest_\w+", catalogue)) - {
        Path(path).stem for path in cited_files
    }

    assert cited_files
    assert cited_tests
    assert sorted(cited_files - set(files)) == []
    assert sorted(cited_tests - names) == []
