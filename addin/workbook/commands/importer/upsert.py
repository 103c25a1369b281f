"""`aftersales import`: the platforms' exports into the 案件 sheet, one row per case, never twice.

read the exports -> find each one's header row and format (formats.py) -> typed values per line ->
match each line to a 案件 row by order id + refund id (whatever the platform: a file imported again under
another platform updates its rows and the summary says so) -> the cells that differ (updates)
and the new rows below the last case row -> one lossless patch of the case sheet (the same writer as
recalc, through the same guarded session: addin.workbook.files.session), or nothing at all when nothing
changed or on --dry-run.

Only columns that come from the export are ever written; remarks, overrides and every column the
mapping does not name stay as staff left them. A blank export cell never erases a filled one.
A cell staff changed since the last import is kept and reported (issue 20): the hidden 导入记录 sheet
(record.py) holds, per case, what the last import took from the export; a cell that no longer holds it
is staff's. With export_wins (--export-wins) the export's value is written and the cell reported. A
cell the record knows nothing of (a book imported before the record existed, a case typed by hand)
takes the export's value as before, and every non-empty cell so replaced is reported with what it held.
Totals rows (an Excel Table's totals row, a 合计/总计/小计 row, a row summing a column; the rules of
addin.workbook.sheets.protected) are never written, and no row is added below one. New columns go right of
everything in use (inside the case Table when it ends there); new rows go below the last used row
and, when the cases are an Excel Table, join that Table (its ref grows), or the import is refused.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from addin.core.case import PLATFORM_ZH
from addin.core.policy import SHOP_PLATFORM
from addin.core.parse import PARSERS, CellError, is_blank, to_datetime, to_platform, to_text
from addin.core.reasons import match_reason

from addin.workbook.sheets.protected import Placement, place_new_columns, totals_rows
from addin.workbook.sheets.case_sheet import CaseSheetError, find_case_header, require_case_sheet
from addin.workbook.sheets.case_rows import INPUT_BY_KEY
from addin.workbook.sheets.case_columns import HeaderMap
from addin.workbook.sheets.catalogue import IMPORT, IMPORT_RECORD, find_sheet, normalise_header
from addin.workbook.files.session import open_book
from addin.workbook.sheets.settings import load_settings, settings_sheets
from addin.workbook.files.xlsx_patch import SheetEdit
from addin.workbook.files.xlsx_patch.scan import SheetLayout
from .files import BLANK_LONGEST, ExportFileError, ExportSheet, clean_cell, read_export
from .formats import EXPORT_FORMATS, ExportFormat, FieldMap
from .record import ImportRecord, same_as_recorded, shown

HEADER_SCAN = 30                   # rows searched for the header (exports put titles and filters above it)
ID_KEYS = ("order_id", "refund_id", "tracking_no")
_E_NOTATION = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")    # 3.00021E+18: Excel's display of a long id, saved as text
SUMMARY_LINE = re.compile(r"合计|总计|小计|共\s*\d+\s*条|导出时间|筛选条件")


@dataclass
class Refused:
    where: str          # file and line
    zh: str
    en: str

    def text(self) -> str:
        return f"{self.where}: {self.zh} / {self.en}"


@dataclass
class CellChange:
    """A 案件 cell whose value the import and staff disagree on."""
    row: int
    header: str
    staff: object                  # what the cell held
    export: object                 # what the export says
    why: str = ""                  # for an overwrite: "export_wins" | "no_record"

    def kept(self) -> str:
        return (f"第{self.row}行「{self.header}」保留「{shown(self.staff)}」, 导出为「{shown(self.export)}」 / row "
                f"{self.row} {self.header}: kept {shown(self.staff)}, the export says {shown(self.export)}")

    def overwritten(self) -> str:
        zh, en = {"export_wins": ("--export-wins", "--export-wins"),
                  "no_record": ("无导入记录", "no import record")}[self.why]
        return (f"第{self.row}行「{self.header}」原为「{shown(self.staff)}」, 改为导出的「{shown(self.export)}」({zh}) / "
                f"row {self.row} {self.header}: was {shown(self.staff)}, now {shown(self.export)} ({en})")


@dataclass
class FileSummary:
    name: str
    format: ExportFormat
    platform: str                  # TB | TM | JD | PDD
    lines: int = 0
    note: str = ""                 # how the platform was chosen, when the file did not say
    missing: list[str] = field(default_factory=list)   # 案件 columns the format maps that the file lacks
    ignored: list[str] = field(default_factory=list)   # the file's columns no mapping reads


@dataclass
class ImportReport:
    files: list[FileSummary] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refused] = field(default_factory=list)
    unknown_reasons: Counter = field(default_factory=Counter)
    added_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # about the sheet as a whole (Table placement)
    platform_changes: Counter = field(default_factory=Counter)   # (was, now) platform codes -> rows
    cells: int = 0                 # cells that differ (written unless dry run)
    written: bool = False
    kept: list[CellChange] = field(default_factory=list)          # staff's edits the export did not replace
    overwritten: list[CellChange] = field(default_factory=list)   # non-empty cells the export replaced
    record_cells: int = 0          # cells of the 导入记录 sheet that change

    def lines(self, dry_run: bool = False, show: int = 20) -> list[str]:
        out = []
        for f in self.files:
            out.append(f"文件 file: {f.name}   格式 format: {f.format.zh} {f.format.en}   平台 platform: "
                       f"{PLATFORM_ZH[f.platform]}   行 lines: {f.lines}")
            if f.note:
                out.append(f"  {f.note}")
            if f.missing:
                names = "".join(f"「{h}」" for h in f.missing)
                out.append(f"  {names}未找到来源列, 这些列不变 / no source column in the file for: {', '.join(f.missing)}")
            if f.ignored:
                shown = ", ".join(f.ignored[:30]) + (f" … (+{len(f.ignored) - 30})" if len(f.ignored) > 30 else "")
                out.append(f"  忽略的列 ignored columns ({len(f.ignored)}): {shown}")
        verb = "将" if dry_run else ""
        out.append(f"{verb}新增 added: {self.added}   {verb}更新 updated: {self.updated}   未变 unchanged: "
                   f"{self.unchanged}   拒绝 refused: {len(self.refused)}")
        out.extend(f"  拒绝 refused {r.text()}" for r in self.refused[:show])
        if len(self.refused) > show:
            out.append(f"  ... 另有 {len(self.refused) - show} 行 and {len(self.refused) - show} more")
        if self.kept:
            out.append(f"{verb}保留人工修改 kept staff's edits: {len(self.kept)} 个单元格 cells (上次导入后被修改, 未用导出值覆盖; "
                       "要以导出为准请加 --export-wins / changed since the last import, not replaced; add "
                       "--export-wins to take the export's values)")
            out.extend(f"  {c.kept()}" for c in self.kept[:show])
            if len(self.kept) > show:
                out.append(f"  ... 另有 {len(self.kept) - show} 个 and {len(self.kept) - show} more")
        if self.overwritten:
            out.append(f"{verb}以导出覆盖 replaced by the export: {len(self.overwritten)} 个非空单元格 non-empty cells")
            out.extend(f"  {c.overwritten()}" for c in self.overwritten[:show])
            if len(self.overwritten) > show:
                out.append(f"  ... 另有 {len(self.overwritten) - show} 个 and {len(self.overwritten) - show} more")
        for (was, now), n in sorted(self.platform_changes.items()):
            out.append(f"平台已更改 platform changed: {PLATFORM_ZH[was]} → {PLATFORM_ZH[now]} {n} 行 rows "
                       "(同一订单号+退款编号, 未新增行 / same order id + refund id, no row added)")
        if self.added_columns:
            out.append("新增列 added columns: " + ", ".join(self.added_columns))
        out.extend(self.notes)
        if self.unknown_reasons:
            texts = ", ".join(f"{t} ({n})" for t, n in self.unknown_reasons.most_common(10))
            out.append(f"未识别的原因 unknown reasons: {texts} — 请在「原因对照」表添加, 否则重新计算时这些行会报错 / "
                       "add them to the 原因对照 sheet, or recalc flags these rows")
        return out


@dataclass
class _Line:
    where: str
    platform: str
    values: dict[str, object]      # 案件 key -> typed value to write (platform included)

    @property
    def key(self) -> tuple[str, str]:
        """A refund is its order id + refund id on whatever platform it is imported under."""
        return self.values["order_id"], self.values.get("refund_id", "")


# --------------------------------------------------------------------------- reading the exports

def _find_format(rows: list[list], wanted: str | None) -> tuple[ExportFormat, int, dict[str, int]] | None:
    """(format, header row index, field id -> column index) of the best-matching header row."""
    best = None
    for r, row in enumerate(rows[:HEADER_SCAN]):
        heads = {normalise_header(v): i for i, v in reversed(list(enumerate(row))) if not is_blank(v)}
        for fmt in EXPORT_FORMATS:
            cols = {}
            for f in fmt.fields:
                i = next((heads[h] for h in map(normalise_header, f.headers) if h in heads), None)
                if i is not None:
                    cols[f.id] = i
            marks = sum(normalise_header(m) in heads for m in fmt.marks)
            if fmt.order_id.id not in cols or not marks:
                continue
            # the platform asked for, then the marks (抖店's 售后单号 is also a 拼多多 header), then the columns read
            score = (fmt.platforms[0] == wanted or wanted in fmt.platforms, marks, len(cols))
            if best is None or score > best[0]:
                best = (score, fmt, r, cols)
    return best[1:] if best else None


def _platform(fmt: ExportFormat, name: str, rows, cols, header_row, override, book_platforms: Counter,
              default: str | None = None) -> tuple[str, str]:
    """The platform of a file's lines and, when it was a choice, a note saying how it was made."""
    if override:
        note = "" if override in fmt.platforms else \
            f"按 --platform 导入为{PLATFORM_ZH[override]} (文件是{fmt.zh}) / imported as {override} as told"
        return override, note
    if len(fmt.platforms) == 1:
        return fmt.platforms[0], ""
    lower = name.lower()
    for code, words in (("TM", ("天猫", "tmall")), ("TB", ("淘宝", "taobao"))):
        if code in fmt.platforms and any(w in lower for w in words):
            return code, f"文件名表明是{PLATFORM_ZH[code]} / the file name says {code}"
    shop = next((cols[f.id] for f in fmt.fields if f.key == "shop_name" and f.id in cols), None)
    if shop is not None and "TM" in fmt.platforms:
        names = [str(row[shop]) for row in rows[header_row + 1:] if shop < len(row) and not is_blank(row[shop])]
        if names and all("天猫" in n or n.endswith(("旗舰店", "专卖店", "专营店")) for n in names):
            return "TM", "店铺名是天猫店铺类型 / the shop names are Tmall store types"
    if default in fmt.platforms:
        return default, f"按「规则」表默认平台导入为{PLATFORM_ZH[default]} / the 规则 sheet's 默认平台 says {default}"
    seen = [p for p in fmt.platforms if book_platforms.get(p)]
    if len(seen) == 1:
        return seen[0], f"工作簿中已有的案件都是{PLATFORM_ZH[seen[0]]} / the workbook's cases are all {seen[0]}"
    first = fmt.platforms[0]
    others = "/".join(PLATFORM_ZH[p] for p in fmt.platforms[1:])
    return first, (f"按{PLATFORM_ZH[first]}导入; {others}店铺请加 --platform {others}, 或在「规则」表填默认平台 / "
                   f"imported as {first}; add --platform, or set 默认平台 on the 规则 sheet")


_UNSEEN = object()
# Texts remembered per column: a status, reason or title repeats down the file; an id or a time seldom
# does, and remembering every one would cost memory (about 60 bytes a cell) for nothing.
SEEN_PER_COLUMN = 2048


class _Column:
    """One mapped column of one export file, with what typing its cells needs worked out once per file."""
    __slots__ = ("field", "key", "index", "header", "head", "kind", "table", "is_id", "seen")

    def __init__(self, f: FieldMap, index: int, head):
        self.field, self.key, self.index = f, f.key, index
        self.head = head                                  # the header cell as the file has it
        self.header = str(head).strip()
        self.kind = INPUT_BY_KEY[f.key].kind
        self.table = {normalise_header(a): b for a, b in f.values} if f.values else None
        self.is_id = f.key in ID_KEYS
        self.seen: dict[str, object] = {}                 # cell text -> typed(text)

    def typed(self, raw):
        """None for a blank cell, else (value,) or the CellError that refuses it."""
        value = clean_cell(raw)
        if value is None:
            return None
        try:
            return (self.value(value),)
        except CellError as exc:
            return exc

    def value(self, value):
        """The typed value of one cleaned (clean_cell), non-blank export cell; CellError when unreadable."""
        if self.table is not None:
            value = self.table.get(normalise_header(value), value)
        kind = self.kind
        if self.is_id:
            if isinstance(value, str) and ("e" in value or "E" in value) and _E_NOTATION.fullmatch(value):
                raise CellError(f"是科学计数法 {value} (CSV 被 Excel 打开后另存过), 原编号已丢失; 请从平台重新导出, 不要在 Excel 中另存",
                                f"is in E notation ({value}: the CSV was saved again by Excel) and the id is lost; "
                                "export it again from the platform without saving it in Excel")
            if isinstance(value, float):
                if abs(value) >= 1e15:  # a double keeps 15 digits: the file already lost the id's last ones
                    raise CellError(f"「{self.header}」以数字保存, 超过15位已失真; 请在平台重新导出(文本)",
                                    f"{self.header!r} is stored as a number and lost digits beyond 15; export it "
                                    "again as text")
                return to_text(value)
        if kind in ("text", "reason"):
            return to_text(value)
        if kind == "datetime":
            instant, has_time = _export_datetime(value)
            return instant if has_time else instant.date()
        if kind == "platform":
            return PLATFORM_ZH[to_platform(value)]
        return PARSERS[kind](value)


def _export_datetime(value) -> tuple[dt.datetime, bool]:
    """to_datetime, with its result for the exports' usual 2026-10-01 09:00:00 (or 09:00, or the day alone)
    read straight from the digits: the same instant, a tenth of the time. Anything else goes to to_datetime."""
    if value.__class__ is str and value.isascii():
        n = len(value)
        if n in (10, 16, 19) and value[4] == "-" == value[7] and \
                (n == 10 or (value[10] == " " and value[13] == ":" and (n == 16 or value[16] == ":"))):
            digits = value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16] + value[17:19]
            if digits.isdigit():            # ASCII digits only (isascii above): read as written
                try:                        # of this one shape, fromisoformat reads what the fields say
                    return dt.datetime.fromisoformat(value), n > 10
                except ValueError:
                    pass                    # no such date: to_datetime says so in its words
    return to_datetime(value)


def _lines(sheet: ExportSheet, fmt: ExportFormat, header_row: int, cols: dict[str, int], summary: FileSummary,
           report: ImportReport) -> list[_Line]:
    """The file's data lines as typed values; unreadable lines go to report.refused. Only the mapped
    cells are cleaned and typed (each once); the others only for a line whose mapped cells are all blank
    (is it blank?) or that looks like a totals line."""
    out = []
    platform = summary.platform
    platform_zh = PLATFORM_ZH[platform]
    heads = sheet.rows[header_row]
    columns = [_Column(f, cols[f.id], heads[cols[f.id]]) for f in fmt.fields if f.id in cols]
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        width = len(row)
        values: dict[str, object] = {}
        problems = []
        filled = False
        for col in columns:
            i = col.index
            if i >= width:
                continue
            raw = row[i]
            if raw is None:
                continue
            seen = col.seen
            if raw.__class__ is str:           # the same text gives the same value: typed once per file
                v = seen.get(raw, _UNSEEN)
                if v is _UNSEEN:
                    v = col.typed(raw)
                    if len(seen) < SEEN_PER_COLUMN:
                        seen[raw] = v
            else:
                v = col.typed(raw)
            if v is None:
                continue
            filled = True
            if isinstance(v, CellError):
                problems.append((col, v))
                continue
            v = v[0]
            if v is not None and col.key not in values:    # several columns for one key: the first with a value
                values[col.key] = v
        if not filled and all(clean_cell(v) is None for v in row):
            continue
        order = values.get("order_id")
        if (order is None or SUMMARY_LINE.search(order)) and any(
                isinstance(c, str) and SUMMARY_LINE.search(c) for c in map(clean_cell, row)):
            continue                      # a totals or "exported at" line under the data
        summary.lines += 1
        if problems:
            col, exc = problems[0]
            report.refused.append(Refused(_where(sheet, r), f"「{col.header}」{exc.zh}", f"{col.head!s}: {exc.en}"))
            continue
        if "order_id" not in values:
            report.refused.append(Refused(_where(sheet, r), "缺少订单号", "no order id"))
            continue
        shipped, asked = values.get("shipped_at"), values.get("refund_requested_at")
        if isinstance(shipped, dt.datetime) and isinstance(asked, dt.datetime):
            values["shipped"] = "是" if shipped <= asked else "否"   # 退款时已发货 (RF-TB clocks)
        values["platform"] = platform_zh
        out.append(_Line(_where(sheet, r), platform, values))
    return out


def _where(sheet: ExportSheet, r: int) -> str:
    return f"{sheet.name} 第{r + 1}行 line {r + 1}"


def _coverage(fmt: ExportFormat, heads: list, cols: dict[str, int]) -> dict[str, list[str]]:
    """What the import could not do with this file: the 案件 columns its format maps that the file has no
    column for (missing), and the file's columns no mapping reads (ignored), both in order."""
    found = {f.key for f in fmt.fields if f.id in cols}
    missing = list(dict.fromkeys(INPUT_BY_KEY[f.key].header for f in fmt.fields if f.key not in found))
    used = set(cols.values())
    ignored = [str(h).strip() for i, h in enumerate(heads) if i not in used and not is_blank(h)]
    return {"missing": missing, "ignored": ignored}


# --------------------------------------------------------------------------- the 案件 sheet

def _id(value) -> str:
    # an id as calamine reads it (a plain text, longer than any placeholder): what cleaning gives back
    if value.__class__ is str and len(value) > BLANK_LONGEST and value[0] not in "='" and \
            not value[0].isspace() and not value[-1].isspace():
        return value
    value = clean_cell(value)
    return "" if value is None else to_text(value)


def _platform_code(cell, seen: dict) -> str | None:
    """to_platform of a 平台 cell, None for a blank or unknown one (the import fills it); remembered in
    `seen` per distinct cell (its type included: to_platform reads str(cell))."""
    key = (cell.__class__, cell)
    try:
        code = seen.get(key, _UNSEEN)
    except TypeError:                 # an unhashable value (not from a sheet): read each time
        key, code = None, _UNSEEN
    if code is _UNSEEN:
        try:
            code = to_platform(cell)
        except CellError:
            code = None
        if key is not None:
            seen[key] = code
    return code


def _cell(grid, r: int, c: int | None):
    """Cell (r, c) of the 案件 grid; None for an empty one (the grid is read with "" for them)."""
    if c is None or r > len(grid):
        return None
    row = grid[r - 1]
    value = row[c - 1] if c <= len(row) else None
    return None if value == "" else value


# Per 案件 column, the types whose equal values _same finds the same without asking it: a text the export
# typed is already stripped (a platform is one of PLATFORM_ZH's names, a yes/no 是 or 否); equal naive
# datetimes are the same instant. Amounts are left to _same (a float may equal a Decimal that its repr does not).
_SAME_WHEN_EQUAL = {k: (str,) if c.kind in ("text", "reason", "platform", "bool") else
                    (dt.datetime,) if c.kind == "datetime" else () for k, c in INPUT_BY_KEY.items()}


def _same(old, new, key: str, row_type=None, platform=None, reasons=None) -> bool:
    """Whether a 案件 cell already says what the export says (so it is left alone)."""
    if is_blank(old):
        return False
    kind = INPUT_BY_KEY[key].kind
    if kind in ("text", "reason"):
        if to_text(old) == new:
            return True
        if kind == "reason":           # another wording of the same reason: staff's choice stays
            code = match_reason(old, row_type, platform, reasons)
            return code is not None and code == match_reason(new, row_type, platform, reasons)
        return False
    try:
        if kind == "datetime":
            instant, _ = to_datetime(old)
            target = new if isinstance(new, dt.datetime) else dt.datetime.combine(new, dt.time(0))
            return abs((instant - target).total_seconds()) < 1
        if kind == "platform":
            return to_platform(old) == to_platform(new)
        parsed = PARSERS[kind](old)
        return parsed == (PARSERS[kind](new) if kind == "bool" else new)
    except CellError:
        return False


# _same's answer depends on the row (its 售后类型, platform) and the 原因对照 sheet only for a reason; for the
# other columns it is one per (cell, export value), types included (1 == 1.0 == True as dict keys). Amounts
# repeat down a sheet (a float cell against the export's Decimal misses the equal-values shortcut).
_SAME_BY_VALUES = frozenset(k for k, c in INPUT_BY_KEY.items() if c.kind != "reason")
SAME_REMEMBERED = 4096


def _same_remembered(old, new, key: str, row_type, platform, reasons, seen: dict | None) -> bool:
    """_same, remembered in `seen` where its answer depends only on the two values."""
    if seen is None or key not in _SAME_BY_VALUES:
        return _same(old, new, key, row_type, platform, reasons)
    k = (key, old.__class__, old, new.__class__, new)
    try:
        answer = seen.get(k)
    except TypeError:                 # an unhashable cell value (not from a sheet)
        return _same(old, new, key)
    if answer is None:
        answer = _same(old, new, key)
        if len(seen) < SAME_REMEMBERED:
            seen[k] = answer
    return answer


def _last_used_row(grid) -> int:
    for r in range(len(grid), 0, -1):
        if any(not is_blank(v) for v in grid[r - 1]):
            return r
    return 0


def import_exports(book: str | Path, files: list[str | Path], *, platform: str | None = None,
                   dry_run: bool = False, wait: float = 0.0, from_sheet: bool = False,
                   export_wins: bool = False) -> ImportReport:
    """Import the export files into the workbook's 案件 sheet; see the module docstring.

    platform: None/"auto" (from the file) or what staff type for one (淘宝, 天猫, 京东, 拼多多).
    wait: seconds to wait for another run of ours on the same book. from_sheet: also the rows pasted
    into the book's own 导入 sheet (:func:`pasted_export`). export_wins: a cell staff changed since the
    last import takes the export's value too (listed). Raises ExportFileError (a file cannot be
    imported) or another BookError (the book is open in Excel, has no 案件 header, new rows would go
    below a totals row or outside the case Table ...); then nothing is written.
    """
    override = platform_override(platform)
    with open_book(book, write=not dry_run, wait=wait, command="import", out_hint=False) as session:
        sources = list(files) + ([pasted_export(session)] if from_sheet else [])
        return import_into(session, sources, override, dry_run=dry_run, export_wins=export_wins)


def platform_override(platform: str | None) -> str | None:
    """The platform code staff asked for (--platform), or None for "from the file"."""
    if not platform or platform.strip().lower() == "auto":
        return None
    try:
        return to_platform(platform)
    except CellError as exc:
        raise ExportFileError(f"--platform: {exc.zh}", f"--platform: {exc.en}") from None


def pasted_export(session) -> ExportSheet:
    """The rows staff pasted into the 导入 sheet (header included), as one export table. The sheet is
    left as it is: importing the same rows again matches them by order id + refund id and adds nothing."""
    name = find_sheet(session.sheet_names, IMPORT.aliases)
    if name is None:
        raise ExportFileError(f"工作簿里没有「{IMPORT.name}」表: 请新建一个名为「{IMPORT.name}」的工作表, 把导出表(含表头)粘贴到A1",
                              f"no {IMPORT.name} sheet in the book: add one and paste the export, header included, "
                              f"at A1", "no_paste")
    rows = session.read([name])[name]
    if not any(not is_blank(v) for row in rows[1:] for v in row):
        raise ExportFileError(f"「{name}」表是空的: 请把平台导出表的内容(含表头)粘贴到A1, 再导入",
                              f"the {name} sheet is empty: paste the export, header included, at A1", "no_paste")
    return ExportSheet(f"「{name}」表", rows)


def import_into(session, sources: list, override: str | None, *, dry_run: bool = False,
                export_wins: bool = False) -> ImportReport:
    """The import on an open session (a saved file's, or the Excel book behind the button: any object
    with sheet_names, read, layout and patch). sources: export files, or ExportSheets already read.
    The 案件 sheet and the 导入记录 (record.py) are written in one patch."""
    names = session.sheet_names
    case_sheet = require_case_sheet(names, session.name)
    sheets = settings_sheets(names)
    # empty cells as "" (calamine's own): no pass over every cell to make them None; _cell does it per cell read.
    # A saved book's session keeps the sheet XML it inflated, for the layout and the patch (inflated once).
    deferred = getattr(session, "layout_deferred", None)
    grids = session.read([case_sheet] + [n for n in sheets.values() if n], empty="",
                         **({"keep_xml": True} if deferred else {}))
    settings = load_settings(sheets, grids.__getitem__)
    reasons = settings.reasons
    record = ImportRecord.in_book(names, lambda name: session.read([name])[name])
    try:
        # without formulas, the sheet's cells are scanned only when new columns need the rightmost used one
        layout = deferred(case_sheet) if deferred else session.layout(case_sheet)
        report, edit = _upsert(grids[case_sheet], layout, sources, override, reasons,
                               settings.policy[SHOP_PLATFORM], record=record, export_wins=export_wins)
    except CaseSheetError as exc:
        raise exc.in_sheet(case_sheet) from None
    record_edit = record.edit(cases_changed=bool(edit.cells))
    report.cells, report.record_cells = len(edit.cells), len(record_edit.cells)
    if (edit.cells or record_edit.cells) and not dry_run:
        # one atomic patch: the cases and the record of what this import took never disagree
        session.patch({case_sheet: edit, record.sheet or IMPORT_RECORD.name: record_edit})
        report.written = True
    return report


def _tables(source) -> tuple[str, list[ExportSheet]]:
    """(name, tables) of one source: an export file, or rows pasted into the book (an ExportSheet)."""
    if isinstance(source, ExportSheet):
        return source.name, [source]
    path = Path(source)
    return path.name, read_export(path)


def _upsert(grid: list[list], layout: SheetLayout, files, override: str | None, reasons,
            default_platform: str | None = None, *, record: ImportRecord | None = None,
            export_wins: bool = False) -> tuple[ImportReport, SheetEdit]:
    """The report and the case sheet's edit (nothing is written here). default_platform: the 规则 sheet's
    默认平台 (a platform code), for a file that does not say. record: the book's 导入记录, which decides
    whose a differing cell is and gets this import's values (record.edit() then writes them)."""
    if record is None:
        record = ImportRecord()
    header = find_case_header(grid)
    not_cases = totals_rows(grid, header, layout, reasons)
    skip = set(not_cases)
    cols = dict(header.inputs)
    order_col, platform_col, refund_col = cols.get("order_id"), cols.get("platform"), cols.get("refund_id")
    existing: dict[tuple, list[int]] = {}          # (order id, refund id) -> 案件 rows
    row_platform: dict[int, str] = {}
    book_platforms: Counter = Counter()
    platforms: dict = {}              # 平台 cell -> code (None: blank or unknown), each distinct cell read once
    for r in range(header.row + 1, len(grid) + 1):
        order = _id(_cell(grid, r, order_col))
        if not order or r in skip:
            continue
        plat = _platform_code(_cell(grid, r, platform_col), platforms)
        if plat is not None:
            book_platforms[plat] += 1
            row_platform[r] = plat
        existing.setdefault((order, _id(_cell(grid, r, refund_col))), []).append(r)

    report = ImportReport()
    lines: list[_Line] = []
    for source in files:
        name, tables = _tables(source)
        # a workbook's 售后信息 sheet first (拼多多's .xlsx keeps its rows there)
        sheets = sorted(tables, key=lambda s: not s.name.endswith("[售后信息]"))
        found = next(((s, m) for s in sheets if (m := _find_format(s.rows, override))), None)
        if found is None:
            seen = next((", ".join(str(v) for v in row if not is_blank(v))[:80] for s in sheets for row in s.rows
                         if any(not is_blank(v) for v in row)), "")
            raise ExportFileError(f"{name}: 找不到订单号列, 不是淘宝/天猫/京东/拼多多/抖店的售后或退款导出 (首行: {seen})",
                                  f"{name}: no order id column; not a Taobao/Tmall/JD/Pinduoduo/Douyin refund export")
        sheet, (fmt, header_row, fcols) = found
        code, note = _platform(fmt, name, sheet.rows, fcols, header_row, override, book_platforms,
                               default_platform)
        summary = FileSummary(sheet.name, fmt, code, note=note, **_coverage(fmt, sheet.rows[header_row], fcols))
        report.files.append(summary)
        lines.extend(_lines(sheet, fmt, header_row, fcols, summary, report))

    # Columns the export fills that the sheet lacks go right of everything in use (inside the case Table).
    needed = [k for k in INPUT_BY_KEY if k not in cols and any(k in line.values for line in lines)]
    # (no new column: nothing to place, and the sheet's rightmost used column is not needed)
    place = place_new_columns(grid, header, layout, [INPUT_BY_KEY[k].header for k in needed]) if needed \
        else Placement(0)
    report.notes.extend(note.text() for note in place.notes)
    cells: dict[tuple[int, int], object] = {}
    for i, key in enumerate(needed):
        cols[key] = place.start + i
        cells[(header.row, place.start + i)] = INPUT_BY_KEY[key].header
        report.added_columns.append(INPUT_BY_KEY[key].header)

    new_columns = set(needed)
    next_row = max(_last_used_row(grid), header.row) + 1
    first_new_row = next_row
    seen: dict[tuple, str] = {}
    claimed: set[int] = set()
    by_order: dict[str, list[int]] | None = None        # order id -> rows, built when needed
    same: dict = {}                                      # _same's answers (_same_remembered)
    for line in lines:
        key = line.key
        if key in seen:
            report.refused.append(Refused(line.where, f"与 {seen[key]} 重复 (同一订单号+退款编号)",
                                          f"duplicate of {seen[key]} (same order id + refund id)"))
            continue
        seen[key] = line.where
        rows = existing.get(key, [])
        if not rows and key[1]:       # a case staff typed without the refund id: it gets one
            loose = [r for r in existing.get((key[0], ""), []) if r not in claimed]
            rows = loose[:1] if len(loose) == 1 else []
        if not rows and not key[1]:   # a re-export that left the refund id blank: the order's one case
            if by_order is None:
                by_order = {}
                for k, rs in existing.items():
                    by_order.setdefault(k[0], []).extend(rs)
            same_order = [r for r in by_order.get(key[0], []) if r not in claimed]
            if len(same_order) > 1:
                report.refused.append(Refused(
                    line.where, f"退款编号为空, 而案件表第 {'、'.join(map(str, same_order))} 行是同一订单, 无法确定更新哪一行",
                    f"no refund id, and sheet rows {same_order} are the same order; which to update?"))
                continue
            rows = same_order
        if len(rows) > 1:
            report.refused.append(Refused(line.where, f"案件表第 {'、'.join(map(str, rows))} 行的订单号+退款编号相同, "
                                                      "无法确定更新哪一行", f"sheet rows {rows} share this key; which to update?"))
            continue
        if rows:
            r = rows[0]
            claimed.add(r)
            row_type = line.values.get("after_sales_type") or _cell(grid, r, cols.get("after_sales_type"))
            refund = _id(_cell(grid, r, refund_col))
            case_key = (key[0], key[1] or refund)
            also = ((key[0], refund),) if refund != case_key[1] else ()     # typed without the refund id
            changed, took, agreed = _merge_row(grid, r, line, cols, new_columns,
                                               lambda: record.values(case_key, *also), export_wins, row_type,
                                               reasons, report, same)
            record.update(case_key, took, *also, missing=agreed)
            cells.update(changed)
            was = row_platform.get(r)
            if was is not None and was != line.platform:
                report.platform_changes[(was, line.platform)] += 1
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
        else:
            for k, v in line.values.items():
                cells[(next_row, cols[k])] = v
            record.update(key, line.values)
            next_row += 1
            report.added += 1
        reason = line.values.get("reason")
        if reason is not None and reasons.match(reason, line.values.get("after_sales_type"), line.platform) is None:
            report.unknown_reasons[reason] += 1

    edit = SheetEdit(cells=cells, table_columns=place.table_columns)
    if next_row > first_new_row:
        edit.table_rows = _rows_room(header, layout, not_cases, first_new_row, next_row - 1, report)
    return report, edit


def _merge_row(grid, r: int, line: _Line, cols: dict[str, int], new_columns: set[str],
               read_record: Callable[[], dict[str, object] | None], export_wins: bool, row_type, reasons,
               report: ImportReport, same: dict | None = None) -> tuple[dict, dict[str, object], dict[str, object]]:
    """The cells of 案件 row r the export's line changes, what the record takes for the case, and the
    values of the cells that already agree with the export (recorded only where the record has none).

    Per cell: the same as the export (another wording of the same reason included) -> left alone; in a
    column the import adds now, or holding what the last import took (the record) -> the export's value;
    holding something else (emptied included) -> staff changed it: kept and reported, or with export_wins
    replaced and reported; no record of the cell -> the export's value, a non-empty cell replaced reported.
    The record takes the export's value of every differing cell, so a kept edit stays staff's at the next
    import too. read_record() gives the case's record (None: none); it is read only for a cell that
    differs from the export. `same`: _same's answers remembered over the import (_same_remembered)."""
    changed: dict[tuple[int, int], object] = {}
    took: dict[str, object] = {}
    agreed: dict[str, object] = {}
    recorded: dict[str, object] | None = None
    read = False
    row = grid[r - 1] if r <= len(grid) else []
    width = len(row)
    for k, v in line.values.items():
        c = cols[k]
        old = row[c - 1] if c <= width else None
        if old == "":
            old = None
        if (old == v and old.__class__ is v.__class__ and old.__class__ in _SAME_WHEN_EQUAL[k]) or \
                _same_remembered(old, v, k, row_type, line.platform, reasons, same):
            agreed[k] = v
            continue
        took[k] = v
        if k in new_columns:
            changed[(r, c)] = v
            continue
        if not read:
            recorded, read = read_record(), True
        header = INPUT_BY_KEY[k].header
        if is_blank(old) and (recorded is None or k not in recorded):
            changed[(r, c)] = v
        elif recorded is None or k not in recorded:
            changed[(r, c)] = v
            report.overwritten.append(CellChange(r, header, old, v, "no_record"))
        elif same_as_recorded(old, recorded[k], k):
            changed[(r, c)] = v                    # staff did not touch it: the platform's update
        elif export_wins:
            changed[(r, c)] = v
            report.overwritten.append(CellChange(r, header, old, v, "export_wins"))
        else:
            report.kept.append(CellChange(r, header, old, v))
    return changed, took, agreed


def _rows_room(header: HeaderMap, layout: SheetLayout, not_cases: list[int], first: int, last: int,
               report: ImportReport) -> dict[str, int]:
    """Check that new rows `first`..`last` may be written (never below a totals row; joined to the case
    Table when there is one) and return the Table growth they need. Raises CaseSheetError otherwise."""
    table = layout.table_with_header(header.row, header.inputs.values())
    if table is not None and table.totals_rows:
        r = table.totals_row_numbers[0]
        raise CaseSheetError(f"案件表格「{table.name}」有汇总行 (第{r}行): 新案件只能加在它下面, 未写入任何内容; 请在Excel中"
                          f"取消「表设计 > 汇总行」, 导入后再勾选",
                          f"the case Table {table.name!r} has a totals row (row {r}); new cases could only go below it, "
                          f"nothing was written; untick Table Design > Total Row in Excel, import, then tick it again",
                          "totals_row")
    if not_cases:
        r = not_cases[0]
        raise CaseSheetError(f"案件表第{r}行是合计行: 新案件无处追加 (不会写在合计行下面), 未写入任何内容; 请先删除合计行或把它移到别处",
                          f"row {r} of the 案件 sheet is a totals row; new cases have nowhere to go (never below a "
                          "totals row), nothing was written; remove or move the totals row first", "totals_row")
    if table is None:
        return {}
    r2 = table.ref[2]
    if first > r2 + 1:
        raise CaseSheetError(f"案件表格「{table.name}」到第{r2}行为止, 但它下面还有内容 (到第{first - 1}行): 新案件若写在其后就不在表格里, "
                          f"未写入任何内容; 请移开表格下方的内容, 或在Excel中把表格扩展到这些行",
                          f"the case Table {table.name!r} ends at row {r2} but there is content below it (down to row "
                          f"{first - 1}); new cases written after it would be outside the Table, nothing was written; "
                          "move what is below the Table, or extend the Table over those rows in Excel", "table_below")
    if last <= r2:
        return {}
    if table.calculated:
        report.notes.append(f"表格「{table.name}」的计算列 {', '.join(table.calculated)} 在新行中为空, 请在Excel中向下填充 / "
                            f"the Table's calculated columns {', '.join(table.calculated)} are empty in the new rows; "
                            "fill them down in Excel")
    return {table.name: last}
