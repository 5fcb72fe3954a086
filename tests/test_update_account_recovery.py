"""An auth=jwt service made before account recovery, updated with the copier CLI.

Its database has accounts. The update adds one revision on top of the service's head
(copier_migrations/user_accounts_revision.py); migrating keeps every account and
counts it as confirmed, so AUTH_REQUIRE_EMAIL_VERIFICATION=true locks nobody out. That
the migrated schema matches the models, and that recovery works in an updated
service, the all-on runs of tests/test_update_from_history.py prove with every check.
"""

from pathlib import Path

from tests.helpers import commit_all, run, uv_sync
from tests.real_history import Start, resolve
from tests.test_update import assert_merged_cleanly
from tests.test_update_answers import MIGRATE, empty_database, psql
from tests.test_update_from_history import copier, scaffold

# The last commit before account recovery (its services have no account_token table).
BEFORE_RECOVERY = Start("a158165", "auth=jwt without account recovery")


def test_accounts_made_before_account_recovery_are_kept_and_count_as_confirmed(
    history_template: Path, tmp_path: Path
) -> None:
    commit = resolve(history_template, BEFORE_RECOVERY)
    project = scaffold(history_template, tmp_path / "service", commit, {"auth": "jwt"})
    database, environment = empty_database("before account recovery")
    uv_sync(project)
    commit_all(project, "Lock the dependencies")
    run(project, *MIGRATE, **environment)
    psql(
        database,
        "INSERT INTO user_account (id, email, password_hash, is_active, is_admin) VALUES"
        " (gen_random_uuid(), 'ada@example.com', 'a-hash', true, false)",
    )
    before = {path.name for path in (project / "migrations/versions").glob("*.py")}

    copier(project, "update", "--vcs-ref", "HEAD")

    assert_merged_cleanly(project)
    [added] = {path.name for path in (project / "migrations/versions").glob("*.py")} - before
    assert added.endswith("_0002_add_account_recovery.py")
    revision = (project / "migrations/versions" / added).read_text()
    assert 'down_revision: str | None = "0001"' in revision
    uv_sync(project)
    run(project, *MIGRATE, **environment)
    assert (
        psql(
            database,
            "SELECT email, password_hash, email_verified_at = created_at,"
            " password_changed_at IS NULL FROM user_account",
        )
        == "ada@example.com|a-hash|t|t"
    )
    assert psql(database, "SELECT count(*) FROM account_token") == "0"
    # Downgrading takes the revision back out and keeps the account.
    run(project, "uv", "run", "--no-sync", "alembic", "downgrade", "0001", **environment)
    assert psql(database, "SELECT email FROM user_account") == "ada@example.com"
    assert psql(database, "SELECT to_regclass('account_token') IS NULL") == "t"
