"""A recording stand-in for xlwings' Book/Sheet/Range, for the buttons' Python side (addin.excel.buttons),
and the case sheet the button tests lay out as staff leave it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path


# --- the recording stand-in ------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.reads: list[tuple[str, tuple]] = []
        self.formula_reads: list[tuple[str, tuple]] = []
        self.writes: list[tuple[str, tuple, tuple]] = []    # sheet, top-left, bottom-right
        self.status: list[str] = []
        self.written_cells: dict[tuple[str, int, int], object] = {}


def _like_xlwings(rows: list[list]):
    """What xlwings hands back for a range's rows: a scalar for one cell, a flat list for one row or
    column, else the rows."""
    if len(rows) == 1:
        return rows[0][0] if len(rows[0]) == 1 else rows[0]
    if len(rows[0]) == 1:
        return [row[0] for row in rows]
    return rows


class FakeRange:
    def __init__(self, sheet: "FakeSheet", first: tuple[int, int], last: tuple[int, int] | None = None):
        self.sheet, self.first, self.last = sheet, first, last or first

    @property
    def row(self):
        return self.first[0]

    @property
    def column(self):
        return self.first[1]

    @property
    def shape(self):
        return self.last[0] - self.first[0] + 1, self.last[1] - self.first[1] + 1

    @property
    def value(self):
        """Like xlwings: a scalar for one cell, a flat list for one row or column, else rows."""
        self.sheet.rec.reads.append((self.sheet.name, (self.first, self.last)))
        (r1, c1), (r2, c2) = self.first, self.last
        rows = [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        return _like_xlwings(rows)

    @property
    def formula(self):
        """Like classic xlwings: a formula reads "=…", any other cell its value as text ("" when empty)."""
        self.sheet.rec.formula_reads.append((self.sheet.name, (self.first, self.last)))
        if self.sheet.no_formulas:
            raise NotImplementedError("Reading formulas synchronously isn't supported on this engine.")
        (r1, c1), (r2, c2) = self.first, self.last
        rows = [[self.sheet.formulas.get((r, c), "" if self.sheet.cells.get((r, c)) is None
                                         else str(self.sheet.cells[(r, c)])) for c in range(c1, c2 + 1)]
                for r in range(r1, r2 + 1)]
        return _like_xlwings(rows)

    @value.setter
    def value(self, values):
        self.sheet.rec.writes.append((self.sheet.name, self.first, self.last))
        (r1, c1), (r2, c2) = self.first, self.last
        assert len(values) == r2 - r1 + 1 and all(len(row) == c2 - c1 + 1 for row in values)
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("="):
                    if self.sheet.formulas.get((r1 + i, c1 + j)) == v:
                        continue        # a formula written back to its own cell: Excel keeps it a formula
                    raise AssertionError(f"would become a formula in Excel: {v!r}")
                if isinstance(v, str) and v.strip().isdigit() and len(v.strip()) > 15:
                    raise AssertionError(f"Excel would store it as a number and lose digits: {v!r}")
                if isinstance(v, str) and v.startswith("'"):
                    v = v[1:]      # Excel's text prefix: stored as the text after it
                self.sheet.formulas.pop((r1 + i, c1 + j), None)   # a value replaces a formula
                self.sheet.cells[(r1 + i, c1 + j)] = v
                self.sheet.rec.written_cells[(self.sheet.name, r1 + i, c1 + j)] = v


def _formula_setter(self, values):
    """Like xlwings' Range.formula = …: each cell gets the formula (its value is not computed here)."""
    self.sheet.rec.writes.append((self.sheet.name, self.first, self.last))
    (r1, c1), (r2, c2) = self.first, self.last
    assert len(values) == r2 - r1 + 1 and all(len(row) == c2 - c1 + 1 for row in values)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v:
                self.sheet.formulas[(r1 + i, c1 + j)] = v
                self.sheet.rec.written_cells[(self.sheet.name, r1 + i, c1 + j)] = v


FakeRange.formula = FakeRange.formula.setter(_formula_setter)


class FakeSheet:
    def __init__(self, name: str, grid: list[list], rec: Recorder):
        self.name, self.rec = name, rec
        self.cells = {(r, c): v for r, row in enumerate(grid, 1) for c, v in enumerate(row, 1) if v is not None}
        self.formulas: dict[tuple[int, int], str] = {}    # cells holding a formula (cells has its value)
        self.no_formulas = False                          # xlwings Lite: formulas cannot be read synchronously

    @property
    def used_range(self):
        if not self.cells:
            return FakeRange(self, (1, 1))
        return FakeRange(self, (1, 1), (max(r for r, _ in self.cells), max(c for _, c in self.cells)))

    def range(self, first, last=None):
        return FakeRange(self, first, last)


class FakeApp:
    def __init__(self, rec: Recorder):
        self.rec = rec

    @property
    def status_bar(self):
        return self.rec.status[-1] if self.rec.status else False

    @status_bar.setter
    def status_bar(self, text):
        self.rec.status.append(text)


class FakeSheets(list):
    def __init__(self, sheets, rec: Recorder):
        super().__init__(sheets)
        self.rec = rec

    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)

    def add(self, name, before=None, after=None):
        sheet = FakeSheet(name, [], self.rec)
        self.insert(self.index(after) + 1 if after is not None else 0, sheet)
        return sheet


class FakeBook:
    def __init__(self, sheets: dict[str, list[list]], fullname: str = "/tmp/cases.xlsm"):
        self.rec = Recorder()
        self.sheets = FakeSheets((FakeSheet(n, g, self.rec) for n, g in sheets.items()), self.rec)
        self.app = FakeApp(self.rec)
        self.fullname = fullname

    def grid(self, name: str) -> list[list]:
        cells = self.sheets[name].cells
        rows, cols = max(r for r, _ in cells), max(c for _, c in cells)
        return [[cells.get((r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]


# --- the button tests' case sheet, laid out as staff leave it -------------------------------------------------------

BUTTON_HEADERS = ["订单号", "平台", "售后原因", "实付金额", "付款时间", "买家", "签收时间", "包邮", "运费险",
           "赔偿金额", "赔偿规则", "赔偿金额(手工)", "需店长审批", "赔偿说明", "我的备注", "下一截止"]
OVERRIDE_COL = BUTTON_HEADERS.index("赔偿金额(手工)") + 1
NOTE_COL = BUTTON_HEADERS.index("我的备注") + 1


def case_rows(n: int) -> list[list]:
    base = [
        ["TB{}", "淘宝", "延迟发货", 89.0, dt.datetime(2026, 10, 8, 9, 12), None, None, None, None],
        ["TM{}", "天猫", "延迟发货", 1200.0, dt.datetime(2026, 10, 1, 10), "tb_小王", None, None, None],
        ["TM{}", "天猫", "延迟发货", 900, dt.datetime(2026, 10, 1, 20), "tb_小王", None, None, None],
        ["R{}", "淘宝", "七天无理由退货", None, None, None, dt.datetime(2026, 9, 29, 15, 20), "是", "无"],
        ["J{}", "京东", "不当发布", 2500.0, None, None, None, None, None],
        ["X{}", "淘宝", "不存在的原因", 10, None, None, None, None, None],
    ]
    rows = []
    for i in range(n):
        row = list(base[i % len(base)]) + [None] * (len(BUTTON_HEADERS) - len(base[0]))
        row[0] = row[0].format(i)
        if i % len(base) == 4:
            row[OVERRIDE_COL - 1] = 300.0          # staff typed a manual amount
        row[NOTE_COL - 1] = f"备注{i}"
        rows.append(row)
    return rows


def policy_grid():
    return [["参数ID", "名称", "值"], ["LAD-2.approval_above", "审批线", 30]]


def fake_book(n: int) -> FakeBook:
    """The button tests' book: n case rows as staff leave them, a 规则 sheet, an empty log and outbox."""
    return FakeBook({"案件": [BUTTON_HEADERS] + case_rows(n), "规则": policy_grid(),
                     "日志": [["时间", "操作人", "操作", "行数", "错误行", "规则版本", "说明"]],
                     "发送队列": [["订单号", "手机号", "短信类型", "短信内容", "字数", "条数", "计划发送时间", "校验结果", "原因"]]})


def call_counts(book: FakeBook) -> tuple[int, int]:
    return len(book.rec.reads), len(book.rec.writes)


# --- the demo book the button tests start from -------------------------------------------------------
# (imports inside: the Lite test imports this module where calamine and openpyxl must not be needed)

def demo_book(tmp_path: Path, name="demo.xlsx", paste: list[list] | None = None) -> Path:
    """The demo's sheets and cases, recalculated and with texts, before any SMS was exported (`paste`: rows
    pasted into 导入)."""
    from addin.cli import main
    from addin.demo import sample_approved, sample_rows
    from addin.workbook.sheets.new_book import make_workbook
    from tests.helpers.clock import NOW_DEMO_ARG
    wb, _ = make_workbook(sample_rows(), approved=sample_approved())
    if paste is not None:
        for row in paste:
            wb["导入"].append(row)
        wb["导入"].delete_rows(1)              # the paste replaces the hint in A1
    path = tmp_path / name
    wb.save(path)
    assert main(["recalc", str(path), "--now", NOW_DEMO_ARG, "--quiet"]) == 0
    assert main(["texts", str(path), "--now", NOW_DEMO_ARG]) == 0
    return path


def fake_of(path: Path) -> FakeBook:
    from addin.workbook.files.reader import read_workbook, sheet_names
    return FakeBook(read_workbook(path, sheet_names(path)), fullname=str(path))
