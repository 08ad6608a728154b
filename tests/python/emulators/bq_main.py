"""Runs the bqemulator REST server on 127.0.0.1:<port> (a subprocess of the test fixture).

bqemulator's engine runs ``INSTALL spatial; LOAD spatial`` at start-up and refuses to start when
that fails. INSTALL downloads the extension from DuckDB's extension repository, which this
sandbox (and CI) cannot reach, and nbaprops uses no GEOGRAPHY column, so the loading step is
replaced by a no-op here. The Avro/ORC format extensions are switched off for the same reason
(``enable_format_extensions=False``: no download is even attempted). Everything else — REST API,
DuckDB storage, scripting with BEGIN TRANSACTION … COMMIT — is the package's own code.

Usage: python bq_main.py PORT PROJECT
"""

from __future__ import annotations

import sys


def main() -> None:
    port, project = int(sys.argv[1]), sys.argv[2]
    from bqemulator.config import Settings
    from bqemulator.server import run_forever
    from bqemulator.storage import engine

    engine.DuckDBEngine._load_spatial = lambda self: None  # see the module docstring
    run_forever(
        Settings(
            rest_host="127.0.0.1",
            rest_port=port,
            grpc_host="127.0.0.1",
            grpc_port=0,
            default_project_id=project,
            enable_format_extensions=False,
            log_level="warning",
        )
    )


if __name__ == "__main__":
    main()
