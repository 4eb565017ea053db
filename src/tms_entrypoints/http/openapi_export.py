"""The OpenAPI document the app serves at /schema/openapi.json, written without a server,
a database or the network: `python -m tms_entrypoints.http.openapi_export > docs/openapi.json`
(or `make openapi`). A test keeps the committed docs/openapi.json equal to it."""

from __future__ import annotations

import json
import sys
from typing import Any

from tms_entrypoints.container import build_container
from tms_entrypoints.http.app import create_app
from tms_entrypoints.settings import Settings

EXPORT_SETTINGS = Settings(
    env="test",
    storage="memory",
    # Only to build the app: the document names no key, and nothing is signed.
    secret_key="openapi-export-" + "x" * 32,
)


def openapi_document() -> dict[str, Any]:
    app = create_app(container=build_container(EXPORT_SETTINGS))
    return app.openapi_schema.to_schema()


def render() -> str:
    """Stable text: keys sorted, two-space indents, one newline at the end."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
