"""Structured JSON logs for the service and for every library that logs through stdlib."""

import logging.config
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger


def _add_timestamp(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # A datetime, not a string: orjson writes it in ISO 8601 (UTC, "Z") for a
    # fraction of the cost of `isoformat()`, and every request logs a line.
    event_dict["timestamp"] = datetime.now(UTC)
    return event_dict


def _dumps_str(value: Any, **options: Any) -> str:
    return orjson.dumps(value, **options).decode()


def _timestamper(*, json: bool) -> Processor:
    if json:
        return _add_timestamp
    return structlog.processors.TimeStamper(fmt="iso", utc=True)


def _renderer(*, json: bool, to_bytes: bool) -> Processor:
    """orjson for JSON (bytes for structlog's own events, str for stdlib's formatter)."""
    if json:
        dumps = orjson.dumps if to_bytes else _dumps_str
        return structlog.processors.JSONRenderer(serializer=dumps, option=orjson.OPT_UTC_Z)
    return structlog.dev.ConsoleRenderer()


def _logger_factory(*, json: bool) -> Callable[..., WrappedLogger]:
    if json:
        # Bytes straight to stdout's buffer: no decoding and re-encoding per line.
        return structlog.BytesLoggerFactory(file=sys.stdout.buffer)
    return structlog.WriteLoggerFactory(file=sys.stdout)


def logging_config(*, level: str = "INFO", json: bool = True) -> dict[str, Any]:
    """A `logging.config.dictConfig` that renders stdlib records like structlog events.

    gunicorn.conf.py passes the same dictionary to gunicorn, so the master's lines
    are JSON too.
    """
    # Applied to stdlib records (uvicorn, gunicorn, sqlalchemy) before rendering,
    # so they carry the same keys as the service's own structlog events.
    foreign_pre_chain = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _timestamper(json=json),
    ]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": foreign_pre_chain,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    _renderer(json=json, to_bytes=False),
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
            _timestamper(json=json),
            structlog.processors.format_exc_info,
            _renderer(json=json, to_bytes=True),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=_logger_factory(json=json),
        cache_logger_on_first_use=True,
    )
