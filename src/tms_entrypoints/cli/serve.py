"""`tms serve`: migrate, make sure an admin exists, then serve the API and the web client."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

from tms_adapters.persistence.sql.probe import SchemaProbe
from tms_entrypoints.cli.common import (
    Commands,
    ensure_admin,
    fail,
    migrate_database,
    port,
    positive,
    run,
    server_container,
    settings_from_env,
)
from tms_entrypoints.container import running
from tms_entrypoints.logs import log_config

WORKER_HEALTHCHECK_SECONDS = 60


def add_commands(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="migrate, make sure an admin exists, serve")
    serve.add_argument("--host", help="address to listen on (TMS_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=port, help="port (TMS_PORT, default 8002)")
    serve.add_argument("--workers", type=positive, default=1, help="processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.set_defaults(handler=serve_http)


def serve_http(args: argparse.Namespace) -> None:
    import uvicorn

    settings = settings_from_env()
    if args.workers > 1 and not settings.redis_url:
        fail(
            "--workers above 1 needs TMS_REDIS_URL: live events must cross processes through Redis",
            2,
        )
    host = args.host or settings.host
    listen_port = args.port or settings.port
    _check_address_free(host, listen_port)
    container = server_container(settings)
    prepare_metrics_dir(settings.var_dir, listen_port)

    async def prepare() -> None:
        if settings.auto_migrate:
            await migrate_database(settings)
        async with running(container):
            if await SchemaProbe(container.engine()).pending():
                # Writing the first admin into a schema this code does not match would fail
                # or half-write; the server still starts so /health/ready can say why.
                print(
                    "tms: migrations are pending (TMS_AUTO_MIGRATE=false): run `tms migrate`;"
                    " the server answers 503 on /health/ready until then",
                    file=sys.stderr,
                    flush=True,
                )
                return
            await ensure_admin(container, settings.admin_password or None)

    run(prepare)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host  # noqa: S104
    web = settings.web_dist_path is not None
    print(
        f"TMS is serving on http://{host}:{listen_port}\n"
        + (f"  Web client: http://{shown}:{listen_port}/app/\n" if web else "")
        + f"  API docs:   http://{shown}:{listen_port}/docs\n"
        + f"  Sign in as '{settings.admin_username}'.",
        flush=True,
    )
    uvicorn.run(
        "tms_entrypoints.http.asgi:create",
        factory=True,
        host=host,
        port=listen_port,
        workers=args.workers,
        reload=args.reload,
        # uvicorn's httptools protocol with limits on request heads, slow clients and
        # connections per address (see its module).
        http="tms_entrypoints.http.protocol:LimitedHttpToolsProtocol",
        timeout_keep_alive=settings.keep_alive_seconds,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        # The app logs each request itself (tms.access), with secrets masked.
        access_log=False,
        log_config=log_config(settings.log_level, settings.log_format),
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        # With --workers, the supervisor restarts a worker that does not answer its ping in
        # time, starting up included (imports run before a worker can answer): uvicorn's
        # 5 s kills every worker of a busy machine before it serves.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        ws_ping_interval=settings.ws_ping_seconds,
        ws_ping_timeout=settings.ws_ping_seconds,
        ws_max_size=64 * 1024,
        # Events are small JSON: compressing them per connection would cost a zlib context
        # (about 35 KiB) for every open socket and CPU for every event sent.
        ws_per_message_deflate=False,
    )


def _check_address_free(host: str, listen_port: int) -> None:
    """Fail in one line, before migrating or printing anything, when the address cannot be
    listened on (uvicorn would say so only after the banner, in a log line)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, listen_port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                fail(
                    f"cannot listen on {host}:{listen_port}: the port is already in use"
                    " (another server? choose one with --port or TMS_PORT)"
                )
            fail(f"cannot listen on {host}:{listen_port}: {error.strerror or error}")


METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir(var_dir: str, listen_port: int) -> Path:
    """The folder where the server's processes keep their metric samples (prometheus-client's
    multiprocess mode, so that a scrape served by any worker adds up all of them), emptied
    of a previous run's and named in the environment the workers inherit:
    ``var_dir``/metrics/<port> (one per server on a machine), or a new temporary folder when
    that cannot be written. Called before anything in this process imports
    prometheus_client, which reads the variable once."""
    folder = Path(var_dir) / "metrics" / str(listen_port)
    try:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="tms-metrics-"))
    os.environ[METRICS_DIR_VARIABLE] = str(folder.resolve())
    return folder
