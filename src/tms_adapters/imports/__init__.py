"""Spreadsheets for bulk imports: reading uploaded CSV and XLSX files, and the templates."""

from tms_adapters.imports.reading import StoredSheetReader, sniff_sheet
from tms_adapters.imports.templates import csv_template, errors_csv_lines, xlsx_template

__all__ = ["StoredSheetReader", "csv_template", "errors_csv_lines", "sniff_sheet", "xlsx_template"]
