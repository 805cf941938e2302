"""Errors of the analysis stack that pages handle without importing it (survey/lazy.py)."""


class ExportTooLargeError(ValueError):
    """The SPSS file would need more rows in memory than allowed, or the XLSX more rows than an
    Excel sheet holds; CSV has no such limit."""
