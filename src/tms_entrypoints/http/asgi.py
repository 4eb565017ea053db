"""The ASGI entry for servers: `uvicorn --factory tms_entrypoints.http.asgi:create`."""

from __future__ import annotations

import gc
import logging
import logging.config

from litestar import Litestar

from tms_entrypoints.http.app import create_app
from tms_entrypoints.logs import log_config
from tms_entrypoints.settings import Settings

YOUNG_GENERATION_THRESHOLD = 7000
"""Allocations between two collections of the youngest generation (Python's default: 700).
A listing allocates tens of thousands of short-lived objects."""


def create() -> Litestar:
    settings = Settings.from_env()
    if not logging.getLogger().handlers:
        # Served by another server than `tms serve` (which configured logging already): the
        # same lines, cleaned the same way.
        logging.config.dictConfig(log_config(settings.log_level, settings.log_format))
    # fpdf2's font subsetting (fontTools) logs a dozen INFO lines for every PDF: noise to
    # an operator. Its warnings still come through.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    app = create_app(settings)
    settle_garbage_collector()
    return app


def settle_garbage_collector() -> None:
    """What exists once the app is built (modules, routes, schemas, the container) lives as
    long as the process: freeze it, so that the cyclic garbage collector stops walking it
    again and again. Without this, the full collections that a large listing sets off each
    walk the whole heap, which cost a GET /sessions/?limit=1000 more than its own work.
    (A server process only: tests that build apps in their own process do not call this.)"""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
