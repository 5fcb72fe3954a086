"""One deliberate violation per practice check of the rendered project.

tests/test_practices.py applies each violation to a fresh copy of a rendered project
and asserts that the check named here fails and says why. The edits match the
rendered text exactly: when the template changes a line that a violation edits, the
edit fails loudly instead of silently testing nothing.

Paths are relative to the rendered project; `{package}` stands for the package name.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Answers = dict[str, Any]
Edit = Callable[[Path, str], None]

RUFF = ("ruff", "check", "--no-cache", "--output-format", "concise", ".")
MYPY = ("mypy",)
LINT_IMPORTS = ("lint-imports", "--no-cache")


def pytest_of(*paths: str) -> tuple[str, ...]:
    return ("pytest", "-q", "-p", "no:cacheprovider", *paths)


def replace(path: str, old: str, new: str) -> Edit:
    """Replace text that occurs exactly once in the file."""

    def edit(project: Path, package: str) -> None:
        file = project / path.format(package=package)
        text = file.read_text()
        assert text.count(old) == 1, f"{file}: expected {old!r} exactly once"
        file.write_text(text.replace(old, new))

    return edit


def append(path: str, addition: str) -> Edit:
    def edit(project: Path, package: str) -> None:
        file = project / path.format(package=package)
        file.write_text(file.read_text() + addition.replace("{package}", package))

    return edit


def undate_the_migrations(project: Path, _: str) -> None:
    """Drop the date from every migration file name ("0001_create_item.py")."""
    migrations = sorted((project / "migrations" / "versions").glob("*.py"))
    assert migrations
    for migration in migrations:
        migration.rename(migration.with_name(migration.name.split("_", 1)[1]))


def always(_: Answers) -> bool:
    return True


def with_database(answers: Answers) -> bool:
    return answers.get("database", "postgresql") != "none"


def without_database(answers: Answers) -> bool:
    return answers.get("database", "postgresql") == "none"


def with_postgresql(answers: Answers) -> bool:
    return answers.get("database", "postgresql") == "postgresql"


def with_auth(answers: Answers) -> bool:
    return answers.get("auth", "none") == "jwt"


@dataclass(frozen=True)
class Violation:
    name: str
    edit: Edit
    check: tuple[str, ...]
    # Text the check's output must contain: a rule code, a contract or a failing test.
    reports: str
    applies: Callable[[Answers], bool] = always


HEALTH_ROUTER = "src/{package}/api/routers/health.py"
HEALTH_SERVICE = "src/{package}/services/health.py"
ITEMS_ROUTER = "src/{package}/api/routers/items.py"
TEXT_ROUTER = "src/{package}/api/routers/text_analyses.py"
APP_SETTINGS = "src/{package}/core/settings/app.py"
ROUTE_CONTRACTS = "tests/api/test_route_contracts.py"


def failing_test(path: str, test: str) -> tuple[tuple[str, ...], str]:
    """The command that runs the rendered test, and the line it prints when `test` fails.

    Only that test (all its parameters), and `-x`: the first failure proves the check
    reports the violation; the rest of its file is another check's, and every test passes
    as rendered (tests/test_practices.py, and the full runs of tests/test_render.py).
    """
    return ("pytest", "-x", "-q", "-p", "no:cacheprovider", f"{path}::{test}"), (
        f"FAILED {path}::{test}"
    )


def route_contract(
    name: str, edit: Edit, test: str, applies: Callable[[Answers], bool] = always
) -> Violation:
    return Violation(name, edit, *failing_test(ROUTE_CONTRACTS, test), applies)


CODE_VIOLATIONS = [
    Violation(
        "a blocking sleep in an async function",
        append(
            HEALTH_SERVICE, "\n\nasync def pause() -> None:\n    time.sleep(0.1)\n\nimport time\n"
        ),
        RUFF,
        "ASYNC251",
    ),
    Violation(
        "a print statement",
        append(HEALTH_SERVICE, '\n\ndef report() -> None:\n    print("checking")\n'),
        RUFF,
        "T201",
    ),
    Violation(
        "a datetime without a timezone",
        append(HEALTH_SERVICE, "\n\nimport datetime\n\nSTARTED = datetime.datetime.now()\n"),
        RUFF,
        "DTZ005",
    ),
    Violation(
        "SQL built from a string",
        append(
            HEALTH_SERVICE,
            "\n\ndef lookup(name: str) -> str:\n"
            "    return f\"SELECT * FROM item WHERE name = '{name}'\"\n",
        ),
        RUFF,
        "S608",
    ),
    Violation(
        "a route returning something else than it declares",
        replace(
            HEALTH_ROUTER,
            'touches nothing else."""\n    return Health()',
            'touches nothing else."""\n    return {"status": "ok"}',
        ),
        MYPY,
        "Incompatible return value type",
    ),
]

BANNED_API_VIOLATIONS = [
    Violation(
        "blocking HTTP with requests",
        append(HEALTH_SERVICE, "\nimport requests\n"),
        RUFF,
        "TID251 `requests` is banned",
    ),
    Violation(
        "configuration read from os.environ",
        append(APP_SETTINGS, '\nimport os\n\nLOG_LEVEL = os.environ.get("LOG_LEVEL")\n'),
        RUFF,
        "TID251 `os.environ` is banned",
    ),
    Violation(
        "BaseHTTPMiddleware",
        append(
            "src/{package}/core/middleware.py",
            "\nfrom starlette.middleware.base import BaseHTTPMiddleware\n",
        ),
        RUFF,
        "TID251 `starlette.middleware.base.BaseHTTPMiddleware` is banned",
    ),
]

LAYERING_VIOLATIONS = [
    Violation(
        "core importing a higher layer",
        append("src/{package}/core/errors.py", "\nfrom {package}.schemas import health\n"),
        LINT_IMPORTS,
        "Each layer imports only the layers below it; core imports none of them BROKEN",
    ),
    Violation(
        "a service importing FastAPI",
        append(HEALTH_SERVICE, "\nfrom fastapi import HTTPException\n"),
        LINT_IMPORTS,
        "Business logic and data modules import neither FastAPI nor Starlette BROKEN",
    ),
    Violation(
        "a router importing SQLAlchemy",
        append(ITEMS_ROUTER, "\nfrom sqlalchemy import select\n"),
        LINT_IMPORTS,
        "Routers import neither SQLAlchemy nor the db package BROKEN",
        with_database,
    ),
    Violation(
        "two modules of a package importing each other",
        append("src/{package}/schemas/base.py", "\nfrom {package}.schemas import health\n"),
        LINT_IMPORTS,
        "No import cycles between the modules of any package BROKEN",
    ),
]

APP_WIRING = "tests/test_app_wiring.py"
MAIN = "src/{package}/main.py"

WIRING_VIOLATIONS = [
    Violation(
        "a startup event handler",
        replace(
            MAIN,
            "    return app\n",
            '    app.router.add_event_handler("startup", print)\n    return app\n',
        ),
        *failing_test(APP_WIRING, "test_startup_and_shutdown_live_in_the_lifespan"),
    ),
    Violation(
        "a BaseHTTPMiddleware",
        replace(
            MAIN,
            "    return app\n",
            "    from starlette.middleware.base import BaseHTTPMiddleware\n\n"
            "    async def passthrough(request: Any, call_next: Any) -> Any:\n"
            "        return await call_next(request)\n\n"
            "    app.add_middleware(BaseHTTPMiddleware, dispatch=passthrough)\n"
            "    return app\n\n\nfrom typing import Any\n",
        ),
        *failing_test(APP_WIRING, "test_middleware_is_pure_asgi"),
    ),
    Violation(
        "a client made at import time",
        append(HEALTH_SERVICE, "\nimport httpx\n\nHTTP = httpx.Client()\n"),
        *failing_test(APP_WIRING, "test_importing_the_service_connects_to_nothing"),
    ),
    Violation(
        "tables made by create_all",
        append(
            "src/{package}/db/base.py",
            "\n\nasync def create_tables(connection):\n"
            "    await connection.run_sync(Base.metadata.create_all)\n",
        ),
        *failing_test(
            "tests/db/test_migrations.py",
            "test_nothing_in_src_creates_tables_behind_the_migrations",
        ),
        with_database,
    ),
]

ROUTE_VIOLATIONS = [
    route_contract(
        "a route without an explicit status code",
        replace(HEALTH_ROUTER, '"", status_code=status.HTTP_200_OK, summary=', '"", summary='),
        "test_every_route_declares_its_contract",
    ),
    route_contract(
        "a route without a summary",
        replace(HEALTH_ROUTER, ', summary="Liveness probe")', ")"),
        "test_every_route_declares_its_contract",
    ),
    route_contract(
        "a dependency that runs in the thread pool",
        replace(
            "src/{package}/api/deps.py",
            "async def get_settings_from_app(",
            "def get_settings_from_app(",
        ),
        "test_dependencies_never_run_in_the_thread_pool",
    ),
    route_contract(
        "a create that answers 200",
        replace(ITEMS_ROUTER, "status.HTTP_201_CREATED", "status.HTTP_200_OK"),
        "test_creates_are_201_and_deletes_are_204",
        with_database,
    ),
    route_contract(
        "a create that answers 200",
        replace(TEXT_ROUTER, "status.HTTP_201_CREATED", "status.HTTP_200_OK"),
        "test_creates_are_201_and_deletes_are_204",
        without_database,
    ),
    route_contract(
        "a delete that answers 200",
        replace(ITEMS_ROUTER, "status.HTTP_204_NO_CONTENT", "status.HTTP_200_OK"),
        "test_creates_are_201_and_deletes_are_204",
        with_database,
    ),
    route_contract(
        "an API route that documents no error response",
        replace(ITEMS_ROUTER, "    responses={**error_responses(), 304: NOT_MODIFIED},\n", ""),
        "test_api_routes_document_their_error_responses",
        # With auth, the items router documents 401 and 403 for every route it holds.
        lambda answers: with_database(answers) and not with_auth(answers),
    ),
    route_contract(
        "an API route that documents no error response",
        replace(
            "src/{package}/api/routers/auth.py",
            "    responses=error_responses(reads_body=True),\n",
            "",
        ),
        "test_api_routes_document_their_error_responses",
        with_auth,
    ),
    route_contract(
        "an API route that documents no error response",
        replace(TEXT_ROUTER, "    responses=error_responses(reads_body=True),\n", ""),
        "test_api_routes_document_their_error_responses",
        without_database,
    ),
    route_contract(
        "a path with an underscore",
        replace(ITEMS_ROUTER, 'prefix="/items"', 'prefix="/stock_items"'),
        "test_paths_are_versioned_lowercase_and_hyphenated",
        with_database,
    ),
    route_contract(
        "a path with an underscore",
        replace(TEXT_ROUTER, 'prefix="/text-analyses"', 'prefix="/text_analyses"'),
        "test_paths_are_versioned_lowercase_and_hyphenated",
        without_database,
    ),
    route_contract(
        "a collection named in the singular",
        replace(ITEMS_ROUTER, 'prefix="/items"', 'prefix="/item"'),
        "test_collections_are_named_in_the_plural",
        with_database,
    ),
    route_contract(
        "a collection named in the singular",
        replace(TEXT_ROUTER, 'prefix="/text-analyses"', 'prefix="/text-analysis"'),
        "test_collections_are_named_in_the_plural",
        without_database,
    ),
]

CONTRACT = "tests/api/test_contract.py"

CONTRACT_VIOLATIONS = [
    Violation(
        "an error response the schema does not document",
        replace(
            ITEMS_ROUTER,
            "responses=error_responses(items_service.ItemNameTakenError, reads_body=True),",
            "responses=error_responses(reads_body=True),",
        ),
        *failing_test(CONTRACT, "test_every_operation_keeps_its_contract"),
        with_database,
    ),
    Violation(
        "a page size without its documented cap",
        replace(
            "src/{package}/api/pagination.py",
            "Query(ge=1, le=MAX_PAGE_SIZE,",
            "Query(ge=1,",
        ),
        *failing_test(CONTRACT, "test_every_operation_keeps_its_contract"),
        with_database,
    ),
    Violation(
        "a response that breaks its own schema",
        replace(
            "src/{package}/schemas/text_analysis.py",
            "count: int = Field(ge=1,",
            "count: int = Field(ge=2,",
        ),
        *failing_test(CONTRACT, "test_every_operation_keeps_its_contract"),
        without_database,
    ),
]

SETTINGS_VIOLATIONS = [
    Violation(
        "production accepts wildcard CORS",
        replace(APP_SETTINGS, 'if "*" in self.cors_origins:', "if False:"),
        *failing_test(
            "tests/core/test_config.py", "test_deployed_environments_refuse_wildcard_cors"
        ),
    ),
    Violation(
        "docs are served in production",
        replace(
            APP_SETTINGS, "return self.environment is not Environment.PRODUCTION", "return True"
        ),
        *failing_test("tests/core/test_config.py", "test_docs_are_off_in_production"),
    ),
    Violation(
        "production accepts a weak database password",
        replace(
            "src/{package}/core/settings/database.py",
            'return weak_secret_problem("DATABASE_PASSWORD", self.password.get_secret_value())',
            "return []",
        ),
        *failing_test(
            "tests/core/test_database_settings.py",
            "test_deployed_environments_refuse_weak_database_passwords",
        ),
        with_postgresql,
    ),
    Violation(
        "production accepts a short signing key",
        replace(
            "src/{package}/core/settings/auth.py",
            "MIN_SIGNING_KEY_LENGTH = 32",
            "MIN_SIGNING_KEY_LENGTH = 16",
        ),
        *failing_test(
            "tests/core/test_auth_settings.py", "test_production_refuses_a_weak_signing_key"
        ),
        with_auth,
    ),
]

ERROR_VIOLATIONS = [
    Violation(
        "a 404 with another error code than documented",
        replace("src/{package}/api/errors.py", '404: "not_found",', '404: "missing",'),
        *failing_test("tests/api/test_errors.py", "test_unknown_path_is_404_in_the_error_shape"),
    ),
]

SECURITY_VIOLATIONS = [
    Violation(
        "a response without a security header",
        replace("src/{package}/core/middleware.py", '("X-Content-Type-Options", "nosniff"),', ""),
        *failing_test("tests/api/test_errors.py", "test_every_response_carries_security_headers"),
    ),
    Violation(
        "tokens accepted with an algorithm they choose",
        replace(
            "src/{package}/core/security.py",
            "algorithms=[ALGORITHM],",
            'algorithms=[ALGORITHM, "HS512"],',
        ),
        *failing_test("tests/api/test_auth.py", "test_a_forged_or_expired_token_is_401[algorithm]"),
        with_auth,
    ),
]

DATABASE_VIOLATIONS = [
    Violation(
        "an index named outside the convention",
        append(
            "src/{package}/models/item.py",
            '\nfrom sqlalchemy import Index\n\nIndex("quantity_lookup", Item.quantity)\n',
        ),
        *failing_test(
            "tests/db/test_naming.py", "test_model_constraints_follow_the_naming_convention"
        ),
        with_database,
    ),
    Violation(
        "a model change without a migration",
        replace(
            "src/{package}/models/item.py",
            "    quantity: Mapped[int] = mapped_column(default=0)\n",
            "    quantity: Mapped[int] = mapped_column(default=0)\n"
            "    colour: Mapped[str | None] = mapped_column(String(20))\n",
        ),
        *failing_test("tests/db/test_migrations.py", "test_models_and_migrations_agree"),
        with_database,
    ),
    Violation(
        "a migration file without a date",
        undate_the_migrations,
        *failing_test("tests/db/test_migrations.py", "test_migration_files_have_dated_names"),
        with_database,
    ),
]

VIOLATIONS = [
    *CODE_VIOLATIONS,
    *BANNED_API_VIOLATIONS,
    *LAYERING_VIOLATIONS,
    *WIRING_VIOLATIONS,
    *ROUTE_VIOLATIONS,
    *CONTRACT_VIOLATIONS,
    *SETTINGS_VIOLATIONS,
    *ERROR_VIOLATIONS,
    *SECURITY_VIOLATIONS,
    *DATABASE_VIOLATIONS,
]
