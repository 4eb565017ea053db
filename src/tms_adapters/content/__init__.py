"""Lesson content: rendering Markdown to safe HTML."""

from tms_adapters.content.escaping import EscapingContentRenderer

__all__ = ["EscapingContentRenderer"]
