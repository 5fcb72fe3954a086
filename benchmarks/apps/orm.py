"""A minimal SQLAlchemy-async ORM endpoint: a session per request, 20 rows, no count.

What a tutorial would write: a module-level engine with default pool settings, a
session dependency and a `response_model` built from ORM objects.
"""

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import DateTime, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.apps.schema import ItemOut, database_url

engine = create_async_engine(database_url().replace("postgresql://", "postgresql+asyncpg://", 1))
Session = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None]
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Session() as session:
        yield session


app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/items", response_model=list[ItemOut])
async def list_items(session: AsyncSession = Depends(get_session)) -> Sequence[Item]:  # noqa: B008
    query = select(Item).order_by(Item.created_at.desc(), Item.id).limit(20)
    return (await session.scalars(query)).all()
