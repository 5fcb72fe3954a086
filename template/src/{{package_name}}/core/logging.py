"""Structured JSON logs for the service and for every library that logs through stdlib."""

import logging.config
import sys
from typing import Any

import structlog

# Applied to stdlib records (uvicorn, gunicorn, sqlalchemy) before rendering,
# so they carry the same keys as the service's own structlog events.
_SHARED_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _renderer(*, json: bool) -> structlog.typing.Processor:
    if json:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer()


def logging_config(*, level: str = "INFO", json: bool = True) -> dict[str, Any]:
    """A `logging.config.dictConfig` that renders stdlib records like structlog events.

    gunicorn.conf.py passes the same dictionary to gunicorn, so the master's lines
    are JSON too.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _SHARED_PROCESSORS,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    _renderer(json=json),
                ],
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # The access log is written by RequestContextMiddleware, once per request.
            "uvicorn.access": {"handlers": [], "propagate": False},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "gunicorn.access": {"handlers": [], "propagate": False},
            "gunicorn.error": {"handlers": [], "propagate": True},
        },
    }


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """Route stdlib logging and structlog to one JSON (or console) stream on stdout."""
    logging.config.dictConfig(logging_config(level=level, json=json))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _renderer(json=json),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.WriteLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )
