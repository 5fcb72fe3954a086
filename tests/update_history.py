"""A scratch template repository with several tagged versions, built from the working tree.

PRE    the working tree with every move in MOVES undone: the layout before them
CURRENT the working tree as it is
NEXT   CURRENT plus changes a later release could make: a bumped pre-commit hook and
       a new .editorconfig (template-owned), a retitled route in the example resource
       (the user's: an update must leave it alone)
"""

import re
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import commit_all, copy_worktree, git

PRE = "v0.0.9"
CURRENT = "v0.1.0"
NEXT = "v0.2.0"


@dataclass(frozen=True)
class Move:
    """A template-owned file the template moved, handled by a `_migrations` entry."""

    version: str
    old: str
    new: str


# Every `_migrations` entry of copier.yml; tests/test_update.py checks the two agree.
MOVES = (Move("0.1.0", "tests/api/test_routes.py", "tests/api/test_route_contracts.py"),)

PRE_COMMIT_HOOKS_REV = re.compile(
    r"(- repo: https://github.com/pre-commit/pre-commit-hooks\n\s+)rev: v(\d+)\.(\d+)\.(\d+)"
)
EDITORCONFIG = """root = true

[*]
charset = utf-8
end_of_line = lf
insert_final_newline = true
trim_trailing_whitespace = true
"""


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a file, failing loudly when the text to replace is not there exactly once."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new))


def pre_commit_rev(text: str) -> str:
    match = PRE_COMMIT_HOOKS_REV.search(text)
    assert match, "the pre-commit-hooks entry moved; update tests/update_history.py"
    return f"rev: v{match[2]}.{match[3]}.{match[4]}"


def bumped_pre_commit_rev(text: str) -> str:
    """The pre-commit-hooks `rev:` line as NEXT has it: one minor version up."""
    match = PRE_COMMIT_HOOKS_REV.search(text)
    assert match, "the pre-commit-hooks entry moved; update tests/update_history.py"
    return f"rev: v{match[2]}.{int(match[3]) + 1}.0"


@dataclass(frozen=True)
class History:
    repo: Path
    current_pre_commit_rev: str

    def template_file(self, relative: str) -> Path:
        """The template's copy of a file rendered verbatim (no Jinja in name or body)."""
        path = self.repo / "template" / relative
        assert path.is_file(), path
        return path

    @property
    def next_editorconfig(self) -> Path:
        return self.template_file(".editorconfig")


def source_suffix(template: Path, rendered: str) -> str:
    """'.jinja' when the template renders this path from a Jinja file, else ''."""
    for suffix in ("", ".jinja"):
        if (template / f"{rendered}{suffix}").is_file():
            return suffix
    raise AssertionError(f"no source for {rendered} in the template; update MOVES")


def build_history(repo: Path) -> History:
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    copy_worktree(repo)
    template = repo / "template"

    sources = {move: source_suffix(template, move.new) for move in MOVES}
    for move, suffix in sources.items():
        (template / f"{move.new}{suffix}").rename(template / f"{move.old}{suffix}")
    commit_all(repo, "the layout before the moves", tag=PRE)
    for move, suffix in reversed(sources.items()):
        (template / f"{move.old}{suffix}").rename(template / f"{move.new}{suffix}")
    commit_all(repo, "the working tree", tag=CURRENT)

    pre_commit = template / ".pre-commit-config.yaml"
    current_rev = pre_commit_rev(pre_commit.read_text())
    replace_once(pre_commit, current_rev, bumped_pre_commit_rev(pre_commit.read_text()))
    (template / ".editorconfig").write_text(EDITORCONFIG)
    [items_router] = (template / "src" / "{{package_name}}" / "api" / "routers").glob("*items.py*")
    replace_once(items_router, 'summary="Get an item"', 'summary="Get one item"')
    commit_all(
        repo, "a later release: newer hooks, an .editorconfig, the example retitled", tag=NEXT
    )
    return History(repo=repo, current_pre_commit_rev=current_rev)
