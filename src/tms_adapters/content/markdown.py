"""Markdown to safe HTML: markdown-it-py parses (CommonMark, tables, strikethrough; raw HTML
in the text is shown as text, never passed through), then nh3 (Ammonia) keeps only an
allowlist of tags and attributes. Two layers on purpose: the parser never emits raw HTML,
and the sanitiser would remove anything unsafe if it did (no script, no event handler, no
style, no iframe or svg; links and images only to http and https addresses, links to
mailto too, each link with rel="noopener noreferrer nofollow")."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s"}
    | {"code", "pre", "blockquote", "ul", "ol", "li", "a", "img"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


class MarkdownItRenderer:
    def __init__(self) -> None:
        self._parser = (
            MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
            .enable("table")
            .enable("strikethrough")
        )

    def render_markdown(self, text: str) -> str:
        return sanitise(self._parser.render(text)).strip()


def sanitise(html: str) -> str:
    """Only the allowlisted tags and attributes of ``html``; what is not allowed goes, the
    text of removed tags stays (that of script and style goes too)."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        url_relative="deny",
        strip_comments=True,
    )
