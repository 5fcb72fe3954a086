"""Helpers for the tests: building databases, starting servers."""
