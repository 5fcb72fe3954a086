"""Before `copier update`: carry a template file that the new version moved to its new path.

    python move_file.py OLD NEW

Copier deletes a path that left the template, even one the user edited, and writes the
new path from the template. So, in the service's root, before copier computes the
user's changes:
- if the user edited OLD (a commit of theirs touched it), `git mv OLD NEW`: the update
  then merges their version at NEW, each of their edits showing as a conflict block;
- if they never did, `git rm OLD`: the update writes NEW as the template has it now,
  without a conflict (moving it would make every line the template changed since the
  user's version a conflict, there being no common ancestor to merge from).

A commit that touched `.copier-answers.yml` too is copier's (a scaffold or an update),
not an edit of the user's. Run by copier (`_migrations` in copier.yml); standard
library and git only.
"""

import subprocess
import sys
from pathlib import Path

ANSWERS = ".copier-answers.yml"


def git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], capture_output=True, text=True, check=True).stdout


def edited_by_the_user(path: str) -> bool:
    for commit in git("log", "--format=%H", "--", path).split():
        touched = git("diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit)
        if ANSWERS not in touched.split("\n"):
            return True
    return False


def main(old: str, new: str) -> int:
    if not Path(old).is_file() or Path(new).exists():
        return 0
    if edited_by_the_user(old):
        git("mv", old, new)
        print(f"move_file: {old} -> {new}, with your edits (resolve the conflict blocks)")
    else:
        git("rm", "-q", old)
        print(f"move_file: {old} is now {new}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
