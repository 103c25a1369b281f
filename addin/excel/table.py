"""A block of case rows with its header row, computed the way the 重新计算 button computes the sheet.

The worksheet functions pass the header row and one or many data rows; the columns are found by
header name (:func:`~addin.workbook.sheets.case_columns.map_headers`), each row goes through the same
:func:`~addin.workbook.sheets.case_rows.case_from_row` -> :func:`~addin.core.engine.compute_cases` ->
:func:`~addin.workbook.sheets.case_rows.output_values` pipeline as :func:`~addin.workbook.commands.recalc.compute_sheet`,
so a formula and the button show the same values. Only the error text differs: a formula does not
know its rows' addresses, so it names the column header instead of the cell. 状态 is computed at the
minute the formula is calculated (the button and the command line use their own `now`); a row passed
with its 回复校验/短信校验 cells gets their failures in 错误, as recalc does.

Excel recalculates every AS_ formula that depends on a changed cell; several functions over the same
rows share one computation through a small cache.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from addin.core.calendar_cn import WorkCalendar
from addin.core.display import display_of
from addin.core.engine import CaseResult
from addin.core.parse import CellError
from addin.core.policy import Policy
from addin.workbook.sheets.case_rows import CHECKS, INPUT_BY_KEY, case_from_row, check_lines, compute_parsed, output_values, problem_line
from addin.workbook.sheets.case_columns import map_headers


@dataclass(frozen=True)
class RowOutcome:
    values: dict                    # output key (and "deadline:<kind>") -> value, as output_values gives it
    result: CaseResult | None       # None for blank rows and rows with unreadable inputs
    blank: bool = False

    @property
    def errors(self) -> str | None:
        return self.values.get("errors")


@lru_cache(maxsize=16)
def evaluate(headers: tuple, rows: tuple[tuple, ...], policy: Policy, cal: WorkCalendar | None = None,
             now: dt.datetime | None = None) -> list[RowOutcome]:
    """Each row's outputs. `headers` and `rows` are tuples of cleaned cell values (hashable: cached);
    `cal` the workbook's calendar (None: the holiday packages); `now` dates 状态 (None: the clock)."""
    show = display_of(policy)
    header = map_headers(list(headers), 1)
    if not header.inputs:
        raise CellError("第一个参数须为表头行(如 案件!$A$1:$BZ$1), 其中没有可识别的列名",
                        "the first argument must be the header row (e.g. 案件!$A$1:$BZ$1); no known column name in it")
    columns = [(key, col - 1) for key, col in header.inputs.items()]
    check_cols = [(key, header.msg_outputs[key] - 1) for v, r, *_ in CHECKS for key in (v, r) if key in header.msg_outputs]
    parsed = []
    for row in rows:
        raw = {key: row[i] for key, i in columns if i < len(row) and row[i] is not None}
        parsed.append(case_from_row(raw))

    results = compute_parsed(parsed, policy, cal)
    outcomes = []
    for i, p in enumerate(parsed):
        row = rows[i]
        checks = check_lines({key: row[c] for key, c in check_cols if c < len(row)}, show) if check_cols else []
        if p.blank:
            outcomes.append(RowOutcome(output_values(None), None, blank=True))
        elif p.problems:
            lines = [problem_line(f"「{INPUT_BY_KEY[x.field].header}」", x, show) for x in p.problems]
            outcomes.append(RowOutcome(output_values(None, lines, show=show, now=now, checks=checks), None))
        else:
            outcomes.append(RowOutcome(output_values(results[i], show=show, now=now, checks=checks), results[i]))
    return outcomes
