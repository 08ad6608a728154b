"""A small fault-injecting HTTP proxy for the emulator tests (loopback only).

Every request is forwarded to the upstream emulator unless a queued :class:`Fault` matches it
first. The proxy records each request (method, path, headers, body size) so tests can count
round trips and check what was sent (e.g. the Authorization header). It also answers, by itself,
the OAuth token endpoint (``POST /token``) and the metadata server's token path, for the auth tests.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Fault:
    """What to do with the next ``times`` requests whose ``METHOD path`` matches ``match`` (regex).

    kind: ``status`` (answer ``status`` with a Google-style JSON error), ``drop`` (forward, then
    send the headers and half the body and close the connection), ``malformed`` (answer 200 with
    a body that is not JSON).
    """

    match: str
    kind: str
    times: int = 1
    status: int = 500
    hits: int = 0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes = b""
    faulted: str = ""
    seconds: float = 0.0


@dataclass
class TokenEndpoint:
    """The fake OAuth server: hands out ``token`` and keeps the forms it received."""

    token: str = "ya29.test-token-0123456789"
    expires_in: int = 3600
    forms: list = field(default_factory=list)


class FaultProxy:
    """Starts on a free loopback port in a thread; ``url`` is its root. Thread-safe."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.tokens = TokenEndpoint()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                rec = Recorded(self.command, self.path, dict(self.headers.items()), body)
                fault = proxy._take_fault(f"{self.command} {self.path}")
                if self.path.startswith("/token") or "/computeMetadata/" in self.path:
                    proxy._record(rec, "token")
                    return self._token(body)
                proxy._record(rec, fault.kind if fault else "")
                if fault and fault.kind == "status":
                    return self._reply(
                        fault.status,
                        json.dumps(
                            {
                                "error": {
                                    "code": fault.status,
                                    "message": f"injected HTTP {fault.status}",
                                    "errors": [{"reason": "backendError", "message": "injected"}],
                                }
                            }
                        ).encode(),
                        extra={"Retry-After": "0"} if fault.status == 429 else None,
                    )
                if fault and fault.kind == "malformed":
                    return self._reply(200, b'{"kind": "bigquery#queryResponse", "rows": [{"f": [')
                t0 = time.perf_counter()
                status, headers, payload = proxy._forward(self.command, self.path, self.headers, body)
                rec.seconds = time.perf_counter() - t0
                if fault and fault.kind == "drop":
                    self.send_response(status)
                    self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                return self._reply(status, payload, content_type=headers.get("Content-Type"))

            def _token(self, body: bytes):
                proxy.tokens.forms.append(urllib.parse.parse_qs(body.decode()))
                return self._reply(
                    200,
                    json.dumps(
                        {
                            "access_token": proxy.tokens.token,
                            "token_type": "Bearer",
                            "expires_in": proxy.tokens.expires_in,
                        }
                    ).encode(),
                )

            def _reply(self, status, payload, content_type=None, extra=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type or "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # -- bookkeeping ---------------------------------------------------------------------------
    def _record(self, rec: Recorded, faulted: str) -> None:
        rec.faulted = faulted
        with self._lock:
            self.requests.append(rec)

    def _take_fault(self, line: str):
        with self._lock:
            for f in self.faults:
                if f.hits < f.times and re.search(f.match, line):
                    f.hits += 1
                    return f
        return None

    def _forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=300)
        try:
            fwd = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection", "accept-encoding")}
            conn.request(method, path, body=body or None, headers=fwd)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def add_fault(self, match: str, kind: str, times: int = 1, status: int = 500) -> Fault:
        f = Fault(match, kind, times, status)
        with self._lock:
            self.faults.append(f)
        return f

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults.clear()

    def count(self, pattern: str = "") -> int:
        """Requests (excluding token requests) whose ``METHOD path`` matches ``pattern``."""
        with self._lock:
            return sum(1 for r in self.requests if r.faulted != "token" and re.search(pattern, f"{r.method} {r.path}"))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
