"""Rendering what authors write."""

from tms_adapters.content.markdown import MarkdownItRenderer

__all__ = ["MarkdownItRenderer"]
