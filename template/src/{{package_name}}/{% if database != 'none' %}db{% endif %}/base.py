"""Declarative base shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Predictable constraint names make migrations reviewable and reversible.
NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class _NaiveAsUTC(TypeDecorator[datetime]):
    """Reads SQLite's naive datetimes (stored in UTC) back as timezone-aware ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# A timezone-aware datetime on every database. PostgreSQL's timestamptz comes back
# aware already, so there the plain type is used, without a Python call per value read.
UTCDateTime = DateTime(timezone=True).with_variant(_NaiveAsUTC(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Server-generated values come back with RETURNING, so no lazy load follows a flush.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 - read by the mapper, never mutated


class TimestampMixin:
    """`created_at` and `updated_at`, set by the database in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )
