"""Traces from the standard OpenTelemetry settings, off unless they ask for them.

On when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or
`OTEL_TRACES_EXPORTER` is set (and neither `OTEL_TRACES_EXPORTER=none` nor
`OTEL_SDK_DISABLED=true`). Then the SDK is imported and reads the rest itself:
`OTEL_SERVICE_NAME` (default `catalog`), `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`
and `_ARG`, `OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_*`; spans leave by OTLP over HTTP/protobuf
(`otlp`, the default) or go to standard output (`console`). Off, nothing is imported and
nothing is exported: the process is as if this module did not exist.
"""

import os
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace

from adapters import tracing
from adapters.tracing import TracedWrites, trace_id_of

__all__ = ["TracedWrites", "configure_tracing", "fastapi_telemetry", "trace_id_of", "wanted"]

EXPORTERS = ("otlp", "console")
# Not traced: the scrapes and probes that arrive every few seconds.
_UNTRACED = frozenset({"/metrics", "/health/live", "/health/ready"})


def wanted(env: Mapping[str, str] = os.environ) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return bool(exporter) or any(env.get(name) for name in endpoints)


def configure_tracing(env: Mapping[str, str] = os.environ) -> trace.TracerProvider | None:
    """The process's tracer provider, made once from `env` (None when traces are off)."""
    if tracing.enabled():
        return tracing.provider()
    if not wanted(env):
        return None
    provider = _provider(env)
    trace.set_tracer_provider(provider)
    tracing.enable(provider)
    return provider


def _provider(env: Mapping[str, str]) -> trace.TracerProvider:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    named = "OTEL_SERVICE_NAME" in env or "service.name" in env.get("OTEL_RESOURCE_ATTRIBUTES", "")
    resource = Resource.create({} if named else {"service.name": "catalog"})
    provider = TracerProvider(resource=resource)
    for name in _exporter_names(env):
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    return provider


def _exporter_names(env: Mapping[str, str]) -> list[str]:
    names = [n.strip().lower() for n in env.get("OTEL_TRACES_EXPORTER", "otlp").split(",")]
    unknown = [name for name in names if name not in EXPORTERS]
    if unknown:
        raise ValueError(f"OTEL_TRACES_EXPORTER: {', '.join(unknown)} unsupported (otlp, console)")
    return names


def _exporter(name: str) -> Any:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def fastapi_telemetry(provider: trace.TracerProvider | None) -> dict[str, Any]:
    """`FastAPI(telemetry=…)`: its native server span per request on `provider`, or off
    (FastAPI would otherwise look up the global providers on every request)."""
    if provider is None:
        return {"tracing": False, "metrics": False, "logs": False}
    return {
        "tracer_provider": provider,
        "tracing": True,
        "metrics": False,  # the service's metrics are Prometheus'
        "logs": False,
        "operation_spans": False,  # the use case and SQL spans say more, at less cost
        "auto_configure": False,
        "exclude": lambda scope: scope.get("path") in _UNTRACED,
    }
