"""Reading an export file into rows of cell values, whatever the platform saved it as.

The file's bytes decide, not its name: a .xlsx or .xls renamed .csv is still read as a workbook, and a
Word document renamed .csv is refused. Text files are decoded by their BOM (UTF-8, UTF-16 as Excel's
"Unicode text" writes it, tab-separated), else as strict UTF-8, else as strict GB18030 (a superset of
GBK, what Chinese Excel and the 千牛 downloads use). A file that is none of these is refused rather than
guessed. An .xls that is really an HTML page with a <table> (some back offices save them so) is read as
its tables (html_tables.py). Every text cell keeps its characters: long order ids stay text.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from addin.core.errors import BilingualError

from .html_tables import html_charset, html_tables, looks_like_html

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"     # .xls (and .doc: calamine tells them apart)
ZIP = b"PK\x03\x04"                            # .xlsx (and .docx, .zip)


class ExportFileError(BilingualError):
    """The export file cannot be imported at all; nothing is written."""

    def __init__(self, zh: str, en: str, kind: str = "bad_export"):
        super().__init__(zh, en, kind, message=f"{zh} / {en}")


@dataclass
class ExportSheet:
    name: str               # file name, plus the sheet name for workbooks
    rows: list[list]        # cell values: str, float, int, datetime, None


def read_export(path: str | Path) -> list[ExportSheet]:
    """Each table in the file (one for a CSV, one per sheet for a workbook)."""
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise ExportFileError(f"{path.name}: 文件是空的", f"{path.name}: the file is empty")
    if data.startswith(ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                is_workbook = any(n.lower() == "xl/workbook.xml" for n in zf.namelist())
        except zipfile.BadZipFile:
            is_workbook = False
        if not is_workbook:
            raise ExportFileError(f"{path.name}: 这是压缩包或 Word/WPS 文档, 不是导出的表格",
                                  f"{path.name}: a zip archive or Word document, not an exported table")
        return _read_workbook(path, data)
    if data.startswith(OLE2):
        return _read_workbook(path, data)
    if looks_like_html(data):
        return _read_html(path, data)
    return [ExportSheet(path.name, _read_text(path, data))]


def _read_html(path: Path, data: bytes) -> list[ExportSheet]:
    charset = html_charset(data)
    text = None
    if charset:
        try:
            text = data.decode(charset)
        except UnicodeDecodeError:
            text = None                 # the page lies about itself: try as a CSV would be
    if text is None:
        text = decode_text(path.name, data)
    tables = html_tables(text)
    if not tables:
        raise ExportFileError(f"{path.name}: 网页格式的文件里没有表格", f"{path.name}: an HTML file without a table")
    if len(tables) == 1:
        return [ExportSheet(path.name, tables[0])]
    return [ExportSheet(f"{path.name}[表{i}]", rows) for i, rows in enumerate(tables, start=1)]


def _read_workbook(path: Path, data: bytes) -> list[ExportSheet]:
    import python_calamine

    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append(ExportSheet(f"{path.name}[{name}]", [[None if v == "" else v for v in row] for row in rows]))
        return sheets
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds for a file it cannot read
        raise ExportFileError(f"{path.name}: 无法读取的表格文件(损坏, 加密, 或是 Word 文档?)",
                              f"{path.name}: cannot read this workbook (damaged, encrypted, or a Word file?): "
                              f"{type(exc).__name__}") from None


def decode_text(name: str, data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in data:
        encodings = ()                 # binary, or UTF-16 without its BOM: not guessed
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
            return text
    raise ExportFileError(f"{name}: 无法识别文件编码(不是 UTF-8, GBK/GB18030 或带 BOM 的 UTF-16 文本), 请另存为 CSV UTF-8 后再导入",
                          f"{name}: unknown encoding (not UTF-8, GBK/GB18030 or UTF-16 with BOM); save it as CSV UTF-8")


def _read_text(path: Path, data: bytes) -> list[list]:
    text = decode_text(path.name, data)
    head = text.splitlines()[:30]            # title lines above the header have no separators
    delimiter = "\t" if sum(x.count("\t") for x in head) > sum(x.count(",") for x in head) else ","
    return [[cell if cell.strip() else None for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


_WRAPPED = re.compile(r'=\s*"(.*)"', re.S)
_BLANK = {"-", "--", "—", "null", "none", "n/a"}


def clean_cell(value):
    """An export's cell as typed: ="3000123" (Excel's keep-as-text trick), '3000123 and tabs unwrapped,
    placeholders such as '-' blank."""
    if not isinstance(value, str):
        return value
    text = value.strip().strip("\t")
    m = _WRAPPED.fullmatch(text)
    if m:
        text = m.group(1).strip()
    if text.startswith("'"):
        text = text[1:].strip()
    if not text or text.lower() in _BLANK:
        return None
    return text
