"""Jobs the task-queue worker runs, and how the worker is configured.

A job is to the worker what a route is to the API: it unpacks its arguments,
calls a service, and owns the transaction. Business logic stays in `services/`.
"""
