"""A stand-in renderer until the Markdown one lands: the text escaped, one paragraph per
blank-line-separated block. Safe by construction (no markup survives), never rich."""

from __future__ import annotations

import html


class EscapingContentRenderer:
    def render_markdown(self, text: str) -> str:
        blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
        return "".join(f"<p>{html.escape(block)}</p>" for block in blocks if block)
