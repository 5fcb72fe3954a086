"""Operation ids that a client generated from the OpenAPI schema can use as names.

FastAPI's default id joins the function's name, the path and the method
(`list_items_api_v1_items_get`), and client generators turn the id into the method's
name. Here it is the router's first tag and the function's name (`items-list_items`):
it stays the same when a path or prefix changes, and it is unique as long as the
functions of one router are (tests/api/test_route_contracts.py checks that every id is).
"""

from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """`<tag>-<function>`, or the function's name alone for a route without tags."""
    if not route.tags:
        return route.name
    return f"{route.tags[0]}-{route.name}"
