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
import contextlib
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
            # A zip whose end (the central directory) is missing: a download or copy cut short, not a Word file.
            raise ExportFileError(f"{path.name}: 文件不完整或已损坏 (下载或复制中断?), 请重新导出或下载",
                                  f"{path.name}: the file is incomplete or damaged (download or copy cut short?); "
                                  "export or download it again") from None
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


FIELD_LIMIT = 2**31 - 1          # csv's own default (131,072 characters) would stop a file with one long remark


@contextlib.contextmanager
def long_csv_fields():
    """csv fields of any length while reading a platform's or vendor's file (a remark, a full SMS text)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _read_text(path: Path, data: bytes) -> list[list]:
    text = decode_text(path.name, data)
    head = text.splitlines()[:30]            # title lines above the header have no separators
    delimiter = "\t" if sum(x.count("\t") for x in head) > sum(x.count(",") for x in head) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, int, list[str]]] = []          # (first line, last line, fields)
    last = 0
    try:
        with long_csv_fields():
            for row in reader:
                records.append((last + 1, reader.line_num, row))
                last = reader.line_num
    except csv.Error as exc:
        raise _quote_error(path.name, last + 1, reader.line_num, str(exc)) from None
    _check_swallowed(path.name, records, delimiter)
    return [[cell if cell.strip() else None for cell in row] for _, _, row in records]


def _check_swallowed(name: str, records, delimiter: str) -> None:
    """A quote opened in one field and closed lines later (or never) reads the lines between as one
    cell: those refunds would vanish in silence. A field may hold a line break (a buyer's remark), but
    not a line that itself looks like a row of the file (half as many separators as the header has
    columns), nor may a record spanning lines have more fields than the widest one-line row."""
    widths = [len(row) for first, end, row in records if first == end]
    width = max(widths, default=0)
    for first, end, row in records:
        if first == end:
            continue
        inner = [part for cell in row for part in cell.splitlines()[1:]]
        if len(row) > width or any(part.count(delimiter) >= max(2, width // 2) for part in inner):
            raise _quote_error(name, first, end, "")


def _quote_error(name: str, first: int, end: int, detail: str) -> ExportFileError:
    lost = f"第{first + 1}-{end}行" if end > first + 1 else f"第{end}行"
    lost_en = f"lines {first + 1}-{end}" if end > first + 1 else f"line {end}"
    if end <= first:
        lost, lost_en = "其后各行", "the lines after it"
    return ExportFileError(
        f"{name}: 第{first}行有未闭合的引号, {lost}被读成了一个单元格; 未导入任何内容. 请重新导出, 或在记事本中修正该行后再导入",
        f"{name}: line {first} has an unclosed quote, so {lost_en} would be read as one cell; nothing was imported. "
        f"Export again, or fix that line in a text editor{' (' + detail + ')' if detail else ''}")


_WRAPPED = re.compile(r'=\s*"(.*)"', re.S)
_BLANK = {"-", "--", "—", "null", "none", "n/a"}
BLANK_LONGEST = max(map(len, _BLANK))           # lower() never shortens a text: longer ones are not placeholders


def clean_cell(value):
    """An export's cell as typed: ="3000123" (Excel's keep-as-text trick), '3000123 and tabs unwrapped,
    placeholders such as '-' blank."""
    if not isinstance(value, str):
        return value
    text = value.strip()                         # tabs included
    if text[:1] == "=":                          # the regex only where it can match: most cells are plain
        if text[1:2] == '"' and text[-1] == '"' and len(text) > 2:
            text = text[2:-1].strip()            # ="3000123": what the regex's greedy group takes
        else:
            m = _WRAPPED.fullmatch(text)
            if m:
                text = m.group(1).strip()
    if text[:1] == "'":
        text = text[1:].strip()
    if not text or (len(text) <= BLANK_LONGEST and text.lower() in _BLANK):
        return None
    return text
