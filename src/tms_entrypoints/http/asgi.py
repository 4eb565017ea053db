"""The ASGI entry for servers: `uvicorn --factory tms_entrypoints.http.asgi:create`."""

from __future__ import annotations

import logging

from litestar import Litestar

from tms_entrypoints.http.app import create_app
from tms_entrypoints.settings import Settings


def create() -> Litestar:
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return create_app(settings)
