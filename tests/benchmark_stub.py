"""A tiny stand-in for the rendered service, so the benchmark harness can be smoke-tested
without rendering, installing or seeding anything.

    python tests/benchmark_stub.py PORT [--refuse-updates]

It answers /health, lists and creates items the way the service does (JSON, 201 with
the new id), and GET /created returns every id it acknowledged. With
--refuse-updates every PATCH is a 503, as from a service whose database is down.
"""

import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATED: list[str] = []
LOCK = threading.Lock()
REFUSE_UPDATES = "--refuse-updates" in sys.argv


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects

    def _reply(self, status: int, body: object) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._reply(200, {"status": "ok"})
        elif self.path == "/created":
            with LOCK:
                self._reply(200, list(CREATED))
        else:
            self._reply(200, {"items": [], "total": 0, "limit": 20, "offset": 0})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        item_id = str(uuid.uuid4())
        with LOCK:
            CREATED.append(item_id)
        self._reply(201, {"id": item_id, "name": body["name"]})

    def do_PATCH(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if REFUSE_UPDATES:
            self._reply(503, {"code": "database_unavailable"})
        else:
            self._reply(200, {"id": self.path.rsplit("/", 1)[1]})

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
