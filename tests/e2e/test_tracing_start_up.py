"""Tracing as a fresh process sees it: nothing of the SDK loaded while off, and an exporter it
cannot build stops `catalog serve` in one line. (Subprocesses, so not in the unit suite.)"""

import os
import subprocess
import sys


def test_an_app_without_otel_settings_loads_no_tracing_sdk_and_no_exporter() -> None:
    # (The redis client imports the SDK's metrics package for its own observability.)
    code = (
        "import sys\n"
        "from opentelemetry import trace\n"
        "from entrypoints.http.app import create_app\n"
        "from entrypoints.settings import Settings\n"
        "create_app(Settings(_env_file=None, database_url='memory://'))\n"
        "prefixes = ('opentelemetry.sdk.trace', 'opentelemetry.exporter',\n"
        "            'opentelemetry.instrumentation.sqlalchemy')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(prefixes))\n"
        "assert not loaded, loaded\n"
        "assert type(trace.get_tracer_provider()).__name__ == 'ProxyTracerProvider'\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CATALOG_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_an_unsupported_exporter_is_refused_at_start_up_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CATALOG_"))}
    env |= {"CATALOG_DATABASE_URL": "memory://", "OTEL_TRACES_EXPORTER": "jaeger"}
    catalog = os.path.join(os.path.dirname(sys.executable), "catalog")
    result = subprocess.run(
        [catalog, "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "catalog: error: ValueError: OTEL_TRACES_EXPORTER: jaeger unsupported (otlp, console)"
    ]
