"""Cross-cutting plumbing: settings, errors, logging and middleware.

Every layer may import `core`; `core` imports none of them.
"""
