"""Database plumbing: the declarative base and the async engine."""
