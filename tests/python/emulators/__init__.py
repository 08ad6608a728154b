"""Emulators for the BigQuery and GCS tests, started by the fixtures on loopback ports.

- :func:`start_bigquery`: the PyPI ``bqemulator`` (REST API over DuckDB) in a subprocess, see
  ``bq_main.py`` for why its spatial-extension step is replaced.
- :func:`start_gcs`: the PyPI ``gcp-storage-emulator`` in a thread of the test process.
- :class:`FaultProxy`: our HTTP proxy in front of either, which counts requests and injects
  faults (status codes, a connection dropped mid-body, a malformed JSON body) and doubles as an
  OAuth token endpoint and metadata server for the auth tests.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .proxy import Fault, FaultProxy

HERE = Path(__file__).resolve().parent

__all__ = ["Fault", "FaultProxy", "BigQueryEmulator", "GcsEmulator", "free_port", "start_bigquery", "start_gcs"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BigQueryEmulator:
    """A running bqemulator; ``url`` is its REST root."""

    def __init__(self, proc: subprocess.Popen, port: int, project: str, log: Path) -> None:
        self.proc, self.port, self.project, self.log = proc, port, project, log
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_bigquery(project: str, log_dir: Path, timeout: float = 90.0) -> BigQueryEmulator:
    """Starts bqemulator on a free loopback port and waits until its REST API answers."""
    port = free_port()
    log = log_dir / f"bqemulator-{port}.log"
    env = dict(os.environ, BQEMU_LOG_LEVEL="warning")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "bq_main.py"), str(port), project],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    emu = BigQueryEmulator(proc, port, project, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"bqemulator exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{emu.url}/bigquery/v2/projects/{project}/datasets", timeout=2) as r:
                json.loads(r.read())
                return emu
        except OSError:
            time.sleep(0.3)
    emu.stop()
    raise RuntimeError(f"bqemulator did not answer within {timeout:.0f}s: {log.read_text()[-2000:]}")


class GcsEmulator:
    """A running gcp-storage-emulator (in-memory) with one bucket; ``url`` is its root."""

    def __init__(self, server, port: int) -> None:
        self.server, self.port = server, port
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.stop()

    def object_meta(self, bucket: str, name: str) -> dict:
        from urllib.parse import quote

        with urllib.request.urlopen(f"{self.url}/storage/v1/b/{bucket}/o/{quote(name, safe='')}") as r:
            return json.loads(r.read())


def start_gcs(bucket: str) -> GcsEmulator:
    from gcp_storage_emulator.server import create_server

    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=bucket)
    server.start()
    return GcsEmulator(server, port)
