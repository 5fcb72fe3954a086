"""What the database baselines share: the row query, its response model, the database URL."""

import os
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

# The same page the service's list endpoint reads: newest first, 20 rows.
PAGE_SQL = (
    "SELECT id, name, description, quantity, status, created_at, updated_at "
    "FROM item ORDER BY created_at DESC, id LIMIT 20"
)

ONE_SQL = (
    "SELECT id, name, description, quantity, status, created_at, updated_at FROM item WHERE id = $1"
)
INSERT_SQL = (
    "INSERT INTO item (id, name, description, quantity, status, created_at, updated_at) "
    "VALUES ($1, $2, NULL, $3, 'draft', now(), now()) "
    "RETURNING id, name, description, quantity, status, created_at, updated_at"
)


def database_url() -> str:
    """`postgresql://...` of the seeded benchmark database, set by the harness."""
    return os.environ["BENCH_DATABASE_URL"]


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    quantity: int
    status: str
    created_at: datetime
    updated_at: datetime


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    quantity: int = Field(default=0, ge=0)
