"""Every route documents its contract, so clients and the OpenAPI docs can rely on it."""

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute

PATH_SEGMENT = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*|\{[a-z_]+\})$")


def api_routes(app: FastAPI) -> list[APIRoute]:
    return [route for route in app.routes if isinstance(route, APIRoute)]


def test_every_route_declares_its_contract(app: FastAPI) -> None:
    for route in api_routes(app):
        where = f"{sorted(route.methods or ())} {route.path}"
        assert route.summary, f"{where} has no summary"
        assert route.description, f"{where} has no docstring"
        assert route.tags, f"{where} has no tags"
        assert route.status_code is not None, f"{where} has no explicit status_code"
        if route.status_code != 204:
            assert route.response_model is not None, f"{where} has no response model"


def test_creates_are_201_and_deletes_are_204(app: FastAPI) -> None:
    for route in api_routes(app):
        methods = route.methods or set()
        if "POST" in methods:
            assert route.status_code == 201, route.path
        if "DELETE" in methods:
            assert route.status_code == 204, route.path


def test_api_routes_document_their_error_responses(app: FastAPI) -> None:
    for route in api_routes(app):
        if route.path.startswith("/api/"):
            assert any(int(code) >= 400 for code in route.responses), route.path


def test_paths_are_versioned_lowercase_and_hyphenated(app: FastAPI) -> None:
    for route in api_routes(app):
        if route.path.startswith("/health"):
            continue
        assert route.path.startswith("/api/v1/"), route.path
        for segment in route.path.removeprefix("/api/v1/").split("/"):
            assert PATH_SEGMENT.match(segment), f"{route.path}: {segment!r}"
