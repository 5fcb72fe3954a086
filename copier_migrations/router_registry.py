"""After `copier update`: move the routers a 0.1 service mounted on `api_router` to `include_api`.

Until commit bde3422 (0.1.0.post8), `api/router.py` mounted every resource router on
one `api_router = APIRouter(prefix="/api/v1")` that `main.py` included; since then
`include_api(app)` includes each router in the app itself. A service whose users
mounted routers of their own gets the new file with a conflict there, since both sides
changed the same lines. This step rewrites the file from the service's own version
(the commit the update started from): every `api_router.include_router(x.router, ...)`
becomes `app.include_router(x.router, ..., prefix=API_V1)`, in the same order, with the
service's own imports. A file with anything else after `api_router` is left as copier
merged it, with a message: that is a merge for a person.

Run by copier (`_migrations` in copier.yml) in the service's root, with the Python that
runs copier; it uses only the standard library and git.
"""

import re
import subprocess
import sys
from pathlib import Path

OLD_REGISTRY = 'api_router = APIRouter(prefix="/api/v1")'
OLD_DOCSTRING = '"""The versioned API: every resource router, mounted under /api/v1."""'
INCLUDE = re.compile(r"^api_router\.include_router\((?P<arguments>.*)\)\s*$")
PREFIX = re.compile(r"\bprefix=")

# What the template renders from the registry line on; it must stay the same as
# template/src/{{package_name}}/api/router.py.jinja (tests/test_update_steps.py checks).
NEW_DOCSTRING = '"""The versioned API: every resource router, under /api/v1."""'
NEW_REGISTRY = '''API_V1 = "/api/v1"


def include_api(app: FastAPI) -> None:
    """Include each resource router in the app under the versioned prefix.

    Each goes straight into the app rather than through one `/api/v1` router: since
    FastAPI 0.137 an included router stays a node that every request walks, matching
    the path again at each level, and the extra level cost the items list about 60,000
    instructions per request (docs/performance.md).
    """
'''


def package_name(answers: str) -> str:
    match = re.search(r"^package_name: (?P<name>\S+)$", answers, re.MULTILINE)
    if match is None:
        raise SystemExit("router_registry: no package_name in .copier-answers.yml")
    return match["name"].strip("'\"")


def converted(old: str) -> str | None:
    """The file in the include_api shape, or None if it holds more than a registry."""
    head, separator, tail = old.partition(OLD_REGISTRY + "\n")
    if not separator:
        return None
    calls = []
    for line in tail.splitlines():
        if not line.strip():
            continue
        match = INCLUDE.match(line)
        if match is None:
            return None
        arguments = match["arguments"]
        if PREFIX.search(arguments):
            arguments = PREFIX.sub("prefix=API_V1 + ", arguments, count=1)
        else:
            arguments += ", prefix=API_V1"
        calls.append(f"    app.include_router({arguments})\n")
    head = head.replace(OLD_DOCSTRING, NEW_DOCSTRING, 1)
    uses_api_router_class = "APIRouter" in head.replace("from fastapi import APIRouter\n", "")
    fastapi_import = "APIRouter, FastAPI" if uses_api_router_class else "FastAPI"
    head = head.replace(
        "from fastapi import APIRouter\n", f"from fastapi import {fastapi_import}\n"
    )
    # One blank line between the imports and the registry, as isort wants.
    return head.rstrip("\n") + "\n\n" + NEW_REGISTRY + "".join(calls)


def main() -> int:
    project = Path.cwd()
    router = f"src/{package_name((project / '.copier-answers.yml').read_text())}/api/router.py"
    shown = subprocess.run(
        ["git", "show", f"HEAD:{router}"], capture_output=True, text=True, check=False
    )
    if shown.returncode != 0 or OLD_REGISTRY not in shown.stdout:
        return 0  # no such file, or already in the include_api shape
    new = converted(shown.stdout)
    if new is None:
        print(
            f"router_registry: {router} holds more than its routers; merge it by hand:"
            " mount each router with app.include_router(<router>, prefix=API_V1)"
            " inside include_api(app).",
            file=sys.stderr,
        )
        return 0
    (project / router).write_text(new)
    Path(project / f"{router}.rej").unlink(missing_ok=True)
    subprocess.run(["git", "add", "--", router], check=True)
    print(f"router_registry: {router} now includes its routers in include_api(app)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
