"""The documentation site builds with `mkdocs build --strict` and documents every question."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import ROOT


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
