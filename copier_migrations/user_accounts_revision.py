"""After an update with auth=jwt: the Alembic revisions the accounts' models need.

A service made with `auth=jwt` creates its tables in its first revision. One made
earlier, or one that turns auth on later, gets the models from the update, and this
step adds the revisions that bring its database to them, each on top of the service's
current head: a new file, never an edit of a revision the service has (databases may
have run those already). In order:

- `user_account`, for a service that turned auth on later;
- account recovery (since 0.3): `account_token`, and the two columns it needs on
  `user_account` (`email_verified_at`, set for the accounts there are, which signed
  in without it so far; `password_changed_at`).

Each is skipped when a revision already creates its table (the service was made with
it, or this step ran before, or the team wrote one). Nothing happens outside the
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


def creates(table: str) -> re.Pattern[str]:
    return re.compile(rf"create_table\(\s*[\"']{table}[\"']")


USER_ACCOUNT = '''"""Create the user_account table: user accounts for auth=jwt, turned on later.

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

ACCOUNT_RECOVERY = '''"""Account recovery: the account_token table; when addresses were confirmed.

Added by `copier update` (copier_migrations/ in the template), for password reset and
address verification by e-mailed links. The accounts there are count as confirmed:
they signed in without it so far, and AUTH_REQUIRE_EMAIL_VERIFICATION=true must not
lock them out.

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
    op.add_column(
        "user_account", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "user_account", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE user_account SET email_verified_at = created_at")
    op.create_table(
        "account_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("account_token_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("account_token_pkey")),
        sa.UniqueConstraint("token_hash", name=op.f("account_token_token_hash_key")),
    )
    op.create_index(op.f("account_token_user_id_idx"), "account_token", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("account_token_user_id_idx"), table_name="account_token")
    op.drop_table("account_token")
    with op.batch_alter_table("user_account") as table:
        table.drop_column("password_changed_at")
        table.drop_column("email_verified_at")
'''

# (table, the revision's name, its text, what it is for): in the order they apply.
REVISIONS = (
    ("user_account", "add_user_account", USER_ACCOUNT, "creates the user table"),
    ("account_token", "add_account_recovery", ACCOUNT_RECOVERY, "adds account recovery"),
)


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


def next_revision_id(graph: dict[str, list[str]], name: str) -> str:
    numbers = [int(revision) for revision in graph if revision.isdigit()]
    if numbers and len(numbers) == len(graph):
        return f"{max(numbers) + 1:04d}"
    return name


def add_revision(name: str, template: str, purpose: str) -> bool:
    """Write the revision on top of the single head; False when there is no single head."""
    graph = revisions()
    revised = {down for downs in graph.values() for down in downs}
    heads = sorted(set(graph) - revised)
    if len(heads) != 1:
        print(
            "user_accounts_revision: the migrations have "
            f"{len(heads)} heads ({', '.join(heads)}); merge them (`uv run alembic merge heads`)"
            f" and add the revision that {purpose} with"
            f' `uv run alembic revision --autogenerate -m "{name.replace("_", " ")}"`.',
            file=sys.stderr,
        )
        return False
    revision = next_revision_id(graph, name)
    today = datetime.date.today()
    path = VERSIONS / f"{today.isoformat()}_{revision}_{name}.py"
    path.write_text(template.format(revision=revision, down=heads[0], date=today.isoformat()))
    print(f"user_accounts_revision: {path} {purpose} (run `alembic upgrade head`)")
    return True


def main() -> int:
    if not in_the_services_work_tree() or not VERSIONS.is_dir():
        return 0
    for table, name, template, purpose in REVISIONS:
        texts = [path.read_text() for path in VERSIONS.glob("*.py")]
        if any(creates(table).search(text) for text in texts):
            continue
        if not add_revision(name, template, purpose):
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
