"""The 汇总 sheet of a new workbook: totals by platform, reason, shop and day, as native Excel formulas
over the 案件 columns (so they stay live in Excel), and three native charts (openpyxl.chart).

Only new workbooks get it (`new-workbook`, `demo`); recalc never adds a sheet to a staff file.

Definitions (the same as `aftersales recalc`'s summary, counted on the computed columns):
* 案件数: rows with a 状态, i.e. every case row after a recalc (recalc gives every case row one, and
  none to a row that is not a case: a totals row such as 合计 with its SUMs, which would otherwise be
  counted, and its sums added, a second time);
* 赔偿金额: the sum of 赔偿金额; 待审批: rows whose 需店长审批 is 是;
* 已逾期: 下一截止 before the 统计时间 (B2, =NOW() unless staff type a time);
* 今天到期: 下一截止 from the 统计时间 to the end of that day;
* 待人工确认的评价 (B4): rows whose 回复类型 is 人工确认 (issue 23).
Every figure counts only such rows. A platform counts the drop-down name and its aliases as typed (COUNTIFS compares whole cells,
case-insensitive), a reason the 判定原因 recalc wrote (the reason the rules used, whatever the wording);
rows typed another way, or without a 判定原因, are in the 其他 line, so every table adds up to the 合计.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from addin.core.case import PLATFORMS, REASONS

from addin.workbook.files.xlsx_patch import MAX_ROW, col_letter

NOW_CELL = "$B$2"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, color="595959")
FILL_HEAD = PatternFill("solid", fgColor="E2EFDA")
FILL_INPUT = PatternFill("solid", fgColor="DDEBF7")
FILL_TOTAL = PatternFill("solid", fgColor="F2F2F2")
MONEY, DAY, STAMP = "#,##0.00", 'm"月"d"日"', "yyyy-mm-dd hh:mm"
# The 案件 columns the formulas read, as workbook names (案件_平台 …): readable formulas, and Excel keeps a
# name pointing at its column when staff insert or move columns.
NAMED_COLUMNS = {"order_id": "案件_订单号", "platform": "案件_平台", "reason": "案件_售后原因", "shop_name": "案件_店铺名",
                 "comp_amount": "案件_赔偿金额", "approval": "案件_需店长审批", "next_deadline": "案件_下一截止",
                 "errors": "案件_错误", "status": "案件_状态", "review_route": "案件_回复类型",
                 "reason_used": "案件_判定原因"}
# Every formula counts only the rows recalc computed (状态 filled): never a totals row of the 案件 sheet.
CASE_ROWS = f'{NAMED_COLUMNS["status"]},"<>"'
MEASURES = ("案件数", "赔偿金额", "待审批", "已逾期", "今天到期")
SHOP_LINES = 12
DAYS_AHEAD = 14


def _criterion(text: str) -> str:
    """A text as a COUNTIFS criterion constant: quotes doubled, wildcards escaped."""
    for ch in "~*?":
        text = text.replace(ch, "~" + ch)
    return '"' + text.replace('"', '""') + '"'


def _one_of(names: list[str]) -> str:
    """One criterion, or an array constant of several (SUM(COUNTIFS(…,{"a","b"})) adds them up)."""
    if len(names) == 1:
        return _criterion(names[0])
    return "{" + ",".join(_criterion(n) for n in names) + "}"


def platform_names() -> dict[str, list[str]]:
    """淘宝 -> every spelling the platform cell accepts as written (the parser also normalises case)."""
    return {names[0]: list(dict.fromkeys(names)) for names in PLATFORMS.values()}


def _measures(by: str | None, crit: str | None) -> list[str]:
    """The five formulas of a line: all rows when `by` is None, else rows whose column `by` matches."""
    due = NAMED_COLUMNS["next_deadline"]
    if by is None:
        return [f'COUNTIFS({CASE_ROWS})',
                f'SUMIFS({NAMED_COLUMNS["comp_amount"]},{CASE_ROWS})',
                f'COUNTIFS({NAMED_COLUMNS["approval"]},"是",{CASE_ROWS})',
                f'COUNTIFS({due},"<"&{NOW_CELL},{CASE_ROWS})',
                f'COUNTIFS({due},">="&{NOW_CELL},{due},"<"&(INT({NOW_CELL})+1),{CASE_ROWS})']
    pair = f"{NAMED_COLUMNS[by]},{crit},{CASE_ROWS}"
    return [f"SUM(COUNTIFS({pair}))",
            f'SUM(SUMIFS({NAMED_COLUMNS["comp_amount"]},{pair}))',
            f'SUM(COUNTIFS({pair},{NAMED_COLUMNS["approval"]},"是"))',
            f'SUM(COUNTIFS({pair},{due},"<"&{NOW_CELL}))',
            f'SUM(COUNTIFS({pair},{due},">="&{NOW_CELL},{due},"<"&(INT({NOW_CELL})+1)))']


def define_column_names(wb, case_sheet: str, where: dict[str, int], first_row: int = 2) -> None:
    """The workbook names the formulas use, each a 案件 column from the first data row to the last row."""
    for key, name in NAMED_COLUMNS.items():
        letter = col_letter(where[key])
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{case_sheet}'!${letter}${first_row}:${letter}${MAX_ROW}")


class _Writer:
    """Writes the tables top-down: a title line, a header line, then lines of formulas."""

    def __init__(self, ws):
        self.ws = ws
        self.row = 1
        self.formats: tuple[str, ...] = ()

    def head(self, title: str, columns: tuple[str, ...]) -> None:
        self.ws.cell(row=self.row, column=1, value=title).font = BOLD
        for i, h in enumerate(columns, start=1):
            c = self.ws.cell(row=self.row + 1, column=i, value=h)
            c.font, c.fill = BOLD, FILL_HEAD
            c.alignment = Alignment(horizontal="center")
        self.formats = tuple(MONEY if h == "赔偿金额" else "0" for h in columns[1:])
        self.row += 2

    def line(self, label, formulas: list[str], *, fill=None, label_fill=None, label_format=None) -> int:
        r = self.row
        c = self.ws.cell(row=r, column=1, value=label)
        if label_fill:
            c.fill = label_fill
        if label_format:
            c.number_format = label_format
        for i, (f, fmt) in enumerate(zip(formulas, self.formats), start=2):
            self.ws.cell(row=r, column=i, value=f"={f}").number_format = fmt
        if fill:
            for i in range(1, len(formulas) + 2):
                self.ws.cell(row=r, column=i).fill = fill
        self.row += 1
        return r

    def rest(self, label: str, total_row: int, start: int, end: int) -> None:
        """What the lines start..end do not cover, so that the table adds up to the 合计."""
        self.line(label, [f"{col_letter(i)}{total_row}-SUM({col_letter(i)}{start}:{col_letter(i)}{end})"
                          for i in range(2, 2 + len(MEASURES))])


def build_summary_sheet(ws, *, shops: list[str] = ()) -> dict[str, tuple[int, int]]:
    """Fill the 汇总 sheet; returns table name -> (first line row, last line row), for the charts and tests.

    `shops`: the 店铺 lines to start with (staff type more names into column A)."""
    ws["A1"] = "售后汇总"
    ws["A1"].font = TITLE
    ws["A2"], ws["B2"] = "统计时间", "=NOW()"
    ws["A2"].font = BOLD
    ws["B2"].number_format = STAMP
    ws["B2"].fill = FILL_INPUT
    ws["C2"] = "打开工作簿或按 F9 时更新; 填一个固定时间可看那时的情况"
    ws["C2"].font = NOTE
    ws["A3"] = ("已逾期 = 下一截止早于统计时间; 今天到期 = 下一截止在统计时间到当天 24:00 之间; "
                "待审批 = 需店长审批为「是」. 数据来自「案件」表已计算的行(有状态的行, 合计行不算), "
                "点「重新计算」后这里随之更新.")
    ws["A3"].font = NOTE
    # Reviews the mail merge left to a person (回复类型 人工确认, also when the display adds English).
    ws["A4"], ws["B4"] = "待人工确认的评价", f'=COUNTIFS({NAMED_COLUMNS["review_route"]},"人工确认*",{CASE_ROWS})'
    ws["A4"].font = BOLD
    w = _Writer(ws)
    w.row = 5
    tables: dict[str, tuple[int, int]] = {}

    # By platform, with the 合计 every other table adds up to.
    w.head("按平台", ("平台",) + MEASURES)
    start = w.row
    for zh, names in platform_names().items():
        w.line(zh, _measures("platform", _one_of(names)))
    end = w.row - 1
    total_row = end + 2
    w.rest("其他/未填", total_row, start, end)
    w.line("合计", _measures(None, None), fill=FILL_TOTAL)
    tables["platform"] = (start, w.row - 1)
    w.row += 1

    # By the reason the rules used (判定原因, which recalc writes), not the wording typed or imported.
    w.head("按售后原因", ("售后原因",) + MEASURES)
    start = w.row
    for names in REASONS.values():
        w.line(names[0], _measures("reason_used", _criterion(names[0])))
    w.rest("未判定(有错误)", total_row, start, w.row - 1)
    tables["reason"] = (start, w.row - 1)
    w.row += 1

    w.head("按店铺 (在A列填店铺名)", ("店铺名",) + MEASURES)
    start = w.row
    for i in range(max(SHOP_LINES, len(shops))):
        r = w.row
        w.line(shops[i] if i < len(shops) else None, [f'IF($A{r}="","",{f})' for f in _measures("shop_name", f"$A{r}")],
               label_fill=FILL_INPUT)
    w.rest("其他店铺/未填", total_row, start, w.row - 1)
    tables["shop"] = (start, w.row - 1)
    w.row += 1

    _day_table(w, tables)
    for letter, width in zip("ABCDEF", (16, 17, 14, 10, 10, 10)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
    _charts(ws, tables)
    return tables


def _day_table(w: _Writer, tables: dict) -> None:
    """Deadlines by day: the overdue ones, then each of the next DAYS_AHEAD days from the 统计时间."""
    due, comp, approval = NAMED_COLUMNS["next_deadline"], NAMED_COLUMNS["comp_amount"], NAMED_COLUMNS["approval"]
    w.head("按日期 (下一截止)", ("日期", "到期案件", "赔偿金额", "待审批"))
    start = w.row
    w.line("已逾期", [f'COUNTIFS({due},"<"&{NOW_CELL},{CASE_ROWS})', f'SUMIFS({comp},{due},"<"&{NOW_CELL},{CASE_ROWS})',
                   f'COUNTIFS({due},"<"&{NOW_CELL},{approval},"是",{CASE_ROWS})'])
    for k in range(DAYS_AHEAD):
        r = w.row
        since = f'">="&MAX({NOW_CELL},$A{r})'
        until = f'"<"&($A{r}+1)'
        w.line(f"=INT({NOW_CELL})+{k}", [f"COUNTIFS({due},{since},{due},{until},{CASE_ROWS})",
                                         f"SUMIFS({comp},{due},{since},{due},{until},{CASE_ROWS})",
                                         f'COUNTIFS({due},{since},{due},{until},{approval},"是",{CASE_ROWS})'],
               label_format=DAY)
    tables["day"] = (start, w.row - 1)
    w.row += 1


ROW_CM = 0.53          # a default row (15 pt) in centimetres, to stack the charts without overlap


def _charts(ws, tables: dict) -> None:
    """Compensation by platform, cases by reason, deadlines by day: native Excel charts over the tables,
    right of them, each starting by its table or below the previous chart."""
    next_free = 1

    def bar(title: str, table: str, value_col: int, *, rows: int, horizontal=False, last_offset=0, y_title=None):
        nonlocal next_free
        first, last = tables[table]
        last -= last_offset
        chart = BarChart()
        chart.type = "bar" if horizontal else "col"
        chart.title = title
        chart.style = 10
        chart.legend = None
        chart.add_data(Reference(ws, min_col=value_col, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.x_axis.delete = False       # openpyxl 3.1 hides the axes unless told (Excel then shows none)
        chart.y_axis.delete = False
        if y_title:
            chart.y_axis.title = y_title
        if horizontal:
            chart.x_axis.scaling.orientation = "maxMin"   # first line on top, as in the table
        chart.width, chart.height = 16, rows * ROW_CM
        top = max(first - 2, next_free)
        ws.add_chart(chart, f"H{top}")
        next_free = top + rows + 1

    bar("各平台赔偿金额", "platform", 3, rows=14, last_offset=1, y_title="元")     # without the 合计 line
    reasons = tables["reason"][1] - tables["reason"][0] + 1
    bar("各售后原因案件数", "reason", 2, rows=max(20, reasons * 3 // 2 + 4), horizontal=True)
    bar("每日到期案件 (下一截止)", "day", 2, rows=16)
