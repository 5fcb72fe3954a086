#!/bin/sh
# Recreate the release tags recorded in releases.toml, in this clone of the template.
#
# A clone does not always carry tags (a mirror, a CI checkout, a fork), and copier reads
# a template's version from `git describe --tags`. For each recorded release this
# creates the tag (lightweight: no identity needed) at its commit when it is missing,
# and says so when it is already right. It changes nothing, and exits 1, when a tag
# names another commit or a commit is not in the clone. Running it again is harmless.
# No network, no Python: run it from anywhere, `sh scripts/restore-tags.sh`.
set -eu

root=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
cd "$root"
file=releases.toml
[ -f "$file" ] || { echo "error: $root/$file not found" >&2; exit 1; }

# The file's simple TOML, as "tag commit" lines in file order: each [[release]] table
# holds one `tag = "..."` and one `commit = "..."`; comments and blank lines are skipped.
value() {  # the quoted value of `$1 = "..."` on stdin, if the line is that key
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\\([^\"]*\\)\"[[:space:]]*\\(#.*\\)\\{0,1\\}\$/\\1/p"
}
releases=
tag=
commit=
in_release=false
line_number=0
finish_release() {
  if $in_release; then
    if [ -z "$tag" ] || [ -z "$commit" ]; then
      echo "error: $file: the [[release]] ending at line $line_number needs a tag and a commit" >&2
      exit 1
    fi
    releases="$releases$tag $commit
"
  fi
  tag=
  commit=
}
while IFS= read -r line || [ -n "$line" ]; do
  line_number=$((line_number + 1))
  trimmed=$(printf '%s\n' "$line" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
  case $trimmed in
    '' | '#'*) continue ;;
    '[[release]]' | '[[release]]'[[:space:]]*'#'*)
      finish_release
      in_release=true
      continue ;;
  esac
  if ! $in_release; then
    echo "error: $file:$line_number: expected [[release]], found: $line" >&2
    exit 1
  fi
  found=$(printf '%s\n' "$line" | value tag)
  if [ -n "$found" ]; then
    [ -z "$tag" ] || { echo "error: $file:$line_number: a second tag in one release" >&2; exit 1; }
    tag=$found
    continue
  fi
  found=$(printf '%s\n' "$line" | value commit)
  if [ -n "$found" ]; then
    [ -z "$commit" ] || { echo "error: $file:$line_number: a second commit in one release" >&2; exit 1; }
    commit=$found
    continue
  fi
  echo "error: $file:$line_number: expected tag = \"...\" or commit = \"...\", found: $line" >&2
  exit 1
done < "$file"
line_number=$((line_number + 1))
finish_release
[ -n "$releases" ] || { echo "error: $file records no release" >&2; exit 1; }

# First check every release, so that a problem leaves the clone as it was.
problems=0
shallow=$(git rev-parse --is-shallow-repository)
seen=" "
while read -r tag commit; do
  [ -n "$tag" ] || continue
  case $seen in
    *" $tag "*)
      echo "error: $file records $tag twice" >&2
      problems=$((problems + 1))
      continue ;;
  esac
  seen="$seen$tag "
  if ! git check-ref-format "refs/tags/$tag"; then
    echo "error: $file: $tag is not a valid tag name" >&2
    problems=$((problems + 1))
    continue
  fi
  case $commit in
    *[!0-9a-f]*)
      valid=false ;;
    *)
      [ ${#commit} -eq 40 ] && valid=true || valid=false ;;
  esac
  if ! $valid; then
    echo "error: $file: $tag: $commit is not a full 40-character commit id" >&2
    problems=$((problems + 1))
    continue
  fi
  if ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
    if [ "$shallow" = true ]; then
      echo "error: $tag: commit $commit is not in this clone, which is shallow;" \
        "run \`git fetch --unshallow\`, then this script again" >&2
    else
      echo "error: $tag: commit $commit is not in this clone;" \
        "fetch the branch that holds it (\`git fetch origin\`), then run this script again" >&2
    fi
    problems=$((problems + 1))
    continue
  fi
  if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
    existing=$(git rev-parse -q --verify "refs/tags/$tag^{commit}") || existing="no commit"
    if [ "$existing" != "$commit" ]; then
      echo "error: tag $tag names commit $existing, but $file records $commit" \
        "for it; a release's tag never moves: find out which is wrong before" \
        "deleting the tag (\`git tag -d $tag\`)" >&2
      problems=$((problems + 1))
    fi
  fi
done <<RELEASES
$releases
RELEASES
if [ "$problems" -gt 0 ]; then
  echo "error: $problems problem(s); no tag was created" >&2
  exit 1
fi

while read -r tag commit; do
  [ -n "$tag" ] || continue
  if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
    echo "ok      $tag $commit (already tagged)"
  else
    git tag "$tag" "$commit"
    echo "created $tag $commit"
  fi
done <<RELEASES
$releases
RELEASES
