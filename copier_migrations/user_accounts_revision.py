"""After `copier update -d auth=jwt`: the Alembic revision that creates the user table.

A service made with `auth=jwt` creates `user_account` in its first revision. One that
turns auth on later gets `models/user.py` from the update, and this step adds the
revision that creates its table, on top of the service's current head: a new file,
never an edit of a revision the service has (databases may have run those already).
It does nothing when a revision already creates `user_account` (the service was made
with auth, or this step ran before, or the team wrote one), and nothing outside the
service's git work tree.

Run by copier (`_migrations` in copier.yml, after each update with auth=jwt) in the
service's root with copier's own Python; standard library and git only.
"""

import datetime
import re
import subprocess
import sys
from pathlib import Path

VERSIONS = Path("migrations/versions")
REVISION = re.compile(r'^revision(?:: str)? = ["\'](?P<id>[^"\']+)["\']', re.MULTILINE)
DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (?P<value>.+)$", re.MULTILINE)
QUOTED = re.compile(r"[\"']([^\"']+)[\"']")
CREATES_USERS = re.compile(r"create_table\(\s*[\"']user_account[\"']")

TEMPLATE = '''"""Create the user_account table: user accounts for auth=jwt, turned on later.

Added by `copier update` when the service turned auth on (copier_migrations/ in the
template). The example resource stays as it was: items have no owner here.

Revision ID: {revision}
Revises: {down}
Create Date: {date}
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "{revision}"
down_revision: str | None = "{down}"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("user_account_pkey")),
        sa.UniqueConstraint("email", name=op.f("user_account_email_key")),
    )


def downgrade() -> None:
    op.drop_table("user_account")
'''


def in_the_services_work_tree() -> bool:
    found = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    return found.returncode == 0 and Path(found.stdout.strip()).resolve() == Path.cwd().resolve()


def revisions() -> dict[str, list[str]]:
    """Each revision id and the ids it revises."""
    graph = {}
    for path in VERSIONS.glob("*.py"):
        text = path.read_text()
        revision, down = REVISION.search(text), DOWN.search(text)
        if revision:
            graph[revision["id"]] = QUOTED.findall(down["value"]) if down else []
    return graph


def next_revision_id(graph: dict[str, list[str]]) -> str:
    numbers = [int(revision) for revision in graph if revision.isdigit()]
    if numbers and len(numbers) == len(graph):
        return f"{max(numbers) + 1:04d}"
    return "add_user_account"


def main() -> int:
    if not in_the_services_work_tree() or not VERSIONS.is_dir():
        return 0
    if any(CREATES_USERS.search(path.read_text()) for path in VERSIONS.glob("*.py")):
        return 0
    graph = revisions()
    revised = {down for downs in graph.values() for down in downs}
    heads = sorted(set(graph) - revised)
    if len(heads) != 1:
        print(
            "user_accounts_revision: the migrations have "
            f"{len(heads)} heads ({', '.join(heads)}); merge them (`uv run alembic merge heads`)"
            " and add the user_account table's revision with"
            ' `uv run alembic revision --autogenerate -m "add user accounts"`.',
            file=sys.stderr,
        )
        return 0
    revision = next_revision_id(graph)
    today = datetime.date.today()
    path = VERSIONS / f"{today.isoformat()}_{revision}_add_user_account.py"
    path.write_text(TEMPLATE.format(revision=revision, down=heads[0], date=today.isoformat()))
    print(f"user_accounts_revision: {path} creates the user table (run `alembic upgrade head`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
