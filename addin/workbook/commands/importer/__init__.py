"""Importing the platforms' after-sales exports (千牛 退款报表, 京麦 服务单, 拼多多 售后单) into the 案件 sheet."""
from .files import ExportFileError, read_export
from .formats import EXPORT_FORMATS, SOURCES
from .upsert import ImportReport, import_exports, import_into, pasted_export, platform_override

__all__ = ["EXPORT_FORMATS", "SOURCES", "ExportFileError", "ImportReport", "import_exports", "import_into", "pasted_export",
           "platform_override", "read_export"]
