"""Structured logs: JSON for machines, readable lines for people, the request id on each
(and the trace and span ids, when tracing is on).

The service logs through structlog (`structlog.get_logger(...)`); the standard library's
loggers (uvicorn, SQLAlchemy, alembic) are rendered by the same processors, so every line on
standard error has one shape. Keys that could hold a secret are masked, whoever logs them.
"""

import logging
import sys
import time
from contextvars import ContextVar
from typing import Protocol, TextIO

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from adapters import tracing

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_SENSITIVE = frozenset(
    {"password", "password_hash", "token", "access_token", "authorization", "secret", "jwt"}
)
_HANDLER_NAME = "catalog"
_ROUTED = ("uvicorn", "uvicorn.error", "uvicorn.asgi")
_SILENCED = ("uvicorn.access",)  # AccessLogMiddleware logs each request, with its id
_CHATTY = ("alembic.runtime.plugins",)  # one INFO line per plugin, on every start
_MIGRATION = "alembic.runtime.migration"


class _AppliedRevisionsOnly(logging.Filter):
    """Alembic announces its set-up ("Context impl SQLiteImpl.", "Will assume transactional
    DDL.") at INFO on every run; only the revisions it applies are news."""

    _SET_UP = ("Context impl ", "Will assume ")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self._SET_UP)


class LoggingSettings(Protocol):
    @property
    def log_level(self) -> str: ...

    @property
    def log_format(self) -> str: ...


def add_request_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    request_id = request_id_var.get()
    if request_id is not None:
        event["request_id"] = request_id
    return event


def add_trace_ids(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    ids = tracing.current_ids()
    if ids is not None:
        event["trace_id"], event["span_id"] = ids
    return event


def add_logger_name(logger: WrappedLogger, __: str, event: EventDict) -> EventDict:
    name = getattr(logger, "name", None)
    if name:
        event.setdefault("logger", name)
    return event


class _IsoTimestamp:
    """`timestamp` as ISO 8601 UTC with microseconds, formatting the date and time only
    once per second (structlog's TimeStamper formats a datetime on every line)."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, _: WrappedLogger, __: str, event: EventDict) -> EventDict:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        event["timestamp"] = f"{self._prefix}.{int((now - second) * 1e6):06d}Z"
        return event


def mask_secrets(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    for key in _SENSITIVE.intersection(event):
        event[key] = "***"
    return event


def render_json(_: WrappedLogger, __: str, event: EventDict) -> str:
    return orjson.dumps(event, default=str).decode()


def wants_json(log_format: str, stream: TextIO) -> bool:
    if log_format == "auto":
        return not stream.isatty()
    return log_format == "json"


class _StderrLogger:
    """Writes each line to the current `sys.stderr` in one call (no stale stream when a
    test runner swaps it, no interleaving with the standard library's handler)."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def msg(self, message: str) -> None:
        sys.stderr.write(message + "\n")

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


class _StderrHandler(logging.StreamHandler[TextIO]):
    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def configure_logging(settings: LoggingSettings) -> None:
    """Idempotent: configuring again replaces the previous set-up."""
    level = logging.getLevelNamesMapping()[settings.log_level.upper()]
    as_json = wants_json(settings.log_format, sys.stderr)
    renderer: Processor = (
        render_json if as_json else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[Processor] = [
        add_request_id,
        structlog.processors.add_log_level,
        _IsoTimestamp(),
        mask_secrets,
    ]
    if tracing.enabled():  # only then: a lookup per line otherwise spent for nothing
        shared.insert(1, add_trace_ids)
    if as_json:
        shared.append(structlog.processors.format_exc_info)
    structlog.configure(
        processors=[add_logger_name, *shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_StderrLogger,
        cache_logger_on_first_use=False,
    )
    _route_standard_logging(level, shared, renderer)


def _route_standard_logging(level: int, shared: list[Processor], renderer: Processor) -> None:
    handler = _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    migration = logging.getLogger(_MIGRATION)
    for old_filter in [f for f in migration.filters if isinstance(f, _AppliedRevisionsOnly)]:
        migration.removeFilter(old_filter)
    migration.addFilter(_AppliedRevisionsOnly())
    for name in (*_ROUTED, *_SILENCED):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = name in _ROUTED
