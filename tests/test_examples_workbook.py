"""rules.md §5 examples 1-33 through a workbook round trip.

The example rows are written under the Chinese headers of a real .xlsx (with a column for every
deadline kind, which staff may add), policy overrides go into the 规则 sheet, `recalc` runs on the
file, and the computed cells are read back with calamine, the way staff would see them.
"""
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from addin.workbook.files.reader import read_workbook
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_rows import excel_instant
from addin.workbook.sheets.case_columns import DEADLINE_OUTPUTS, find_header_row
from addin.workbook.sheets.new_book import build_workbook
from tests.examples import EXAMPLES, check
from tests.helpers.clock import NOW_EXAMPLES



def build(path, rows, policy_raw):
    build_workbook(path, rows)
    wb = openpyxl.load_workbook(path)
    cases = wb["案件"]
    for col in DEADLINE_OUTPUTS:                   # staff may add a column per deadline kind
        cases.cell(row=1, column=cases.max_column + 1, value=col.header)
    rules = wb["规则"]
    wanted = dict(policy_raw)
    for cells in rules.iter_rows(min_row=2):
        if cells[0].value in wanted:
            cells[2].value = wanted.pop(cells[0].value)   # the 值 column
    assert not wanted, f"no such policy ids in the 规则 sheet: {wanted}"
    wb.save(path)
    return path


def read_outputs(path) -> dict[str, dict]:
    """order id -> {output key: value as read back}."""
    grid = read_workbook(path, ["案件"])["案件"]
    header = find_header_row(grid)
    order_col = header.inputs["order_id"]
    out = {}
    for values in grid[header.row:]:
        if values[order_col - 1] is None:
            continue
        out[values[order_col - 1]] = {key: _as_read(values[c - 1]) for key, c in header.outputs.items()}
    return out


def _as_read(value):
    if isinstance(value, dt.datetime):             # serials carry float noise: compare to the second
        return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return value


def as_shown(expected: dict) -> dict:
    """Expectations as the workbook shows them: a 24:00 deadline is 23:59:59 of that day."""
    return {k: excel_instant(v) if isinstance(v, dt.datetime) else v for k, v in expected.items()}


def _default_policy_examples():
    return [e for e in EXAMPLES if not e[1]]


def test_default_policy_examples_in_one_workbook(tmp_path):
    examples = _default_policy_examples()
    rows = [r for _, _, rows, _ in examples for r in rows]
    path = build(tmp_path / "examples.xlsx", rows, {})
    summary = recalc(path, now=NOW_EXAMPLES)
    assert summary.rows == len(rows)
    got = read_outputs(path)
    failures = {}
    for example_id, _, ex_rows, expected in examples:
        for r, want in zip(ex_rows, expected):
            problems = check(as_shown(want), got[r["order_id"]])
            if problems:
                failures[f"{example_id}/{r['order_id']}"] = problems
    assert failures == {}


@pytest.mark.parametrize("example_id, policy_raw, rows, expected", [e for e in EXAMPLES if e[1]],
                         ids=[e[0] for e in EXAMPLES if e[1]])
def test_policy_override_examples_through_the_rules_sheet(tmp_path, example_id, policy_raw, rows, expected):
    path = build(tmp_path / f"example_{example_id}.xlsx", rows, policy_raw)
    summary = recalc(path, now=NOW_EXAMPLES)
    assert set(summary.policy_changes) == set(policy_raw) and not summary.policy_errors
    got = read_outputs(path)
    for r, want in zip(rows, expected):
        assert check(as_shown(want), got[r["order_id"]]) == []


def test_money_is_written_as_numbers_rounded_like_excel(tmp_path):
    rows = [r for _, _, rows, _ in EXAMPLES[:3] for r in rows]     # 89 -> 5.00, 1299 -> 30.00, 356.80 -> 17.84
    path = build(tmp_path / "money.xlsx", rows, {})
    recalc(path, now=NOW_EXAMPLES)
    got = read_outputs(path)
    assert [got[r["order_id"]]["comp_amount"] for r in rows] == [5.0, 30.0, 17.84]
    assert all(isinstance(got[r["order_id"]]["comp_amount"], float) for r in rows)
    assert Decimal(str(got["E3"]["comp_amount"])) == Decimal("17.84")
