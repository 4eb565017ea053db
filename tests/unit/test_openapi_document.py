"""docs/openapi.json is the app's own OpenAPI document: a change to the API that is not
written there fails here (`make openapi` writes it)."""

from __future__ import annotations

import json
from pathlib import Path

from tms_entrypoints.http.openapi_export import render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_the_apps() -> None:
    generated = render()
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != generated:
        old, new = json.loads(committed), json.loads(generated)
        paths = sorted(set(old["paths"]) ^ set(new["paths"])) or sorted(
            p for p in new["paths"] if old["paths"].get(p) != new["paths"][p]
        )
        raise AssertionError(
            "docs/openapi.json differs from the app's document (run `make openapi` and commit "
            f"it); paths that differ: {paths or 'none (components or info)'}"
        )


def test_the_document_describes_the_api_and_the_error_shape() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.")
    assert {"/auth/login", "/sessions", "/audit", "/trainers/{trainer_id}/trainees"} <= set(
        document["paths"]
    )
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
