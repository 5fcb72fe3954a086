"""The HTTP layer: routers, dependencies and the mapping of errors to responses."""
