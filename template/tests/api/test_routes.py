"""Every route documents its contract, so clients and the OpenAPI docs can rely on it."""

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

PATH_SEGMENT = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*|\{[a-z_]+\})$")


def api_routes(app: FastAPI) -> list[RouteContext]:
    """Every endpoint with its effective path and settings, included routers flattened."""
    routes = [
        route
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute)
    ]
    assert routes, "no API route found"
    return routes


def test_every_route_declares_its_contract(app: FastAPI) -> None:
    for route in api_routes(app):
        where = f"{sorted(route.methods or ())} {route.path}"
        assert route.summary, f"{where} has no summary"
        assert route.description, f"{where} has no docstring"
        assert route.tags, f"{where} has no tags"
        assert route.status_code is not None, f"{where} has no explicit status_code"
        if route.status_code != 204:
            assert route.response_model is not None, f"{where} has no response model"


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from dependency_calls(dependency)


def runs_on_the_event_loop(call: Callable[..., Any]) -> bool:
    target = call if inspect.isroutine(call) or inspect.isclass(call) else type(call).__call__
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


def test_dependencies_never_run_in_the_thread_pool(app: FastAPI) -> None:
    """FastAPI runs a plain `def` dependency (or a class) in a worker thread on every
    request, which costs far more than the work a dependency usually does."""
    for route in api_routes(app):
        for call in dependency_calls(route.dependant):
            name = getattr(call, "__qualname__", repr(call))
            assert runs_on_the_event_loop(call), f"{route.path}: {name} is not async"


def test_creates_are_201_and_deletes_are_204(app: FastAPI) -> None:
    for route in api_routes(app):
        methods = route.methods or set()
        if "POST" in methods:
            assert route.status_code == 201, route.path
        if "DELETE" in methods:
            assert route.status_code == 204, route.path


def test_api_routes_document_their_error_responses(app: FastAPI) -> None:
    for route in api_routes(app):
        if (route.path or "").startswith("/api/"):
            assert any(int(code) >= 400 for code in route.responses), route.path


def test_paths_are_versioned_lowercase_and_hyphenated(app: FastAPI) -> None:
    for route in api_routes(app):
        path = route.path or ""
        if path.startswith("/health"):
            continue
        assert path.startswith("/api/v1/"), path
        for segment in path.removeprefix("/api/v1/").split("/"):
            assert PATH_SEGMENT.match(segment), f"{path}: {segment!r}"
