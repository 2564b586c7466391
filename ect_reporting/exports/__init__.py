"""Renderers that turn one canonical record into a downloadable file.

Every renderer has the same contract, ``generate(record) -> ExportFile``,
and reads only the frozen record dict (``record_types.py``), never the
database, so an export is reproducible from what was approved.
"""

from ect_reporting.exports.base import ExportFile, Renderer

__all__ = ["ExportFile", "Renderer"]
