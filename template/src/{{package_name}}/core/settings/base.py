"""What every settings section shares."""

from enum import StrEnum

from pydantic_settings import BaseSettings

# Passwords and keys that ship in examples and tutorials; never acceptable when deployed.
KNOWN_WEAK_SECRETS = frozenset(
    {"", "admin", "changeme", "changethis", "password", "postgres", "secret"}
)
MIN_SECRET_LENGTH = 12


class Environment(StrEnum):
    LOCAL = "local"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"

    @property
    def is_deployed(self) -> bool:
        """Staging and production hold real data and must be configured strictly."""
        return self in {Environment.STAGING, Environment.PRODUCTION}


class SettingsSection(BaseSettings):
    """One concern's settings, read from its own `PREFIX_*` variables and `.env`."""

    def deployment_problems(self) -> list[str]:
        """Reasons this section is unsafe in staging or production; empty when fine."""
        return []


def weak_secret_problem(name: str, secret: str) -> list[str]:
    if secret.lower() in KNOWN_WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        return [f"{name} must be a real secret of at least {MIN_SECRET_LENGTH} characters"]
    return []
