"""Settings, one class per concern, read from the environment and `.env`."""

from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Self

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import URL

# Passwords that ship in examples and tutorials; never acceptable outside local/test.
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


class AppSettings(BaseSettings):
    """How the service behaves: environment, logging, HTTP limits."""

    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env", extra="ignore")

    name: str = "service"
    environment: Environment = Environment.PRODUCTION
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
    log_json: bool = True
    cors_origins: list[str] = []
    max_body_bytes: Annotated[int, Field(gt=0)] = 1_048_576

    @property
    def docs_enabled(self) -> bool:
        return self.environment is not Environment.PRODUCTION


class DatabaseSettings(BaseSettings):
    """Where PostgreSQL is and how the connection pool behaves."""

    model_config = SettingsConfigDict(env_prefix="DATABASE_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: Annotated[int, Field(gt=0, lt=65536)] = 5432
    user: str = "postgres"
    password: SecretStr
    name: str
    pool_size: Annotated[int, Field(ge=1)] = 10
    max_overflow: Annotated[int, Field(ge=0)] = 10
    pool_timeout_seconds: Annotated[float, Field(gt=0)] = 5.0
    connect_timeout_seconds: Annotated[float, Field(gt=0)] = 3.0
    command_timeout_seconds: Annotated[float, Field(gt=0)] = 10.0
    readiness_timeout_seconds: Annotated[float, Field(gt=0)] = 1.0

    @property
    def url(self) -> URL:
        return URL.create(
            "postgresql+asyncpg",
            username=self.user,
            password=self.password.get_secret_value(),
            host=self.host,
            port=self.port,
            database=self.name,
        )


class Settings(BaseModel):
    """All settings; checks that span concerns live here."""

    app: AppSettings
    database: DatabaseSettings

    @model_validator(mode="after")
    def refuse_unsafe_deployments(self) -> Self:
        if not self.app.environment.is_deployed:
            return self
        password = self.database.password.get_secret_value()
        if password.lower() in KNOWN_WEAK_SECRETS or len(password) < MIN_SECRET_LENGTH:
            msg = (
                f"DATABASE_PASSWORD must be a real secret of at least {MIN_SECRET_LENGTH} "
                f"characters in {self.app.environment}"
            )
            raise ValueError(msg)
        if "*" in self.app.cors_origins:
            msg = f"APP_CORS_ORIGINS must list explicit origins in {self.app.environment}, not '*'"
            raise ValueError(msg)
        return self


@lru_cache
def get_settings() -> Settings:
    """Read settings once per process; fails fast on missing or unsafe values."""
    return Settings(app=AppSettings(), database=DatabaseSettings())
