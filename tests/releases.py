"""The template's releases, as releases.toml records them (oldest first).

A clone does not always carry the tags, so the tests read the releases from this file
rather than from git; scripts/restore-tags.sh recreates the tags from the same file.
"""

import tomllib
from dataclasses import dataclass

from tests.helpers import ROOT

RELEASES_FILE = ROOT / "releases.toml"


@dataclass(frozen=True)
class Release:
    tag: str
    commit: str

    @property
    def version(self) -> str:
        """The version copier sees: the tag without its leading `v`."""
        return self.tag.removeprefix("v")


def load() -> tuple[Release, ...]:
    """Every `[[release]]` table of releases.toml, in file order.

    A table with a key other than `tag` and `commit`, or without one of them, fails here
    as it fails in scripts/restore-tags.sh, which reads only those two.
    """
    entries = tomllib.loads(RELEASES_FILE.read_text())["release"]
    releases = tuple(Release(**entry) for entry in entries)
    for release in releases:
        if not (isinstance(release.tag, str) and isinstance(release.commit, str)):
            raise TypeError(f"{RELEASES_FILE.name}: tag and commit must be strings: {release}")
    return releases


RELEASES: tuple[Release, ...] = load()


def latest() -> Release:
    """The newest release: the last one recorded."""
    return RELEASES[-1]
