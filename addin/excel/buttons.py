"""What the workbook's buttons run: 重新计算, 生成回复与短信, 检查, 结案归档 (and, in addin.excel.steps,
导入平台导出, 导出短信, 导入回执).

The VBA subs (macros/AfterSales.bas) call, e.g., RunPython "import addin.excel.buttons as b; b.recalc()".
Each button reads every sheet it needs in one call, computes in Python with the same functions as the
command line (:func:`~addin.workbook.commands.recalc.compute_sheet`), writes each block of computed columns in one
call (:mod:`addin.excel.blocks`) and reports on Excel's status bar. The ``*_book`` functions take any
xlwings-like Book, so the xlwings Lite scripts and the tests run them too. What they write (status bar,
日志 sheet, cells) follows the 规则 sheet's 显示语言 (:mod:`addin.core.display`).
"""
from __future__ import annotations

import datetime as dt

from addin.core.display import Display, display_of
from addin.core.gcpause import gc_paused
from addin.workbook.sheets.vendor_template_sheet import approved_from_grid
from addin.core.errors import BilingualError
from addin.workbook.commands.compute import compute_case_sheet
from addin.workbook.commands.summary import Summary
from addin.workbook.sheets.case_sheet import CaseSheetError, find_case_header
from addin.workbook.sheets.case_columns import OUTPUTS
from addin.workbook.sheets.catalogue import (CASE_SHEET_NAMES, LOG_SHEET_NAMES,
                                             OPTOUT_SHEET_NAMES, OUTBOX_SHEET_NAMES, TEMPLATE_SHEET_NAMES,
                                             find_sheet)
from addin.workbook.sheets.send_log import SendLog, journal_path
from addin.workbook.sheets.settings import policy_from_grid, read_settings, settings_sheets
from addin.workbook.commands.texts import compute_texts, optouts_from_grid, replace_outbox, templates_from_grid
from addin.workbook.commands.todo import todo_sheet_grid
from addin.workbook.files.xlsx_patch import Formula
from addin.workbook.files.xlsx_patch.scan import SheetLayout
from addin.workbook.commands.archive import archive_plan
from addin.workbook.files.session import lock_holder
from addin.workbook.sheets.catalogue import ARCHIVE, TODO

from .activity import current_time, log_click
from .blocks import Block, column_runs, for_excel, plan_blocks, replace_all
from .book import BookIO

ERRORS_HEADER = next(c.header for c in OUTPUTS if c.key == "errors")


# --- entry points for RunPython ------------------------------------------------------------------

def recalc():
    _run(recalc_book)


def generate_texts():
    _run(texts_book)


def import_exports():
    from .steps import import_book
    _run(import_book)


def export_sms():
    from .steps import outbox_book
    _run(outbox_book)


def import_receipts():
    from .steps import receipts_book
    _run(receipts_book)


def validate():
    _run(validate_book)


def archive_cases():
    _run(archive_cases_book)


def restore_cases():
    _run(lambda book: archive_cases_book(book, undo=True))


def _run(action):
    import xlwings as xw   # only here: everything below runs without Excel

    run_on(xw.Book.caller(), action)


def run_on(book, action):
    """Run a button on `book` (classic: the caller; Lite: the book a @script receives): refused when a
    command-line run holds it, and a bilingual error is said on the status bar and in a dialog."""
    try:
        _not_busy(book)
        action(book)
    except BilingualError as exc:
        _tell(book, _display(BookIO(book)).pair(exc.zh, exc.en))


def _not_busy(book) -> None:
    """A command-line run of ours holding this book (its lock file beside it) is said plainly, and the
    button does nothing: both would write the same cells."""
    holder = lock_holder(getattr(book, "fullname", "") or "")
    if holder:
        raise BilingualError(f"另一个售后助手任务正在处理此工作簿 ({holder.get('command', '?')}), 请等它结束后再点",
                             f"another AfterSales run ({holder.get('command', '?')}) is working on this book; click "
                             f"again when it has finished", "busy")


def _tell(book, text: str) -> None:
    """A problem the user must see; a status bar message is easy to miss."""
    BookIO(book).status(text)
    try:
        book.app.alert(text, title="售后助手")
    except Exception:  # noqa: BLE001 - no dialog on this runtime: the status line has it
        pass


def _display(io: BookIO) -> Display:
    """The 规则 sheet's 显示语言, for buttons that do not read the other settings (中文 if unreadable)."""
    try:
        sheet = settings_sheets(io.sheet_names)["policy"]
        return Display() if sheet is None else display_of(policy_from_grid(io.sheet(sheet))[0])
    except Exception:  # noqa: BLE001 - only choosing the language of a message
        return Display()


# --- 重新计算 / 检查 -----------------------------------------------------------------------------

def _case_sheet(io: BookIO, names: list[str]) -> str:
    name = find_sheet(names, CASE_SHEET_NAMES)
    if name is None:
        raise CaseSheetError("找不到「案件」工作表", "no 案件 (cases) sheet in this workbook")
    return name


def _compute(io: BookIO, label: tuple[str, str], now: dt.datetime | None):
    names = io.sheet_names
    case_sheet = _case_sheet(io, names)
    settings = read_settings(io)      # as the command line reads them
    show = settings.display
    io.status(f"{show.pair(*label)}: {show.pair('读取', 'reading')}…")
    grid = io.sheet(case_sheet, raw=True)
    layout = _formula_layout(io, case_sheet, grid)
    result = compute_case_sheet(grid, settings, case_sheet, now=now, layout=layout,
                                progress=lambda done, total: io.status(f"{show.pair(*label)}: {done}/{total}"))
    return names, case_sheet, grid, result, settings


def _formula_layout(io: BookIO, case_sheet: str, grid: list[list]) -> SheetLayout | None:
    """The formulas staff put into the computed columns, read from Excel (one read per run of adjacent
    computed columns), as the layout the command line reads from the file: compute_sheet then leaves
    them alone and says so, exactly as `aftersales recalc` does. None where the runtime cannot read
    formulas (xlwings Lite): there a formula in a computed column is overwritten, as docs/excel.md says."""
    header = find_case_header(grid)
    computed = [*header.outputs.values(), *header.msg_outputs.values()]
    if not computed or len(grid) <= header.row:
        return SheetLayout()
    formulas: dict[tuple[int, int], str] = {}
    for left, right in column_runs(computed):
        block = io.formulas(case_sheet, header.row + 1, left, len(grid), right)
        if block is None:
            return None
        for i, row in enumerate(block, start=header.row + 1):
            for j, text in enumerate(row, start=left):
                if text.__class__ is str and text.startswith("="):
                    formulas[(i, j)] = text
    return SheetLayout(formulas=formulas)


def _kept(result) -> dict[tuple[int, int], str]:
    """(row, col) -> formula of every computed cell compute_sheet left alone because it holds a formula."""
    prot = getattr(result, "protection", None)
    if prot is None:
        return {}
    return {(r, c): text for r, cols in prot.formulas.items() for c, text in cols.items() if text}


# A click is one batch (like recalc): with the collector on, every block planned after compute_sheet would
# rescan the cases just read and computed, again and again (two thirds of plan_blocks' time at 10k rows).
@gc_paused()
def recalc_book(book, now: dt.datetime | None = None) -> Summary:
    """Recompute every row; write only the computed columns, one block per run of adjacent ones."""
    io = BookIO(book)
    names, case_sheet, grid, result, settings = _compute(io, ("重新计算", "recalculating"), now or current_time())
    show = settings.display
    columns = result.out_columns.values()
    for block in plan_blocks(result.cells, columns, grid, keep=_kept(result)):
        io.write(case_sheet, block)
    write_todo(io, names, case_sheet, result.summary, result.now, show)
    log_click(io, names, show.pair("重新计算", "recalc"), result.summary, settings)
    io.status(_summary_line(show.pair("重新计算完成", "recalculated"), result.summary, show))
    return result.summary


def write_todo(io: BookIO, names: list[str], case_sheet: str, summary: Summary, now, show: Display) -> None:
    """今日待办 as `aftersales recalc` writes it: the values in one block from A1 (blanks over the old
    content), then the HYPERLINK column as formulas in one more call."""
    grid = todo_sheet_grid(summary, now, case_sheet, show)
    name = find_sheet(names, TODO.aliases)
    if name is None:
        name = TODO.name
        io.add_sheet(name)
        old = []
    else:
        old = io.sheet(name)
    values = [[v.cached if isinstance(v, Formula) else v for v in row] for row in grid]
    io.write(name, replace_all(values, old))
    links = [(r, c, v) for r, row in enumerate(grid, 1) for c, v in enumerate(row, 1) if isinstance(v, Formula)]
    if links:
        top, bottom, col = links[0][0], links[-1][0], links[0][1]
        column = {r: "=" + str(v) for r, _, v in links}
        io.write_formulas(name, Block(top, col, [[column.get(r, "")] for r in range(top, bottom + 1)]))


@gc_paused()
def validate_book(book, now: dt.datetime | None = None) -> Summary:
    """Check every row and the 规则 sheet; write only the 错误 column, so nothing else changes."""
    io = BookIO(book)
    names, case_sheet, grid, result, settings = _compute(io, ("检查", "checking"), now or current_time())
    show = settings.display
    errors_col = result.header.outputs.get("errors") or result.new_columns["errors"]
    cells = {rc: v for rc, v in result.cells.items() if rc[1] == errors_col}
    for block in plan_blocks(cells, [errors_col], grid, keep=_kept(result)):
        io.write(case_sheet, block)
    summary = result.summary
    summary.cells_written = len(cells)
    summary.added_columns = [ERRORS_HEADER] if "errors" in result.new_columns else []
    log_click(io, names, show.pair("检查", "validate"), summary, settings)
    line = _summary_line(show.pair("检查完成", "checked"), summary, show)
    problems = settings.problem_lines(show)
    if problems:
        line += f"; {show.pair('设置表错误', 'settings errors')} {len(problems)} ({problems[0]})"
    io.status(line)
    return summary


# --- 生成回复与短信 -------------------------------------------------------------------

@gc_paused()
def texts_book(book, now: dt.datetime | None = None):
    """Render replies and SMS into the 案件 sheet's text columns and refill the 发送队列 sheet."""
    io = BookIO(book)
    names = io.sheet_names
    case_sheet = _case_sheet(io, names)
    settings = read_settings(io)      # as the command line reads them
    show = settings.display
    io.status(f"{show.pair('生成回复与短信', 'generating')}: {show.pair('读取', 'reading')}…")
    template_sheet = find_sheet(names, TEMPLATE_SHEET_NAMES)
    template_grid = io.sheet(template_sheet) if template_sheet else []
    templates = templates_from_grid(template_grid)
    optout_sheet = find_sheet(names, OPTOUT_SHEET_NAMES)
    opted_out = optouts_from_grid(io.sheet(optout_sheet)) if optout_sheet else set()
    grid = io.sheet(case_sheet, raw=True)
    layout = _formula_layout(io, case_sheet, grid)
    log_sheet = find_sheet(names, LOG_SHEET_NAMES)
    history = SendLog(io.sheet(log_sheet), journal_path(getattr(book, "fullname", "") or "book")).history() \
        if log_sheet else None
    result = compute_texts(grid, settings.policy, templates, opted_out, now or current_time(), cal=settings.cal,
                           reasons=settings.reasons, approved=approved_from_grid(template_grid), history=history,
                           layout=layout)
    keep = {rc: text for rc, text in (layout.formulas.items() if layout else ()) if rc not in result.cells}
    for block in plan_blocks(result.cells, {c for _, c in result.cells}, grid, keep=keep):
        io.write(case_sheet, block)
    outbox_sheet = find_sheet(names, OUTBOX_SHEET_NAMES)
    if outbox_sheet:
        for block in _outbox_blocks(result.outbox, io.sheet(outbox_sheet)):
            io.write(outbox_sheet, block)
    n = result.summary
    io.status(show.pair(f"生成完成: 行数 {n['rows']}, 回复 {n['replies']}, 短信 {n['sms']}, 可发送 {n['ready']}, "
                        f"有错误 {n['errors']}",
                        f"generated: rows {n['rows']}, replies {n['replies']}, SMS {n['sms']}, ready {n['ready']}, "
                        f"with errors {n['errors']}"))
    return result


def _outbox_blocks(rows: list[list], old: list[list]) -> list[Block]:
    """发送队列 as `aftersales texts` writes it (addin.workbook.commands.texts.replace_outbox): the generated columns
    from A1 (text Excel would parse, such as a 16-digit order id, sent as text), padded with blanks over
    the old rows; the staff's columns to their right are not written,
    except a note that moves to stay beside its message (one cell each: such moves are rare)."""
    width = max([len(r) for r in rows] + [1])
    blocks = [replace_all(rows, old, width)]
    moved = {rc: v for rc, v in replace_outbox(old, rows).items() if rc[1] > width}
    blocks += [Block(r, c, [[for_excel(v)]]) for (r, c), v in sorted(moved.items())]
    return blocks


# --- 结案归档 ------------------------------------------------------------------------------------

@gc_paused()
def archive_cases_book(book, now: dt.datetime | None = None, undo: bool = False):
    """结案归档 as `aftersales archive` does it (the same plan, addin.workbook.sheets.archive_sheet): the 案件
    rows from the first one that changes are rewritten in one block, the 归档 sheet in another."""
    io = BookIO(book)
    names = io.sheet_names
    case_sheet = _case_sheet(io, names)
    settings = read_settings(io)
    show = settings.display
    archive_sheet = find_sheet(names, ARCHIVE.aliases)
    grids = {case_sheet: io.sheet(case_sheet)}
    if archive_sheet:
        grids[archive_sheet] = io.sheet(archive_sheet)
    now = now or current_time()
    plan, days = archive_plan(grids, case_sheet, archive_sheet, settings, now, undo)
    label = show.pair("撤销归档", "undo archive") if undo else show.pair("结案归档", "archive")
    if plan.rows:
        old = grids[case_sheet]
        first = plan.first_changed
        width = max([len(r) for r in old] + [len(r) for r in plan.cases] + [1])
        formulas = io.formulas(case_sheet, first, 1, max(len(old), first), width)
        if formulas and any(isinstance(v, str) and v.startswith("=") for row in formulas for v in row):
            raise BilingualError(f"「{case_sheet}」第{first}行起有公式, 归档会把它们变成数值, 未归档",
                                 f"the {case_sheet} sheet has formulas from row {first} on; nothing was moved",
                                 "formulas")
        io.write(case_sheet, Block(first, 1, replace_all(plan.cases[first - 1:], old[first - 1:], width).values))
        if archive_sheet is None:
            archive_sheet = ARCHIVE.name
            io.add_sheet(archive_sheet)
            grids[archive_sheet] = []
        io.write(archive_sheet, replace_all(plan.archive, grids[archive_sheet]))
    summary = Summary(rows=len(plan.rows), policy_changes=settings.policy.changed())
    log_click(io, io.sheet_names, label, summary, settings)
    if undo:
        io.status(show.pair(f"撤销归档完成: 移回 {len(plan.rows)} 个案件", f"undo done: {len(plan.rows)} cases back"))
    else:
        io.status(show.pair(f"归档完成: {len(plan.rows)} 个已完结/已关闭且超过{days}天的案件移到「{ARCHIVE.name}」",
                            f"archived: {len(plan.rows)} finished cases older than {days} days"))
    return plan


# --- status and log ------------------------------------------------------------------------------

def _summary_line(label: str, s: Summary, show: Display) -> str:
    return f"{label}: " + show.pair(
        f"行数 {s.rows}, 有错误 {s.errors}, 已逾期 {s.overdue}, 今日到期 {s.due_today}, 24小时内到期 {s.due_24h}, "
        f"需审批 {s.approvals}, 赔偿合计 ￥{s.total_compensation:,.2f}, 写入 {s.cells_written} 格",
        f"rows {s.rows}, with errors {s.errors}, overdue {s.overdue}, due today {s.due_today}, due in 24 h {s.due_24h}, "
        f"approvals {s.approvals}, total ￥{s.total_compensation:,.2f}, cells written {s.cells_written}")
