"""Rendering what authors write: Markdown to safe HTML."""

from tms_adapters.content.markdown import MarkdownItRenderer

__all__ = ["MarkdownItRenderer"]
