"""After every `copier update`: the registries the template and the team both add to.

    python registries.py TEMPLATE_ROOT

`api/router.py` (the routers the API includes) and `models/__init__.py` (the models
Alembic sees) are lists that both sides extend: the template with an option's routers
and models, the team with its own. Two additions at the same place are a conflict to
a text merge, and a registry's shape may change between versions (`api_router` before
commit bde3422, `include_api(app)` since). So when copier left such a file conflicted,
or in an old shape, this step writes it again from what both sides meant:

- api/router.py: the template's new file, with every router of the team's own added
  (from the team's version, the commit the update started from), and without the
  template's routers whose module is not there (the example, which the team may have
  deleted, or never had: it is not added to a service that turns an option on later);
- models/__init__.py: every model import of both sides, and `__all__` naming them all,
  but the models whose module is not there (the team deleted the example);
- tasks/worker_settings.py: a conflict between the two sides' job imports and `JOBS`
  lists resolved to every job of both; then without the jobs whose module is not there
  (the example's) or that nothing in the file defines (the team deleted the example).

A registry that merged cleanly and lists only modules that exist is left as it is.
Run by copier (`_migrations` in copier.yml, after each update) in the service's root,
with copier's own Python: the standard library, git, and the jinja2 and yaml that
copier itself runs on.
"""

import re
import subprocess
import sys
from pathlib import Path

import jinja2
import yaml

MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)")
# The routers the template renders into api/router.py, for one answer or another.
TEMPLATE_ROUTERS = frozenset(
    {"account_recovery", "auth", "items", "jobs", "text_analyses", "users"}
)
INCLUDE = re.compile(r"^\s*(?:api_router|app)\.include_router\((?P<arguments>.*)\)\s*$")
PREFIX = re.compile(r"\bprefix=")
ROUTER_TEMPLATE = "template/src/{{package_name}}/api/router.py.jinja"
LINE_LENGTH = 100


def git(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *arguments], capture_output=True, text=True, check=False)


def conflicted(text: str) -> bool:
    return any(MARKER.match(line) for line in text.splitlines())


def render_router(template_root: Path, answers: dict[str, object]) -> str:
    environment = jinja2.Environment(  # noqa: S701 - renders Python, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    source = (template_root / ROUTER_TEMPLATE).read_text()
    return environment.from_string(source).render(**answers)


def routers_import(package: str) -> re.Pattern[str]:
    return re.compile(rf"^from {re.escape(package)}\.api\.routers import (?P<names>.+)$", re.M)


def names_in(line_names: str) -> list[str]:
    return [name.strip() for name in line_names.strip("()").split(",") if name.strip()]


def teams_routers(teams: str, package: str) -> tuple[list[str], list[str], list[str]]:
    """From the team's file: its own router modules, include arguments and other imports."""
    match = routers_import(package).search(teams)
    modules = (
        [name for name in names_in(match["names"]) if name not in TEMPLATE_ROUTERS] if match else []
    )
    calls = []
    for line in teams.splitlines():
        include = INCLUDE.match(line)
        if include is None:
            continue
        arguments = include["arguments"]
        module = re.match(r"(\w+)\.router\b", arguments)
        if module and module[1] in TEMPLATE_ROUTERS:
            continue
        if "prefix=API_V1" not in arguments:
            if PREFIX.search(arguments):
                arguments = PREFIX.sub("prefix=API_V1 + ", arguments, count=1)
            else:
                arguments += ", prefix=API_V1"
        calls.append(arguments)
    other_imports = [
        line
        for line in teams.splitlines()
        if line.startswith(("from ", "import "))
        and not routers_import(package).match(line)
        and not line.startswith("from fastapi import")
    ]
    return modules, calls, other_imports


def merged_router(template: str, teams: str, package: str, module_exists: dict[str, bool]) -> str:
    """The template's file with the team's routers in, and deleted modules out."""
    own_modules, own_calls, own_imports = teams_routers(teams, package)
    pattern = routers_import(package)
    lines = []
    for line in template.splitlines(keepends=True):
        include = INCLUDE.match(line)
        module = re.match(r"(\w+)\.router\b", include["arguments"]) if include else None
        if module and not module_exists.get(module[1], True):
            continue
        match = pattern.match(line)
        if match:
            kept = [name for name in names_in(match["names"]) if module_exists.get(name, True)]
            names = sorted({*kept, *own_modules})
            line = f"from {package}.api.routers import {', '.join(names)}\n" if names else ""
            line += "".join(f"{other}\n" for other in own_imports if other not in template)
        lines.append(line)
    text = "".join(lines).rstrip("\n") + "\n"
    # No routers import left (the team deleted them all): one blank line, as isort wants.
    text = re.sub(r"\n{3,}(API_V1 = )", r"\n\n\1", text)
    return text + "".join(f"    app.include_router({call})\n" for call in own_calls)


def merged_models(text: str) -> str:
    """Every model import on either side of the conflict, and `__all__` naming them."""
    lines = text.splitlines()
    docstring = next((line for line in lines if line.startswith('"""')), None)
    imports = sorted({line for line in lines if re.match(r"^from \S+ import \w+", line)})
    names: set[str] = set()
    for line in lines:
        all_names = re.match(r"^__all__(?:: list\[str\])? = \[(?P<names>.*)\]", line)
        if all_names:
            names |= {
                name.strip().strip("\"'") for name in all_names["names"].split(",") if name.strip()
            }
    quoted = ", ".join(f'"{name}"' for name in sorted(names))
    declaration = f"__all__ = [{quoted}]"
    if len(declaration) > LINE_LENGTH:
        declaration = "__all__ = [\n" + "".join(f'    "{name}",\n' for name in sorted(names)) + "]"
    head = [docstring, ""] if docstring else []
    return "\n".join([*head, *imports, "", declaration]) + "\n"


def models_that_exist(text: str, package: str, models: Path) -> str:
    """The models registry without the imports of model modules that are not there (the
    team deleted the example; the template's side of a conflict still imports it)."""
    pattern = re.compile(
        rf"^from {re.escape(package)}\.models\.(?P<module>\w+) import (?P<names>.+)\n", re.M
    )
    missing = [
        match
        for match in pattern.finditer(text)
        if not (models / f"{match['module']}.py").is_file()
    ]
    if not missing:
        return text
    gone = {name for match in missing for name in names_in(match["names"])}
    for match in missing:
        text = text.replace(match[0], "")
    for name in gone:
        # One name per line (a long `__all__`), or inline.
        text = re.sub(rf'^\s*"{name}",\n', "", text, flags=re.M)
        text = re.sub(rf'"{name}",? ?', "", text)
    return re.sub(r"__all__ = \[\s*\]", "__all__: list[str] = []", text.replace(", ]", "]"))


def write(path: Path, text: str) -> None:
    path.write_text(text)
    Path(f"{path}.rej").unlink(missing_ok=True)
    git("add", "--", str(path))
    print(f"registries: {path} holds what the template and you both registered")


def main(template_root: str) -> int:
    answers = yaml.safe_load(Path(".copier-answers.yml").read_text())
    package = answers["package_name"]
    router = Path(f"src/{package}/api/router.py")
    if router.is_file():
        current = router.read_text()
        listed = routers_import(package).search(current)
        missing = [
            name
            for name in (names_in(listed["names"]) if listed else [])
            if not (router.parent / "routers" / f"{name}.py").is_file()
        ]
        if conflicted(current) or "api_router = APIRouter(" in current or missing:
            shown = git("show", f"HEAD:{router}")
            teams = shown.stdout if shown.returncode == 0 else ""
            template = render_router(Path(template_root), answers)
            exists = {
                name: (router.parent / "routers" / f"{name}.py").is_file()
                for name in TEMPLATE_ROUTERS
            }
            write(router, merged_router(template, teams, package, exists))
    models = Path(f"src/{package}/models/__init__.py")
    if models.is_file():
        current = models.read_text()
        merged = merged_models(current) if conflicted(current) else current
        kept = models_that_exist(merged, package, models.parent)
        if kept != current:
            write(models, kept)
    worker_settings = Path(f"src/{package}/tasks/worker_settings.py")
    if worker_settings.is_file():
        current = worker_settings.read_text()
        kept = jobs_that_exist(merged_jobs(current), package, worker_settings.parent)
        if kept != current:
            write(worker_settings, kept)
    return 0


JOBS_LINE = re.compile(r"^JOBS(?:: [^=]+)? = \[(?P<names>[^\]]*)\]$")
CONFLICT = re.compile(r"^<{7}[^\n]*\n(?P<ours>.*?)^={7}\n(?P<theirs>.*?)^>{7}[^\n]*\n", re.M | re.S)


def merged_jobs(text: str) -> str:
    """The worker's settings with each conflict over its job registry resolved to both
    sides' jobs: their imports, and one `JOBS` list naming them all.

    A conflict block with anything else in it (the team's own code) is left for the team.
    """

    def resolve(block: re.Match[str]) -> str:
        lines = [*block["ours"].splitlines(), *block["theirs"].splitlines()]
        if not all(
            not line.strip() or line.startswith(("from ", "import ")) or JOBS_LINE.match(line)
            for line in lines
        ):
            return block[0]
        imports = sorted({line for line in lines if line.startswith(("from ", "import "))})
        jobs: list[str] = []
        for line in lines:
            listed = JOBS_LINE.match(line)
            for name in names_in(listed["names"]) if listed else []:
                if name not in jobs:
                    jobs.append(name)
        registry = [f"JOBS = [{', '.join(jobs)}]"] if any(map(JOBS_LINE.match, lines)) else []
        return "\n".join([*imports, *([""] if imports and registry else []), *registry, ""])

    return CONFLICT.sub(resolve, text)


def jobs_that_exist(text: str, package: str, tasks: Path) -> str:
    """The worker's settings without the jobs of task modules that are not there.

    The example job is the team's once generated, and a service that turned redis on
    later never had it: the worker then starts with the team's jobs only.
    """
    pattern = re.compile(
        rf"^from {re.escape(package)}\.tasks\.(?P<module>\w+) import (?P<names>.+)\n", re.M
    )
    missing = [
        match for match in pattern.finditer(text) if not (tasks / f"{match['module']}.py").is_file()
    ]
    gone = {name for match in missing for name in names_in(match["names"])}
    for match in missing:
        text = text.replace(match[0], "")
    jobs = re.search(r"^JOBS(?:: [^=]+)? = \[(?P<names>[^\]]*)\]$", text, re.M)
    if jobs is None:
        return text
    rest = text[: jobs.start()] + text[jobs.end() :]
    # A name nothing else in the file mentions is defined nowhere: its import went with
    # its module (the team deleted the example), while the template's list kept it.
    gone |= {name for name in names_in(jobs["names"]) if not re.search(rf"\b{name}\b", rest)}
    if not gone & set(names_in(jobs["names"])):
        return text
    kept = [name for name in names_in(jobs["names"]) if name not in gone]
    listed = f"JOBS = [{', '.join(kept)}]" if kept else "JOBS: list[Any] = []"
    return text[: jobs.start()] + listed + text[jobs.end() :]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
