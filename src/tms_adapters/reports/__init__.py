"""Report renderers, one per file format, behind the domain's ``ReportRenderer`` port.

``RENDERERS`` maps each format name a client may ask for (a renderer's ``format`` and its
``aliases``) to the renderer class. A new format is one new renderer class listed in
``_RENDERER_CLASSES``; its name, media type and file extension come from the class.
"""

from __future__ import annotations

from tms_adapters.reports.csv_renderer import CsvReportRenderer
from tms_adapters.reports.pdf_renderer import FpdfReportRenderer
from tms_adapters.reports.xlsx_renderer import XlsxReportRenderer
from tms_domain.reporting import ReportRenderer

_RENDERER_CLASSES: tuple[type[ReportRenderer], ...] = (
    CsvReportRenderer,
    XlsxReportRenderer,
    FpdfReportRenderer,
)

RENDERERS: dict[str, type[ReportRenderer]] = {
    name: renderer
    for renderer in _RENDERER_CLASSES
    for name in (renderer.format, *getattr(renderer, "aliases", ()))
}

__all__ = ["RENDERERS", "CsvReportRenderer", "FpdfReportRenderer", "XlsxReportRenderer"]
