"""The resource generator: `copier copy -d generate=resource` in a service, and its updates.

Each variant renders a service, adds resources with the copier CLI (between them every
field type and constraint, references between resources, names at their longest) and
runs the service's checks: ruff format and check, strict mypy, lint-imports, and the
resources' tests with the migrations and contract tests (the rest of the service's
suite is the template's, proven by tests/test_render.py). One variant generates at an
earlier template commit, is edited by its team, is updated to the working tree and
gains a field by a changed answer before its checks run. Bad answers are refused before
anything is written.
"""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import commit_all, copy_worktree, git, render, run, run_project_checks
from tests.test_update import assert_merged_cleanly

PACKAGE = "my_service"
# Every type and constraint, and a reference to another resource (and an optional one).
CUSTOMERS = (
    "name: str(100) unique; email: str(320) | None index; vip: bool;"
    " tier: enum(bronze,silver,gold) | None; code: str(8) unique"
)
ORDERS = (
    "quantity: int >= 0; rank: int > 0 < 100 unique; due: date | None; day: date unique;"
    " price: decimal(10,2) >= 0; discount: decimal(4,4) | None; amount: decimal(12,0) unique;"
    " customer_id: ref(customers); backup_customer_id: ref(customers) | None; notes: text;"
    " memo: text | None; placed_at: datetime unique; shipped_at: datetime | None;"
    " token: uuid | None; serial: uuid unique; state: enum(new,paid) index;"
    " label: str(40) | None index; level: int <= -1; score: int >= -5 <= 5; gift: bool | None"
)
# Names at their longest (24 and 30 characters), for the lines they make.
LONGEST = (
    "maximum_permitted_quantity_x: int >= 0 unique; a_thirty_character_field_named: int;"
    " referenced_customer_account_id: ref(customers);"
    " a_rather_long_decimal_field_ab: decimal(38,10) | None"
)
# The resources' own tests, the models == migrations test and the contract test.
RESOURCE_TESTS = ("tests/api", "tests/db/test_migrations.py", "tests/db/test_naming.py")


def generate(
    service: Path, template: Path, resource: str, fields: str, *data: str, ref: str = "HEAD"
) -> subprocess.CompletedProcess[str]:
    """`copier copy -d generate=resource ...` in the service's root, from PATH's copier."""
    arguments = [argument for pair in data for argument in ("-d", pair)]
    command = ["copier", "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", ref]
    return subprocess.run(
        [
            *command,
            *("-d", "generate=resource", "-d", f"resource={resource}", "-d", f"fields={fields}"),
            *arguments,
            str(template),
            ".",
        ],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )


def generated(
    service: Path, template: Path, resource: str, fields: str, *data: str, ref: str = "HEAD"
) -> None:
    result = generate(service, template, resource, fields, *data, ref=ref)
    assert result.returncode == 0, result.stderr
    commit_all(service, f"Add the {resource} resource")


def make_service(
    template: Path, destination: Path, answers: dict[str, Any], ref: str = "HEAD"
) -> Path:
    render(template, destination, {"project_name": "My Service", **answers}, vcs_ref=ref)
    git(destination, "init", "-q")
    commit_all(destination, "Scaffold from template")
    return destination


def answers_of(service: Path, resource: str) -> dict[str, Any]:
    answers: dict[str, Any] = yaml.safe_load(
        (service / ".copier" / "resources" / f"{resource}.yml").read_text()
    )
    return answers


@pytest.mark.parametrize(
    ("label", "answers", "data"),
    [
        pytest.param("postgresql-open", {"auth": "none"}, (), id="postgresql-open"),
        pytest.param(
            "sqlite-jwt-shared",
            {"database": "sqlite", "auth": "jwt"},
            ("owned=false",),
            id="sqlite-jwt-shared",
        ),
    ],
)
def test_generated_resources_pass_every_check(
    template: Path, tmp_path: Path, label: str, answers: dict[str, Any], data: tuple[str, ...]
) -> None:
    service = make_service(template, tmp_path / label, answers)

    generated(service, template, "customers", CUSTOMERS, *data)
    generated(service, template, "orders", ORDERS, *data)
    generated(service, template, "scheduled_stock_counts", LONGEST, *data)

    router = (service / "src" / PACKAGE / "api" / "router.py").read_text()
    for resource in ("customers", "orders", "scheduled_stock_counts"):
        assert f"app.include_router({resource}.router, prefix=API_V1)" in router
    run_project_checks(service, f"resources-{label}", *RESOURCE_TESTS)


# --- Updating a generated resource --------------------------------------------------

# The template commit the resource is generated at differs from the working tree here:
# the working tree's service module says how the transaction is owned, the older one
# did not, so the update has something to bring.
OLDER_SERVICE_DOCSTRING_LINE = (
    "The caller's session owns the transaction: these functions flush so that database\n"
)
TEAM_FUNCTION = '''

async def count_orders(session: AsyncSession) -> int:
    """How many orders there are: the team's own use case, kept by every update."""
    return await session.scalar(select(func.count()).select_from(Order)) or 0
'''
TEAM_IMPORT = "from my_service.services.orders import count_orders\n"
TEAM_TEST = """

async def test_the_teams_count_counts(client: AsyncClient, session: AsyncSession) -> None:
    await create_order(client)

    assert await count_orders(session) == 1
"""


def template_history(destination: Path) -> tuple[Path, str]:
    """The working tree at HEAD, and before it an older commit of the resource template."""
    destination.mkdir(parents=True)
    git(destination, "init", "-q")
    copy_worktree(destination)
    service_template = (
        destination / "resource/src/{{ package_name }}/services/{{ resource }}.py.jinja"
    )
    current = service_template.read_text()
    assert OLDER_SERVICE_DOCSTRING_LINE in current
    service_template.write_text(current.replace(OLDER_SERVICE_DOCSTRING_LINE, "", 1))
    commit_all(destination, "older: the resource template before its docstring line")
    older = git(destination, "rev-parse", "HEAD").strip()
    copy_worktree(destination)
    commit_all(destination, "the working tree")
    return destination, older


def test_a_resource_keeps_its_teams_edits_through_an_update_and_gains_a_field(
    tmp_path: Path,
) -> None:
    template, older = template_history(tmp_path / "template")
    service = make_service(template, tmp_path / "service", {"auth": "jwt"}, ref=older)
    generated(service, template, "customers", CUSTOMERS, ref=older)
    generated(service, template, "orders", ORDERS, ref=older)
    generated(service, template, "scheduled_stock_counts", LONGEST, ref=older)
    services_module = service / "src" / PACKAGE / "services" / "orders.py"
    assert OLDER_SERVICE_DOCSTRING_LINE not in services_module.read_text()
    # The team's edits: a use case of their own, and a test of it.
    services_module.write_text(services_module.read_text() + TEAM_FUNCTION)
    tests_module = service / "tests" / "api" / "test_orders.py"
    model_import = f"from {PACKAGE}.models.order import Order\n"
    tests_module.write_text(
        tests_module.read_text().replace(model_import, model_import + TEAM_IMPORT) + TEAM_TEST
    )
    commit_all(service, "The team's count of orders")
    revisions = set((service / "migrations" / "versions").glob("*.py"))
    created = {path: path.read_bytes() for path in revisions}

    update = ["copier", "update", "--trust", "--defaults", "--quiet", "--vcs-ref", "HEAD"]
    run(service, *update, "-a", ".copier/resources/orders.yml")

    assert_merged_cleanly(service)
    text = services_module.read_text()
    assert OLDER_SERVICE_DOCSTRING_LINE in text
    assert TEAM_FUNCTION in text
    assert TEAM_TEST in tests_module.read_text()
    assert not older.startswith(answers_of(service, "orders")["_commit"])
    # A template update changes no field: no revision.
    assert set((service / "migrations" / "versions").glob("*.py")) == revisions
    commit_all(service, "Update orders")
    # The service's own update keeps the resources it was given.
    listed = (service / ".copier" / "resources.yml").read_text()
    run(service, *update)
    assert_merged_cleanly(service)
    router = (service / "src" / PACKAGE / "api" / "router.py").read_text()
    for resource in ("customers", "orders", "scheduled_stock_counts"):
        assert f"app.include_router({resource}.router, prefix=API_V1)" in router
    assert (service / ".copier" / "resources.yml").read_text() == listed
    commit_all(service, "Update the service")

    fields = (
        answers_of(service, "orders")["fields"] + "; weight: decimal(6,3) | None; batch: int >= 1"
    )
    run(service, *update, "-a", ".copier/resources/orders.yml", "-d", f"fields={fields}")

    assert_merged_cleanly(service)
    new = set((service / "migrations" / "versions").glob("*.py")) - revisions
    assert len(new) == 1
    revision = next(iter(new)).read_text()
    assert 'sa.Column("weight"' in revision
    assert 'sa.Column("batch"' in revision
    # The revisions that databases have run already are untouched.
    assert {path: path.read_bytes() for path in revisions} == created
    assert TEAM_FUNCTION in services_module.read_text()
    run_project_checks(service, "resources-updated", *RESOURCE_TESTS)


# --- Bad answers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def service_with_customers(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # With auth=jwt: an owned resource's unique constraints have the longest names.
    service = make_service(
        template, tmp_path_factory.mktemp("refusals") / "service", {"auth": "jwt"}
    )
    generated(service, template, "customers", CUSTOMERS)
    return service


@pytest.mark.parametrize(
    ("resource", "fields", "message"),
    [
        ("customers", "name: str(10)", 'has a resource named "customers" already'),
        ("items", "name: str(10)", "is taken by the template's own modules"),
        ("classes", "name: str(10)", "is or makes a Python keyword"),
        ("order", "name: str(10)", "reads as singular"),
        ("Orders", "name: str(10)", "must be lowercase letters and digits"),
        ("orders", "", "at least one field"),
        ("orders", "name: string", '"string" is not a spec'),
        ("orders", "name: str(0)", "needs a length N from 1 to 10000"),
        ("orders", "price: decimal(2,3)", "a scale S from 0 to P"),
        ("orders", "price: decimal(10,2) > 5", "a decimal field takes one bound, >= 0"),
        ("orders", "quantity: int >= 10 <= 5", "the lower bound must be below the upper bound"),
        ("orders", "quantity: int >= 1.5", "whole-number bounds"),
        ("orders", "quantity: int unique-ish", '"unique-ish" is not a constraint'),
        ("orders", "flag: bool unique", "unique does not apply to bool fields"),
        ("orders", "id: uuid", '"id" is reserved'),
        ("orders", "class: str(10)", '"class" is reserved'),
        ("orders", "name: str(10); name: text", 'Field "name" is given twice'),
        ("orders", "kind: enum(a,a)", "distinct values"),
        ("orders", "customer: ref(customers)", "ends in _id"),
        ("orders", "supplier_id: ref(suppliers)", "refers to no resource of this service"),
        ("orders", "missing colon", "is not a field"),
        (
            "scheduled_stock_counts",
            "a_thirty_character_field_named: int unique",
            "over the 63 PostgreSQL allows",
        ),
    ],
)
def test_a_bad_answer_is_refused_saying_what_is_allowed_and_nothing_is_written(
    service_with_customers: Path, template: Path, resource: str, fields: str, message: str
) -> None:
    result = generate(service_with_customers, template, resource, fields)

    assert result.returncode != 0
    assert message in result.stderr
    assert git(service_with_customers, "status", "--porcelain") == ""


def test_a_service_without_a_database_refuses_a_resource(template: Path, tmp_path: Path) -> None:
    service = make_service(template, tmp_path / "stateless", {"database": "none"})

    result = generate(service, template, "orders", "name: str(10)")

    assert result.returncode != 0
    assert "made with database=none" in result.stderr
    assert git(service, "status", "--porcelain") == ""


def test_a_resource_outside_a_service_is_refused(template: Path, tmp_path: Path) -> None:
    empty = tmp_path / "not-a-service"
    empty.mkdir()

    result = generate(empty, template, "orders", "name: str(10)")

    assert result.returncode != 0
    assert "run this command in the service's root" in result.stderr
    assert list(empty.iterdir()) == []


def test_an_update_refuses_to_change_a_fields_spec(
    service_with_customers: Path, template: Path
) -> None:
    fields = CUSTOMERS.replace("name: str(100) unique", "name: str(200) unique")
    update = ["copier", "update", "--trust", "--defaults", "--quiet", "--vcs-ref", "HEAD"]

    result = subprocess.run(
        [*update, "-a", ".copier/resources/customers.yml", "-d", f"fields={fields}"],
        cwd=service_with_customers,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert 'Field "name" changes its spec in an update' in result.stderr
    assert git(service_with_customers, "status", "--porcelain") == ""
