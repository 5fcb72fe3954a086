"""Baseline apps the rendered service is measured against.

They run in the rendered project's virtualenv (which has FastAPI, uvicorn, SQLAlchemy
and asyncpg), served by plain `uvicorn` with its defaults, access log included.
"""
