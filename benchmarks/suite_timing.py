"""A pytest plugin that splits a test run's wall time into fixed cost and tests.

The harness copies it next to the rendered project and loads it with `-p suite_timing`;
it writes its figures as JSON to $SUITE_TIMING_FILE. The fixed cost is what a run pays
before and after its tests whatever they are: starting Python, importing pytest and its
plugins, collecting, and setting up (and tearing down) the session-wide fixtures, such
as the database the migrations build. Everything else belongs to the tests.
"""

import json
import os
import time
from collections.abc import Generator
from typing import Any

import pytest

_figures: dict[str, float] = {"fixture_setup_seconds": 0.0}


def pytest_sessionstart(session: pytest.Session) -> None:
    _figures["session_start"] = time.time()


def pytest_collection_finish(session: pytest.Session) -> None:
    _figures["collected"] = time.time()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, Any]:
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        if fixturedef.scope == "session":
            _figures["fixture_setup_seconds"] += time.perf_counter() - started


def pytest_runtest_logfinish() -> None:
    _figures["last_test_done"] = time.time()


def pytest_unconfigure() -> None:
    _figures["finished"] = time.time()
    path = os.environ.get("SUITE_TIMING_FILE")
    if path:
        with open(path, "w") as out:
            json.dump(_figures, out)
