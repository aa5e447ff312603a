"""OpenTelemetry spans for the adapters, off until `enable(provider)` (entrypoints/tracing.py
does it when the `OTEL_*` settings ask for traces). Only the OpenTelemetry API is used here,
never the SDK; while off, every function returns at its first test.

Through the outbox: `stamp` keeps the W3C trace context of the current span (`traceparent`,
`tracestate`) on each outbox record; the relay's `publish_span` continues that trace and
links to it, and the CloudEvent carries it (adapters/nats/cloudevents.py).
"""

import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind, Tracer, TracerProvider
from sqlalchemy import Connection, Engine, event

from application.outbox import OutboxRecord
from application.writes import Keep, Rule, Writes

T = TypeVar("T")

SCOPE = "catalog"
_HEADERS = ("traceparent", "tracestate")
_tracer: Tracer | None = None
_provider: TracerProvider | None = None
_observed: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def enable(provider: TracerProvider) -> None:
    global _tracer, _provider
    _provider, _tracer = provider, provider.get_tracer(SCOPE)
    if not event.contains(Engine, "engine_connect", _observe_engine):
        event.listen(Engine, "engine_connect", _observe_engine)


def disable() -> None:
    global _tracer, _provider
    _provider = _tracer = None
    if event.contains(Engine, "engine_connect", _observe_engine):
        event.remove(Engine, "engine_connect", _observe_engine)


def enabled() -> bool:
    return _tracer is not None


def provider() -> TracerProvider | None:
    return _provider


def _observe_engine(connection: Connection) -> None:
    """A span per SQL statement on the engine of `connection` (OpenTelemetry's SQLAlchemy
    instrumentation), attached at the first connection of each engine of the process."""
    engine = connection.engine
    if _provider is None or engine in _observed:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeter

    _observed.add(engine)
    usage = NoOpMeter(SCOPE).create_up_down_counter("db.client.connections.usage")
    tracer = _provider.get_tracer("catalog.sql")
    EngineTracer(tracer, engine, usage)  # type: ignore[no-untyped-call]


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[None]:
    """A span around the block (the current span's child), or nothing while off."""
    if _tracer is None:
        yield
        return
    with _tracer.start_as_current_span(name, attributes=attributes):
        yield


def use_case_name(rule: Rule[Any]) -> str:
    """ "items.CreateItem" for a rule defined in CreateItem.__call__ (application/items.py)."""
    return f"{rule.__module__.rsplit('.', 1)[-1]}.{rule.__qualname__.split('.', 1)[0]}"


class TracedWrites(Writes):
    """The write path (application/writes.py) with a span per use case while tracing is on:
    the unit of work, its statements and its outbox rows happen inside it."""

    async def _commit(self, rule: Rule[T], keep: Keep[T] | None = None) -> T:
        if _tracer is None:
            return await super()._commit(rule, keep)
        name = use_case_name(rule)
        with _tracer.start_as_current_span(name, attributes={"code.function": rule.__qualname__}):
            return await super()._commit(rule, keep)


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) of the current span as hex, for log lines; None outside one."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def carrier() -> dict[str, str]:
    """The current span's W3C trace context headers; empty outside a span or while off."""
    if _tracer is None:
        return {}
    headers: dict[str, str] = {}
    propagate.inject(headers)
    return {name: headers[name] for name in _HEADERS if name in headers}


def stamp(records: Sequence[OutboxRecord]) -> list[OutboxRecord]:
    """The records, each with the current trace context (unchanged while off)."""
    context = carrier()
    if not context:
        return list(records)
    return [replace(record, trace_context=context) for record in records]


def trace_id_of(trace_context: Mapping[str, Any]) -> str | None:
    """The trace id in a `traceparent` (version-traceid-spanid-flags), if well formed."""
    parts = str(trace_context.get("traceparent", "")).split("-")
    if len(parts) != 4 or len(parts[1]) != 32:
        return None
    return parts[1]


@contextmanager
def publish_span(record: OutboxRecord, *, destination: str) -> Iterator[None]:
    """The relay's span for sending one event: in the trace of the request that wrote the
    event (its outbox row's context), with a link to that context too."""
    if _tracer is None:
        yield
        return
    parent = propagate.extract(record.trace_context)
    stored = trace.get_current_span(parent).get_span_context()
    links = [Link(stored, {"catalog.link": "outbox row"})] if stored.is_valid else []
    attributes = {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": destination,
        "messaging.message.id": str(record.event_id),
    }
    with _tracer.start_as_current_span(
        f"send {destination}",
        context=parent,
        kind=SpanKind.PRODUCER,
        links=links,
        attributes=attributes,
    ):
        yield
