"""Bare FastAPI: one route returning the same small JSON as the service's `/health`."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
