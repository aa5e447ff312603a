"""An OTLP/HTTP endpoint that takes every export and discards it, for `catalog-1w-traced`:
the cost measured is the service's (spans made, sampled, batched, encoded and sent), not a
collector's. It runs in a thread of the driver while the bench runs."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 8108
# The traced app's settings: the standard ones, sampling 10% of the traces.
TRACED_ENV = {
    "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{PORT}",
    "OTEL_SERVICE_NAME": "catalog-bench",
    "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
    "OTEL_TRACES_SAMPLER_ARG": "0.1",
}


class _Discard(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def start_sink() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _Discard)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
