"""releases.toml and scripts/restore-tags.sh: every release's tag, even in a clone without tags.

copier reads a template's version from `git describe --tags`, so a user's clone of the
template must carry the tags to update from and to a release. These tests prove the
recorded releases are sound, and that the script recreates the tags in a plain clone
(which carries none, as this repository may have none) so that `git describe` gives the
release a user expects.
"""

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from tests.helpers import ROOT, git
from tests.releases import RELEASES, Release, latest

SCRIPT = Path("scripts") / "restore-tags.sh"


def tags(repo: Path) -> dict[str, str]:
    """Every tag of `repo` and the commit it names."""
    listed = git(repo, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/tags")
    peeled = {}
    for line in listed.splitlines():
        tag = line.split()[0]
        peeled[tag] = git(repo, "rev-parse", f"refs/tags/{tag}^{{commit}}").strip()
    return peeled


def put_release_files(repo: Path) -> None:
    """releases.toml and the script as they are in the working tree (maybe uncommitted)."""
    for relative in (Path("releases.toml"), SCRIPT):
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, repo / relative)


def restore_tags(repo: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the clone's own copy of the script, from a directory outside the clone."""
    return subprocess.run(
        [str(repo / SCRIPT)], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A plain clone of this repository without any tag, as a user's may be."""
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(ROOT), str(repo))
    for tag in tags(repo):
        git(repo, "tag", "-d", tag)
    put_release_files(repo)
    return repo


def test_every_release_is_a_commit_of_this_history() -> None:
    assert RELEASES
    head = git(ROOT, "rev-parse", "HEAD").strip()
    for release in RELEASES:
        assert re.fullmatch(r"[0-9a-f]{40}", release.commit), release
        assert git(ROOT, "cat-file", "-t", release.commit).strip() == "commit", release
        # On the history a clone of the default branch carries, so `git describe` finds it.
        merged = subprocess.run(
            ["git", "merge-base", "--is-ancestor", release.commit, head], cwd=ROOT, check=False
        )
        assert merged.returncode == 0, f"{release} is not an ancestor of HEAD"
        # A tag in this clone, if there is one, names the recorded commit.
        if git(ROOT, "tag", "--list", release.tag).strip():
            assert tags(ROOT)[release.tag] == release.commit, release


def test_tags_are_unique_and_versions_pep_440_and_increasing() -> None:
    assert len({release.tag for release in RELEASES}) == len(RELEASES)
    assert len({release.commit for release in RELEASES}) == len(RELEASES)
    for release in RELEASES:
        assert release.tag == f"v{release.version}", release
        # The normalized form, so the tag is spelled as copier and pip print the version.
        assert str(Version(release.version)) == release.version, release
    versions = [Version(release.version) for release in RELEASES]
    for older, newer in itertools.pairwise(versions):
        assert older < newer, f"{newer} is recorded after {older}"


def test_script_is_executable_and_posix_sh() -> None:
    script = ROOT / SCRIPT
    assert script.stat().st_mode & 0o111 == 0o111
    assert script.read_text().startswith("#!/bin/sh\n")


def test_script_recreates_every_tag_so_git_describe_gives_the_release(
    clone: Path, tmp_path: Path
) -> None:
    assert tags(clone) == {}

    result = restore_tags(clone, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"created {release.tag} {release.commit}" for release in RELEASES
    ]
    assert tags(clone) == {release.tag: release.commit for release in RELEASES}
    for release in RELEASES:
        assert git(clone, "describe", "--tags", release.commit).strip() == release.tag
    # A commit after the latest release: <tag>-<commits since it>-g<abbreviated sha>,
    # which copier reads as <version>.post<N>.dev0+g<sha>.
    git(clone, "commit", "-q", "--allow-empty", "-m", "after the latest release")
    head = git(clone, "rev-parse", "HEAD").strip()
    since = int(git(clone, "rev-list", "--count", f"{latest().tag}..HEAD").strip())
    described = git(clone, "describe", "--tags", "HEAD").strip()
    match = re.fullmatch(rf"{re.escape(latest().tag)}-(\d+)-g([0-9a-f]{{7,40}})", described)
    assert match, described
    assert int(match[1]) == since >= 1
    assert head.startswith(match[2])


def test_script_run_again_changes_nothing(clone: Path, tmp_path: Path) -> None:
    assert restore_tags(clone, cwd=tmp_path).returncode == 0
    before = git(clone, "for-each-ref", "refs/tags")

    again = restore_tags(clone, cwd=clone / "scripts")

    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"ok      {release.tag} {release.commit} (already tagged)" for release in RELEASES
    ]
    assert again.stderr == ""
    assert git(clone, "for-each-ref", "refs/tags") == before


def test_a_tag_naming_another_commit_fails_and_creates_nothing(clone: Path, tmp_path: Path) -> None:
    git(clone, "commit", "-q", "--allow-empty", "-m", "not a release")
    elsewhere = git(clone, "rev-parse", "HEAD").strip()
    moved = latest()
    git(clone, "tag", moved.tag, elsewhere)

    result = restore_tags(clone, cwd=tmp_path)

    assert result.returncode != 0
    assert f"tag {moved.tag} names commit {elsewhere}" in result.stderr
    assert moved.commit in result.stderr
    assert "created" not in result.stdout
    # Left as it was: the wrong tag stays for a person to look at, no other tag appears.
    assert tags(clone) == {moved.tag: elsewhere}


def test_a_shallow_clone_is_told_to_unshallow(clone: Path, tmp_path: Path) -> None:
    # On top of every release, so a depth-1 clone holds none of their commits.
    git(clone, "commit", "-q", "--allow-empty", "-m", "after the latest release")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", clone.as_uri(), str(shallow))
    assert git(shallow, "rev-parse", "--is-shallow-repository").strip() == "true"
    put_release_files(shallow)

    result = restore_tags(shallow, cwd=tmp_path)

    assert result.returncode != 0
    assert "git fetch --unshallow" in result.stderr
    for release in RELEASES:
        assert f"{release.tag}: commit {release.commit} is not in this clone" in result.stderr
    assert tags(shallow) == {}


def test_every_migration_is_keyed_to_a_release_or_an_unreleased_version() -> None:
    """copier runs a migration for an update that crosses its version, read from the tags.

    A version between two releases, or below the first, is one no tag will ever carry.
    """
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    released = {Version(release.version) for release in RELEASES}
    newest = Version(latest().version)
    versioned = [step for step in config.get("_migrations", []) if "version" in step]
    assert versioned
    # (A step without a version runs after every update; tests/test_update.py knows them.)
    for migration in versioned:
        version = Version(str(migration["version"]))
        assert version in released or version > newest, (
            f"migration for {version}: not a release in releases.toml, nor after {newest}"
        )


def test_release_dataclass_reads_the_version_from_the_tag() -> None:
    assert Release(tag="v1.2.3", commit="0" * 40).version == "1.2.3"
