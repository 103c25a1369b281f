"""The buttons for the steps that take in or hand out files: 导入平台导出, 导出短信, 导入回执.

Each runs the command line's own code (`aftersales import`, `outbox --format`, `receipts`) on the open
book through :class:`~addin.excel.session.ExcelSession`, so it writes the same cells. Where the runtime
can open local files (classic xlwings) a file picker asks for them (Excel's Open dialog,
:func:`pick_files`); where it cannot (xlwings Lite, in the browser) staff paste the file's rows, header
included, into the 导入 sheet, which is also read when the dialog is cancelled. The pasted rows stay
there: importing them again matches them by order id + refund id (receipts: by phone and text) and
changes nothing. 导出短信 writes the vendor files beside the book, or in Lite one sheet per file.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from addin.core.errors import BilingualError
from addin.workbook.commands.importer import import_into, pasted_export
from addin.workbook.commands.outbox import OutboxReport, export_files, write_log
from addin.workbook.commands.receipts import apply_receipts, pasted_receipts, read_receipt_file
from addin.workbook.commands.summary import Summary
from addin.workbook.commands.texts import load_book
from addin.workbook.sheets.catalogue import IMPORT
from addin.workbook.sheets.settings import read_settings

from .activity import current_time, log_click
from .blocks import Block, replace_all
from .session import ExcelSession

EXPORT_FILTER = "平台导出 (*.csv;*.xlsx;*.xls;*.txt),*.csv;*.xlsx;*.xls;*.txt,所有文件 (*.*),*.*"
RECEIPT_FILTER = "短信回执 (*.csv;*.xlsx;*.xls),*.csv;*.xlsx;*.xls,所有文件 (*.*),*.*"
SHEET_PREFIX = "短信文件"        # Lite: the vendor files' rows, one sheet each (短信文件1_阿里云 …)


def pick_files(book, title: str, file_filter: str, multi: bool = True) -> list[str] | None:
    """Excel's Open dialog (Application.GetOpenFilename: FileFilter, FilterIndex, Title, ButtonText,
    MultiSelect; it returns False when cancelled and, with MultiSelect, an array of paths; see
    learn.microsoft.com/office/vba/api/excel.application.getopenfilename). [] when cancelled; None
    where there is no dialog (xlwings Lite, or an engine without Excel's object model)."""
    if sys.platform == "emscripten":
        return None
    try:
        chosen = book.app.api.GetOpenFilename(file_filter, 1, title, None, multi)
    except Exception:  # noqa: BLE001 - no COM object model here (xlwings Lite, a Mac's appscript)
        return None
    if chosen is False or chosen is None:
        return []
    return [str(p) for p in chosen] if isinstance(chosen, (list, tuple)) else [str(chosen)]


def in_browser() -> bool:
    """xlwings Lite runs in Pyodide, which has no access to the staff's folders."""
    return sys.platform == "emscripten"


# --- 导入平台导出 ---------------------------------------------------------------------------------

def import_book(book, files: list[str] | None = None) -> object:
    """The exports chosen in the dialog (or `files`), else the rows pasted into 导入, into 案件."""
    session = ExcelSession(book)
    settings = read_settings(session)
    show = settings.display
    if files is None:
        files = pick_files(book, "选择平台导出文件 (可多选; 取消 = 导入「导入」表中粘贴的内容)", EXPORT_FILTER)
    pasted = not files
    session.status(show.pair("导入平台导出: 读取…", "import: reading…"))
    sources = [pasted_export(session)] if pasted else list(files)
    report = import_into(session, sources, None)
    where = show.pair(f"「{IMPORT.name}」表", f"the {IMPORT.name} sheet") if pasted else \
        show.pair(f"{len(files)} 个文件", f"{len(files)} files")
    line = show.pair(f"导入完成 ({where}): 新增 {report.added}, 更新 {report.updated}, 未变 {report.unchanged}, "
                     f"拒绝 {len(report.refused)}",
                     f"imported ({where}): added {report.added}, updated {report.updated}, unchanged "
                     f"{report.unchanged}, refused {len(report.refused)}")
    notes = [show.pair(f"{r.where}: {r.zh}", f"{r.where}: {r.en}") for r in report.refused[:5]]
    if report.kept:        # staff's corrections the export did not replace (importer/record.py)
        notes.append(show.pair(f"保留人工修改 {len(report.kept)} 格 (要以导出为准: 命令行 --export-wins): " + "; ".join(
            c.kept().split(" / ")[0] for c in report.kept[:5]), f"kept staff's edits in {len(report.kept)} cells"))
    if report.overwritten:
        notes.append(show.pair(f"以导出覆盖 {len(report.overwritten)} 个非空格: " + "; ".join(
            c.overwritten().split(" / ")[0] for c in report.overwritten[:5]),
            f"{len(report.overwritten)} non-empty cells replaced by the export"))
    if report.unknown_reasons:
        notes.append(show.pair("未识别的原因: " + ", ".join(report.unknown_reasons), "unknown reasons: "
                               + ", ".join(report.unknown_reasons)))
    if pasted:
        notes.append(show.pair(f"「{IMPORT.name}」表的内容保留 (再点一次不会重复导入); 粘贴下一份导出前请先清空该表",
                               f"the {IMPORT.name} sheet is kept (importing it again adds nothing); clear it before "
                               f"pasting the next export"))
    log_click(session, session.sheet_names, show.pair("导入平台导出", "import"),
         Summary(rows=report.added + report.updated, errors=len(report.refused), cells_written=report.cells,
                 added_columns=report.added_columns), settings, notes)
    session.status(line + (show.pair("; 下一步: 重新计算", "; next: recalc") if report.written else ""))
    return report


# --- 导出短信 -------------------------------------------------------------------------------------

def vendor_formats(approved: dict) -> list[str]:
    """The files 模板 asks for: 阿里云's numbers files where a kind has a 模板CODE, 腾讯云's where it has a
    腾讯云模板ID (both when both are filled), the free-text csv when no vendor template is filled."""
    formats = [fmt for fmt, attr in (("aliyun-xlsx", "code"), ("tencent-xlsx", "tencent_id"))
               if any(getattr(t, attr, None) for t in approved.values())]
    return formats or ["csv"]


class SheetSink:
    """xlwings Lite cannot save files: each vendor file's rows go to a sheet of their own, named
    短信文件N_阿里云 (腾讯云, 通用), which staff save as the file (复制到新工作簿, 另存为)."""

    VENDOR = {"aliyun-xlsx": "阿里云", "aliyun-batch-json": "阿里云JSON", "tencent-xlsx": "腾讯云", "csv": "通用"}

    def __init__(self, session: ExcelSession):
        self.session = session
        self.fmt = "csv"
        self.sheets: list[str] = []            # written by this run, in order
        self.files: dict[str, str] = {}        # sheet -> the file name it stands for

    def place(self, file: Path) -> str:
        name = f"{SHEET_PREFIX}{len(self.sheets) + 1}_{self.VENDOR[self.fmt]}"
        self.sheets.append(name)
        self.files[name] = Path(file).name
        return name

    def write(self, name: str, rows: list[list]) -> None:
        names = self.session.sheet_names
        old = self.session.sheet(name) if name in names else []
        if name not in names:
            self.session.add_sheet(name)
        self.session.write(name, replace_all(rows, old))     # text Excel would parse goes as text

    def clear_others(self) -> None:
        """Sheets an earlier export left that this one did not fill are emptied (never sent twice)."""
        for name in self.session.sheet_names:
            if name.startswith(SHEET_PREFIX) and name not in self.sheets:
                old = self.session.sheet(name)
                if any(v is not None for row in old for v in row):
                    self.session.write(name, Block(1, 1, [[None] * max(len(r) for r in old) for _ in old]))


def outbox_book(book, now: dt.datetime | None = None, out_dir: str | Path | None = None,
                to_sheets: bool | None = None) -> list[OutboxReport]:
    """`aftersales outbox --format F` for each format :func:`vendor_formats` names, in turn (a message
    goes to the first vendor that approved its template: the next format sees it in 发送记录), with the
    发送记录 entries. Files go to BOOK_outbox beside the book, or (Lite) to sheets."""
    session = ExcelSession(book)
    now = now or current_time()
    to_sheets = in_browser() if to_sheets is None else to_sheets
    out_dir = Path(out_dir) if out_dir else session.source.parent / f"{session.source.stem}_outbox"
    sink = SheetSink(session) if to_sheets else None
    reports = []
    merge = load_book(session)
    show = merge.settings.display
    for fmt in vendor_formats(merge.approved):
        session.status(show.pair(f"导出短信: {fmt}…", f"export SMS: {fmt}…"))
        if reports:
            merge = load_book(session)         # 发送记录 as the previous format left it
        if sink:
            sink.fmt = fmt
        texts = merge.texts(now)
        report, entries = export_files(merge, texts, now, fmt, out_dir, sink=sink)
        write_log(session, merge.log, entries, report)
        reports.append(report)
    if sink:
        sink.clear_others()
    exported = sum(r.exported for r in reports)
    files = [str(f) for r in reports for f in r.files]
    sel = reports[0].selection          # as the book was before this run (the later formats see the first's log)
    no_template = set.intersection(*(set(r.selection.no_template) for r in reports))
    skipped = [show.pair(f"{n} 条{zh}", f"{n} {en}") for n, zh, en in (
        (len(sel.stale), "计划时间已过", "past their time"), (len(no_template), "没有审核通过的模板", "without an approved template"),
        (len(sel.already), "已导出过", "exported before"), (len(sel.failed), "上次发送失败", "failed before")) if n]
    if sink:
        where = show.pair(f"已写入工作表 {', '.join(files)} (浏览器中不能保存文件: 请把每个表另存为文件后上传)",
                          f"written to the sheets {', '.join(files)} (the browser cannot save files: save each as a file)")
    else:
        where = show.pair(f"文件在 {out_dir}", f"files in {out_dir}") if files else ""
    line = show.pair(f"导出短信完成: {exported} 条, {len(files)} 个文件", f"SMS exported: {exported}, {len(files)} files")
    line = "; ".join(filter(None, [line, where, show.pair("未导出: ", "not exported: ") + ", ".join(skipped) if skipped else ""]))
    log_click(session, session.sheet_names, show.pair("导出短信", "export SMS"),
         Summary(rows=exported, cells_written=session.writes), merge.settings,
         [f"{r.fmt}: {r.batch}" for r in reports if r.exported] + ([where] if where else []))
    session.status(line)
    return reports


# --- 导入回执 -------------------------------------------------------------------------------------

def receipts_book(book, file: str | None = None, now: dt.datetime | None = None):
    """The receipt file chosen in the dialog (or `file`), else the receipts pasted into 导入: the
    statuses into 发送记录, 案件's 短信状态 and 退订名单, as `aftersales receipts` writes them."""
    session = ExcelSession(book)
    settings = read_settings(session)
    show = settings.display
    now = now or current_time()
    if file is None:
        chosen = pick_files(book, "选择短信回执文件 (取消 = 导入「导入」表中粘贴的回执)", RECEIPT_FILTER, multi=False)
        file = chosen[0] if chosen else None
    session.status(show.pair("导入回执: 读取…", "receipts: reading…"))
    if file:
        grid, name = read_receipt_file(Path(file)), Path(file).name
    else:
        grid, name = pasted_receipts(session)
    report = apply_receipts(session, grid, name, now)
    if report.log_error is not None:
        raise BilingualError(report.log_error.zh, report.log_error.en, "log")
    line = show.pair(f"回执导入完成 ({name}): {report.rows} 行, 匹配 {report.matched}, 更新 {report.updated}, "
                     f"未匹配 {len(report.unknown)}, 案件短信状态 {report.case_rows} 行",
                     f"receipts ({name}): {report.rows} rows, matched {report.matched}, updated {report.updated}, "
                     f"unknown {len(report.unknown)}, case rows {report.case_rows}")
    notes = []
    if report.opted_out:
        notes.append(show.pair(f"退订名单新增 {len(report.opted_out)} 个号码", f"{len(report.opted_out)} numbers opted out"))
    if report.skipped:
        notes.append(show.pair(f"跳过 {len(report.skipped)} 行无法读取", f"{len(report.skipped)} rows skipped"))
    log_click(session, session.sheet_names, show.pair("导入回执", "receipts"),
         Summary(rows=report.rows, errors=len(report.skipped), cells_written=session.writes), settings, notes)
    session.status(line)
    return report

