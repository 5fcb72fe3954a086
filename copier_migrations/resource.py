"""A generated resource's steps in the service, after copier has written its files.

    python resource.py copy TEMPLATE_ROOT ANSWERS_FILE     (copier's task, on `copier copy`)
    python resource.py update TEMPLATE_ROOT ANSWERS_FILE   (copier's migration, after an update)

copy:
- includes the resource's router in `include_api` (api/router.py) and its model in
  models/__init__.py, as the team would by hand (docs/faq.md, "How do I add a resource?");
- writes the revision that creates its table, after the service's current head;
- lists it in .copier/resources.yml, where the validators look for taken names and for
  the resources a reference may name.

update: when the resource's fields differ from those of the commit the update started
from (the answers file in HEAD), writes a revision that adds and drops those columns.
An earlier revision is never edited: databases have run it already.

The revisions are rendered from templates/revision.py.jinja with the same reading of
the fields (resource_fields.jinja) that rendered the model, so the two agree; the
service's tests/db/test_migrations.py checks that they do. Run by copier in the
service's root with copier's own Python: the standard library, git, and the jinja2,
jinja2-ansible-filters and yaml that copier itself runs on.
"""

import ast
import datetime
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import jinja2
import yaml

INDEX = Path(".copier/resources.yml")
VERSIONS = Path("migrations/versions")
LINE_LENGTH = 100
REVISION_TEMPLATE = "copier_migrations/templates/revision.py.jinja"


def environment(template_root: Path) -> jinja2.Environment:
    """Jinja as copier configures it for this template (copier.yml's _envops)."""
    return jinja2.Environment(  # noqa: S701 - renders Python, not HTML
        loader=jinja2.FileSystemLoader(template_root),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def index() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(INDEX.read_text()) if INDEX.exists() else {}


def parse(template_root: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """The fields as the resource's files read them: resource_fields.jinja's parse_fields."""
    source = "{% from 'resource_fields.jinja' import parse_fields %}{{ parse_fields(f, r, o, t) }}"
    owned = answers.get("auth") == "jwt" and bool(answers.get("owned"))
    rendered = (
        environment(template_root)
        .from_string(source)
        .render(
            f=answers["fields"], r=answers.get("references") or {}, o=owned, t=answers["singular"]
        )
    )
    parsed: dict[str, Any] = json.loads(rendered)
    if parsed["errors"]:
        sys.exit("The resource's fields do not parse: " + " ".join(parsed["errors"]))
    return parsed


def head() -> str | None:
    """The service's one head revision (None when it has no migrations yet)."""
    revisions: dict[str, str | None] = {}
    for path in sorted(VERSIONS.glob("*.py")):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.target if isinstance(node, ast.AnnAssign) else None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
                values[target.id] = ast.literal_eval(node.value) if node.value else None
        if "revision" in values:
            revisions[values["revision"]] = values.get("down_revision")
    parents: set[str] = set()
    for down in revisions.values():
        parents.update([down] if isinstance(down, str) else down or [])
    heads = sorted(set(revisions) - parents)
    if len(heads) > 1:
        sys.exit(
            f"The service's migrations have {len(heads)} heads ({', '.join(heads)}); merge them"
            " first (`uv run alembic merge heads`), then run this again."
        )
    return heads[0] if heads else None


def write_revision(
    template_root: Path,
    answers: dict[str, Any],
    before: dict[str, Any] | None,
    after: dict[str, Any],
    message: str,
) -> Path:
    revision = uuid.uuid4().hex[:12]
    today = datetime.datetime.now(tz=datetime.UTC).date()
    slug = re.sub(r"[^0-9a-z]+", "_", message.lower()).strip("_")[:40].rstrip("_")
    path = VERSIONS / f"{today.isoformat()}_{revision}_{slug}.py"
    template = environment(template_root).get_template(REVISION_TEMPLATE)
    path.write_text(
        template.render(
            **answers,
            before=before,
            after=after,
            before_names=[column["name"] for column in before["columns"]] if before else [],
            after_names=[column["name"] for column in after["columns"]],
            revision=revision,
            down_revision=head(),
            date=today.isoformat(),
            message=message,
        ),
        encoding="utf-8",
    )
    return path


def import_line(module: str, names: list[str]) -> str:
    """`from module import a, b`, one name per line when that is too long (as ruff writes it)."""
    line = f"from {module} import {', '.join(names)}\n"
    if len(line) <= LINE_LENGTH + 1:
        return line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")\n"


def include_router(package: str, resource: str) -> None:
    """Add the router to api/router.py's import of routers and to the end of include_api()."""
    path = Path("src", package, "api", "router.py")
    text = path.read_text(encoding="utf-8")
    module = f"{package}.api.routers"
    routers = re.compile(rf"^from {re.escape(module)} import (?P<names>\([^)]*\)|.*)\n", re.M)
    match = routers.search(text)
    names = [] if match is None else [n.strip() for n in match["names"].strip("()").split(",")]
    if resource in names:
        return
    merged = import_line(module, sorted({*filter(None, names), resource}))
    if match is None:  # the team removed every router: the import goes above API_V1
        text = text.replace("\nAPI_V1 = ", f"\n{merged}\nAPI_V1 = ", 1)
    else:
        text = text[: match.start()] + merged + text[match.end() :]
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("def include_api("))
    body = range(start + 1, len(lines))
    end = next((i for i in body if lines[i].strip() and not lines[i].startswith(" ")), len(lines))
    # After the last line of the function's body (its last include, or its docstring).
    last = max(i for i in range(start, end) if lines[i].strip())
    lines.insert(last + 1, f"    app.include_router({resource}.router, prefix=API_V1)\n")
    path.write_text("".join(lines), encoding="utf-8")


def register_model(package: str, singular: str, model: str) -> None:
    """Import the model in models/__init__.py (so Alembic sees it) and name it in __all__."""
    path = Path("src", package, "models", "__init__.py")
    text = path.read_text(encoding="utf-8")
    model_import = re.compile(
        rf"^from {re.escape(package)}\.models\.(?P<module>\w+) import (?P<names>.+)\n", re.M
    )
    imports = {match["module"]: match["names"] for match in model_import.finditer(text)}
    if singular in imports:
        return
    imports[singular] = model
    rest = model_import.sub("", text)
    rest = re.sub(r"^__all__ = \[[^\]]*\]\n", "", rest, flags=re.M)
    docstring, _, code = rest.partition('"""\n') if rest.startswith('"""') else ("", "", rest)
    header = f'{docstring}"""\n' if docstring else ""
    block = "".join(
        f"from {package}.models.{module} import {imports[module]}\n" for module in sorted(imports)
    )
    names = sorted(name.strip() for listed in imports.values() for name in listed.split(","))
    dunder_all = f"__all__ = [{', '.join(f'{name!r}' for name in names)}]\n".replace("'", '"')
    if len(dunder_all) > LINE_LENGTH + 1:
        dunder_all = "__all__ = [\n" + "".join(f'    "{name}",\n' for name in names) + "]\n"
    parts = [header, block, *([code.strip("\n") + "\n"] if code.strip() else []), dunder_all]
    path.write_text("\n".join(part for part in parts if part), encoding="utf-8")


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def copy(template_root: Path, answers: dict[str, Any]) -> None:
    package, resource, singular = answers["package_name"], answers["resource"], answers["singular"]
    include_router(package, resource)
    register_model(package, singular, camel(singular))
    parsed = parse(template_root, answers)
    write_revision(template_root, answers, None, parsed, f"Create the {singular} table")
    listed = index()
    owned = answers.get("auth") == "jwt" and bool(answers.get("owned"))
    listed[resource] = {"singular": singular, "owned": owned}
    INDEX.parent.mkdir(parents=True, exist_ok=True)
    existing = INDEX.read_text(encoding="utf-8").splitlines() if INDEX.exists() else []
    comments = "".join(line + "\n" for line in existing if line.startswith("#"))
    INDEX.write_text(comments + yaml.safe_dump(listed, sort_keys=True), encoding="utf-8")


def update(template_root: Path, answers: dict[str, Any], answers_file: str) -> None:
    shown = subprocess.run(
        ["git", "show", f"HEAD:./{answers_file}"], capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        return  # not committed yet: nothing is known to be in a database
    previous = yaml.safe_load(shown.stdout)
    before, after = parse(template_root, previous), parse(template_root, answers)
    before_names = [column["name"] for column in before["columns"]]
    after_names = [column["name"] for column in after["columns"]]
    added = [name for name in after_names if name not in before_names]
    removed = [name for name in before_names if name not in after_names]
    if not added and not removed:
        return
    words = [f"add {', '.join(added)}"] if added else []
    words += [f"drop {', '.join(removed)}"] if removed else []
    message = f"{' and '.join(words).capitalize()} on {answers['singular']}"
    write_revision(template_root, answers, before, after, message)


def main() -> None:
    operation, template_root, answers_file = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    answers = yaml.safe_load(Path(answers_file).read_text(encoding="utf-8"))
    if operation == "copy":
        copy(template_root, answers)
    else:
        update(template_root, answers, answers_file)


if __name__ == "__main__":
    main()
