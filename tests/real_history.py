"""Services made at real earlier commits of this repository, and what their users did.

The template repository for these tests is a clone of this one (its real history), with
the release tags recreated by scripts/restore-tags.sh from releases.toml, and the working
tree committed on top: updating to HEAD there is updating to the change under test.

Three users, as a service's first months go:
- KEPT: kept the example resource as generated.
- EDITED: edited the example and added a resource of their own (model, schema, service,
  router, migration and tests), written the way their version's example is written.
- DELETED: deleted the example the way docs/faq.md says, with the tests that drive it.
"""

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests import matrix
from tests.helpers import ROOT, commit_all, copy_worktree, git, run
from tests.releases import RELEASES

KEPT, EDITED, DELETED = "kept", "edited", "deleted"
USERS = (KEPT, EDITED, DELETED)


@dataclass(frozen=True)
class Start:
    """A commit services were made from, and why it is tested."""

    commit: str
    why: str


# With the default answers: the oldest commit whose questions take today's answers
# (33727ff asked the option questions first), commits that changed what users import or
# edit, every release, and the commit before the working tree (HEAD of this clone).
DEFAULT_STARTS = (
    Start("33727ff", "the oldest commit whose questions render with today's answers"),
    Start("8e04408", "every option question asked; auth, redis, metrics and more added"),
    *(Start(release.commit[:7], f"release {release.tag}") for release in RELEASES),
    Start("073138f", "the last commit with api/router.py's `api_router` registry"),
    Start("65ccc26", "the commit issue 13 updated from (StorableStr, reads_body)"),
    Start("HEAD", "HEAD~1: a service that tracks main (see resolve)"),
)
# With every option on: from the first commit that asked every option question, the
# release and HEAD~1 (the commits between are covered with the default answers).
ALL_ON_STARTS = tuple(
    start for start in DEFAULT_STARTS if start.commit not in {"33727ff", "073138f", "65ccc26"}
)

ANSWER_SETS: dict[str, dict[str, Any]] = {"defaults": {}, "all-on": matrix.all_on()}


def template_with_history(destination: Path) -> Path:
    """A clone of this repository, its tags restored, with the working tree on top."""
    git(ROOT, "clone", "-q", "--no-local", str(ROOT), str(destination))
    head = git(destination, "rev-parse", "HEAD").strip()
    for entry in destination.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    copy_worktree(destination)
    commit_all(destination, "the working tree")
    # The script as the working tree has it, run in the clone, as a user would.
    run(destination, "sh", "scripts/restore-tags.sh")
    assert git(destination, "rev-parse", "HEAD~1").strip() == head
    return destination


# What a service gets from the template; a commit that changed none of it changed
# nothing for an update.
RENDERED_FROM = ("template", "copier.yml", "copier_migrations")


def resolve(template: Path, start: Start) -> str:
    """The full commit a start names in the template clone.

    HEAD means the newest commit whose template differs from the working tree's: the
    parent of the last commit that changed it. That is HEAD~1 of the clone while the
    working tree changes the template, and the commit before main's last template
    change when it does not (as in CI, where main's HEAD would be a no-op update).
    """
    if start.commit != "HEAD":
        return git(template, "rev-parse", f"{start.commit}^{{commit}}").strip()
    last_change = git(template, "log", "-1", "--format=%H", "HEAD", "--", *RENDERED_FROM)
    return git(template, "rev-parse", f"{last_change.strip()}~1").strip()


# --- What the users did ----------------------------------------------------------------


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new))


def example_files(project: Path, package: str) -> list[str]:
    """The example resource's files in this project, and the tests that drive it.

    The list comes from copier.yml's `_exclude` (the files an update never writes), so it
    is the list of the version under test; a deleter deletes those that exist.
    """
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    paths = []
    for pattern in config["_exclude"]:
        match = re.search(r"%\}(.*?)\{%", pattern)
        if match and "adopted_practices" not in match[1]:
            paths.append(match[1].replace("{{ package_name }}", package))
    found = []
    for path in paths:
        found += [str(hit.relative_to(project)) for hit in project.glob(path) if hit.is_file()]
    return sorted(found)


def remove_line(path: Path, pattern: str) -> None:
    """Remove every line that matches `pattern` (a regular expression)."""
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not re.search(pattern, line)]
    assert len(kept) < len(lines), f"no line matches {pattern!r} in {path}"
    path.write_text("".join(kept))


def set_router_import(router: Path, package: str, names: list[str]) -> None:
    """Rewrite the `from <pkg>.api.routers import ...` line (drop it if none are left)."""
    text = router.read_text()
    pattern = re.compile(rf"^from {package}\.api\.routers import (.*)\n", re.MULTILINE)
    match = pattern.search(text)
    assert match, router
    line = f"from {package}.api.routers import {', '.join(sorted(names))}\n" if names else ""
    router.write_text(text[: match.start()] + line + text[match.end() :])


def current_routers(router: Path, package: str) -> list[str]:
    match = re.search(rf"^from {package}\.api\.routers import (.*)$", router.read_text(), re.M)
    assert match, router
    return [name.strip() for name in match[1].split(",")]


def mount(router: Path, package: str, name: str) -> None:
    """Mount one more router the way this version's api/router.py does it."""
    set_router_import(router, package, [*current_routers(router, package), name])
    text = router.read_text()
    if "api_router = APIRouter(" in text:
        router.write_text(text.rstrip("\n") + f"\napi_router.include_router({name}.router)\n")
    else:
        router.write_text(
            text.rstrip("\n") + f"\n    app.include_router({name}.router, prefix=API_V1)\n"
        )


def unmount(router: Path, package: str, name: str) -> None:
    set_router_import(router, package, [n for n in current_routers(router, package) if n != name])
    remove_line(router, rf"include_router\({name}\.router")


# The example job (redis=true), which works on the example's items.
EXAMPLE_JOB = (
    "src/{package}/api/routers/jobs.py",
    "src/{package}/schemas/item_archive.py",
    "src/{package}/services/item_archive.py",
    "src/{package}/tasks/items.py",
    "tests/api/test_jobs.py",
    "tests/test_worker.py",
)


def delete_example(project: Path, package: str) -> None:
    """docs/faq.md's steps: the example's files and tests, its registrations, its table."""
    job = [path.format(package=package) for path in EXAMPLE_JOB]
    for relative in sorted({*example_files(project, package), *job}):
        # The first migration stays: databases built from it need the history.
        if not relative.startswith("migrations/") and (project / relative).exists():
            git(project, "rm", "-q", relative)
    router = project / f"src/{package}/api/router.py"
    for name in ("items", "jobs"):
        if re.search(rf"include_router\({name}\.router", router.read_text()):
            unmount(router, package, name)
    models = project / f"src/{package}/models/__init__.py"
    remove_line(models, r"models\.item import")
    text = models.read_text().replace('"Item", ', "")
    models.write_text(text.replace('__all__ = ["Item"]', "__all__: list[str] = []"))
    worker_settings = project / f"src/{package}/tasks/worker_settings.py"
    if worker_settings.exists():
        remove_line(worker_settings, r"tasks\.items import")
        text = worker_settings.read_text()
        worker_settings.write_text(
            text.replace("JOBS = [archive_sold_out_items]", "JOBS: list[Any] = []")
        )
    [first] = (project / "migrations/versions").glob("*_0001_*.py")
    owned = "item_owner_id_idx" in first.read_text()
    write_migration(project, "0002_drop_item.py", "0002", DROP_ITEM_OWNED if owned else DROP_ITEM)
    commit_all(project, "Drop the example resource")


def edit_example_and_add_widgets(project: Path, package: str) -> None:
    replace_once(
        project / f"src/{package}/api/routers/items.py", 'summary="List items"', 'summary="Items"'
    )
    files = {
        f"src/{package}/models/widget.py": WIDGET_MODEL,
        f"src/{package}/schemas/widget.py": WIDGET_SCHEMA,
        f"src/{package}/services/widgets.py": WIDGET_SERVICE,
        f"src/{package}/api/routers/widgets.py": WIDGET_ROUTER,
        "tests/api/test_widgets.py": WIDGET_TESTS,
    }
    for relative, text in files.items():
        (project / relative).write_text(text.replace("PKG", package))
    mount(project / f"src/{package}/api/router.py", package, "widgets")
    models = project / f"src/{package}/models/__init__.py"
    text = models.read_text()
    text = text.replace(
        f"from {package}.models.item import Item\n",
        f"from {package}.models.item import Item\nfrom {package}.models.widget import Widget\n",
    )
    models.write_text(re.sub(r"__all__ = \[(.*)\]", r'__all__ = [\1, "Widget"]', text))
    write_migration(project, "0002_create_widget.py", "0002", CREATE_WIDGET)
    commit_all(project, "Retitle the items list; add widgets")


def write_migration(project: Path, name: str, revision: str, body: str) -> None:
    versions = project / "migrations/versions"
    [first] = versions.glob("*_0001_*.py")
    down = re.search(r'^revision: str = "(.*)"$', first.read_text(), re.M)
    assert down, first
    text = body.replace("HEADER", REVISION_HEADER)
    text = text.replace("REVISION", revision).replace("DOWN", down[1])
    (versions / f"2026-12-01_{name}").write_text(text)


def make_user(project: Path, package: str, user: str) -> None:
    if user == EDITED:
        edit_example_and_add_widgets(project, package)
    elif user == DELETED:
        delete_example(project, package)
    else:
        return
    # As the service's pre-commit hooks would: on the files this commit changed.
    changed = git(project, "diff", "--name-only", "--diff-filter=AM", "HEAD~1", "--", "*.py")
    if changed.split():
        run(project, "ruff", "check", "--fix-only", "--quiet", "--no-cache", *changed.split())
        run(project, "ruff", "format", "--quiet", "--no-cache", *changed.split())
        commit_all(project, "ruff")


# --- A resource of the user's own --------------------------------------------------------

WIDGET_MODEL = '''"""Widgets: a resource the team added."""

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from PKG.db.base import Base


class Widget(Base):
    __tablename__ = "widget"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
'''
WIDGET_SCHEMA = '''"""Widgets on the wire."""

import uuid

from pydantic import Field

from PKG.schemas.base import AppBaseModel


class WidgetCreate(AppBaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\\x00]*$")


class WidgetRead(AppBaseModel):
    id: uuid.UUID
    name: str
'''
WIDGET_SERVICE = '''"""Widgets: storing and listing them."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from PKG.models.widget import Widget
from PKG.schemas.widget import WidgetCreate


async def create_widget(session: AsyncSession, data: WidgetCreate) -> Widget:
    widget = Widget(name=data.name)
    session.add(widget)
    await session.flush()
    return widget


async def list_widgets(session: AsyncSession) -> list[Widget]:
    return list(await session.scalars(select(Widget).order_by(Widget.name, Widget.id)))
'''
WIDGET_ROUTER = '''"""Widgets over HTTP."""

from fastapi import APIRouter, status

from PKG.api.errors import error_responses
from PKG.api.session import DbSession
from PKG.schemas.widget import WidgetCreate, WidgetRead
from PKG.services import widgets as widgets_service

router = APIRouter(prefix="/widgets", tags=["widgets"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a widget",
    responses=error_responses(),
)
async def create_widget(data: WidgetCreate, session: DbSession) -> WidgetRead:
    """Store a new widget."""
    widget = await widgets_service.create_widget(session, data)
    return WidgetRead.model_validate(widget)


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    summary="List widgets",
    responses=error_responses(),
)
async def list_widgets(session: DbSession) -> list[WidgetRead]:
    """Every widget, by name."""
    return [WidgetRead.model_validate(w) for w in await widgets_service.list_widgets(session)]
'''
WIDGET_TESTS = '''"""Widgets, through HTTP, against the real database."""

from httpx import AsyncClient

WIDGETS = "/api/v1/widgets"


async def test_a_created_widget_is_listed(client: AsyncClient) -> None:
    created = await client.post(WIDGETS, json={"name": "sprocket"})
    listed = await client.get(WIDGETS)

    assert created.status_code == 201, created.text
    assert listed.status_code == 200, listed.text
    assert listed.json() == [created.json()]


async def test_a_widget_without_a_name_is_422(client: AsyncClient) -> None:
    response = await client.post(WIDGETS, json={})

    assert response.status_code == 422, response.text
'''
# What every revision below starts with, after its title.
REVISION_HEADER = '''Revision ID: REVISION
Revises: DOWN
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "REVISION"
down_revision: str | None = "DOWN"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
'''
CREATE_WIDGET = '''"""Create the widget table.

HEADER

def upgrade() -> None:
    op.create_table(
        "widget",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("widget_pkey")),
    )


def downgrade() -> None:
    op.drop_table("widget")
'''
DROP_ITEM = '''"""Drop the example's item table.

HEADER

def upgrade() -> None:
    op.drop_table("item")


def downgrade() -> None:
    # The rows are gone for good; what comes back is what the first revision drops.
    op.create_table("item", sa.Column("id", sa.Uuid(), primary_key=True))
'''
DROP_ITEM_OWNED = DROP_ITEM.replace(
    """    op.create_table("item", sa.Column("id", sa.Uuid(), primary_key=True))
""",
    """    op.create_table(
        "item", sa.Column("id", sa.Uuid(), primary_key=True), sa.Column("owner_id", sa.Uuid())
    )
    op.create_index(op.f("item_owner_id_idx"), "item", ["owner_id"])
""",
)
