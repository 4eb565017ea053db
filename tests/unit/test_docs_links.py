"""The project's documents point only at files the repository has (a link to an API
reference kept elsewhere is no reference at all)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [
    "README.md",
    "web/README.md",
    "docs/api.md",
    "docs/embedding.md",
    "docs/operations.md",
]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_relative_link_names_a_file_in_the_repository(document: str) -> None:
    path = REPO / document
    targets = [t for t in LINK.findall(path.read_text(encoding="utf-8")) if "://" not in t]
    missing = [t for t in targets if not (path.parent / t.split("#")[0]).exists()]
    assert missing == []


def test_the_web_client_readme_names_the_api_reference() -> None:
    text = (REPO / "web" / "README.md").read_text(encoding="utf-8")
    assert "(../docs/api.md)" in text
    assert "(../docs/openapi.json)" in text
    assert "shared/" not in text
