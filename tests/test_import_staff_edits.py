"""Re-importing an export keeps what staff corrected (issue 20, point 3).

A 千牛 退款报表 (GBK csv, the real shape: title line, ="..." ids, a totals line) is imported into a book
from `new-workbook`; staff then correct 售后原因, 实付金额 and 买家 on one row and save, as Excel does
(openpyxl writes shared strings and numbers, like Excel); the same or a newer export is imported again
through the command line, and the cells and the printed summary are read back.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.workbook.files.reader import read_workbook
from tests.helpers.books import H, make_book
from tests.helpers.exports import QN_LINES, export_rows, qn_line, write_export

ORDER = "3000212345678901235"                 # the second line of QN_LINES: 少件/漏发, paid 89, tb_小王
CORRECTED = {"售后原因": "质量问题", "实付金额": 79.5, "买家": "tb_小王2024"}


@pytest.fixture
def export(tmp_path) -> Path:
    return write_export(tmp_path / "退款报表.gbk.csv", export_rows("QN"))


def newer_export(path: Path) -> Path:
    """The next day's export: the refund of ORDER went through (退款状态, 退款金额), and the buyer renamed
    themselves on the platform; 售后原因 and 实付金额 as before."""
    lines = list(QN_LINES)
    lines[1] = qn_line(ORDER, "187654321098765433", "少件/漏发", refund_amount="35.00", returned="否",
                       status="退款成功", buyer="tb_新昵称")
    return write_export(path, export_rows("QN", lines))


def run(capsys, *args) -> str:
    assert main(["import", *map(str, args)]) == 0
    return capsys.readouterr().out


def row_of(book: Path, order: str = ORDER) -> tuple[int, dict]:
    grid = read_workbook(book, ["案件"])["案件"]
    head = [h.rstrip("*") if isinstance(h, str) else h for h in grid[0]]
    for r, line in enumerate(grid[1:], start=2):
        if line[head.index("订单号")] == order:
            return r, dict(zip(head, line))
    raise AssertionError(f"no row for {order}")


def staff_edit(book: Path, values: dict, *, save_as: Path | None = None, drop_record: bool = False) -> Path:
    """Type `values` into ORDER's row and save (optionally under another name), as Excel would."""
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb["案件"]
    head = [str(c.value).rstrip("*") if c.value is not None else None for c in ws[1]]
    r, _ = row_of(book)
    for name, value in values.items():
        ws.cell(row=r, column=head.index(name) + 1).value = value
    if drop_record:                       # a book imported before 导入记录 existed
        del wb["导入记录"]
    target = save_as or book
    wb.save(target)
    return target


def test_a_reimport_keeps_the_cells_staff_corrected_and_lists_each(new_book, export, tmp_path, capsys):
    run(capsys, new_book, export)
    wb = openpyxl.load_workbook(new_book, read_only=True, keep_vba=True)
    assert wb["导入记录"].sheet_state == "hidden"          # out of staff's way, but in the book
    # corrected, then saved under another name ("save as"): the record travels with the book
    copy = staff_edit(new_book, CORRECTED, save_as=tmp_path / "售后-副本.xlsm")
    out = run(capsys, copy, export)
    r, row = row_of(copy)
    assert {k: row[k] for k in CORRECTED} == CORRECTED
    assert "保留人工修改 kept staff's edits: 3 个单元格 cells" in out and "--export-wins" in out
    assert f"第{r}行「售后原因」保留「质量问题」, 导出为「少件/漏发」 / row {r} 售后原因: kept 质量问题" in out
    assert f"第{r}行「实付金额」保留「79.5」, 导出为「89」" in out
    assert f"第{r}行「买家」保留「tb_小王2024」, 导出为「tb_小王」" in out
    assert "无变化, 文件未改动" in out                      # nothing to write: the record is up to date


def test_a_newer_export_updates_what_staff_left_and_keeps_what_they_corrected(new_book, export, tmp_path, capsys):
    run(capsys, new_book, export)
    staff_edit(new_book, CORRECTED)
    out = run(capsys, new_book, newer_export(tmp_path / "退款报表2.gbk.csv"))
    r, row = row_of(new_book)
    assert row["退款状态"] == "退款成功" and row["退款金额"] == 35      # the export's changes staff did not touch
    assert {k: row[k] for k in CORRECTED} == CORRECTED              # staff's, though the export renamed 买家 too
    assert f"第{r}行「买家」保留「tb_小王2024」, 导出为「tb_新昵称」" in out
    assert "更新 updated: 1" in out and "保留人工修改 kept staff's edits: 3" in out
    _, other = row_of(new_book, "3000212345678901234")
    assert other["买家"] == "tb_小王" and other["实付金额"] == 89
    # the next import still knows they are staff's
    again = run(capsys, new_book, newer_export(tmp_path / "退款报表3.gbk.csv"))
    assert "保留人工修改 kept staff's edits: 3" in again and "无变化" in again


def test_export_wins_replaces_staff_edits_and_lists_what_each_cell_held(new_book, export, tmp_path, capsys):
    run(capsys, new_book, export)
    staff_edit(new_book, CORRECTED)
    out = run(capsys, new_book, newer_export(tmp_path / "退款报表2.gbk.csv"), "--export-wins")
    r, row = row_of(new_book)
    assert (row["售后原因"], row["实付金额"], row["买家"], row["退款状态"]) == ("少件/漏发", 89, "tb_新昵称", "退款成功")
    assert "以导出覆盖 replaced by the export: 3 个非空单元格 non-empty cells" in out
    assert f"第{r}行「售后原因」原为「质量问题」, 改为导出的「少件/漏发」(--export-wins)" in out
    assert f"第{r}行「实付金额」原为「79.5」, 改为导出的「89」(--export-wins)" in out
    assert f"第{r}行「买家」原为「tb_小王2024」, 改为导出的「tb_新昵称」(--export-wins) / row {r} 买家: was" in out
    assert "保留人工修改" not in out
    # from now on the cells hold the export's values: nothing is staff's any more
    assert "保留人工修改" not in run(capsys, new_book, newer_export(tmp_path / "退款报表3.gbk.csv"))


def test_dry_run_says_what_it_would_keep_and_writes_nothing(new_book, export, capsys):
    run(capsys, new_book, export)
    staff_edit(new_book, CORRECTED)
    before = new_book.read_bytes()
    out = run(capsys, new_book, export, "--dry-run", "--export-wins")
    assert "将以导出覆盖 replaced by the export: 3" in out and new_book.read_bytes() == before


def test_a_cell_staff_cleared_stays_empty_and_is_listed(new_book, export, capsys):
    run(capsys, new_book, export)
    staff_edit(new_book, {"买家": None})
    out = run(capsys, new_book, export)
    r, row = row_of(new_book)
    assert row["买家"] in (None, "") and f"第{r}行「买家」保留「(空)」, 导出为「tb_小王」" in out


def test_a_book_imported_before_the_record_takes_the_export_and_lists_every_cell_it_replaced(
        new_book, export, tmp_path, capsys):
    """No 导入记录 (imported by an older version): import cannot tell a correction from a platform
    update, so the export's value is written as before, and each non-empty cell it replaces is listed
    with what it held; from then on the record protects staff's edits."""
    run(capsys, new_book, export)
    staff_edit(new_book, CORRECTED, drop_record=True)
    assert "导入记录" not in openpyxl.load_workbook(new_book, read_only=True, keep_vba=True).sheetnames
    out = run(capsys, new_book, newer_export(tmp_path / "退款报表2.gbk.csv"))
    r, row = row_of(new_book)
    assert (row["售后原因"], row["实付金额"], row["买家"]) == ("少件/漏发", 89, "tb_新昵称")
    assert "以导出覆盖 replaced by the export: 5 个非空单元格" in out        # 3 corrections, 2 platform updates
    assert f"第{r}行「实付金额」原为「79.5」, 改为导出的「89」(无导入记录) / row {r} 实付金额: was 79.5, now 89 " \
           "(no import record)" in out
    assert f"第{r}行「退款状态」原为「等待卖家同意」, 改为导出的「退款成功」(无导入记录)" in out
    assert "保留人工修改" not in out
    # the record now exists: the next correction is kept
    staff_edit(new_book, CORRECTED)
    again = run(capsys, new_book, newer_export(tmp_path / "退款报表3.gbk.csv"))
    assert {k: row_of(new_book)[1][k] for k in CORRECTED} == CORRECTED
    assert "保留人工修改 kept staff's edits: 3" in again


def test_a_column_staff_renamed_away_is_added_again_and_filled(tmp_path, export, capsys):
    book = make_book(tmp_path / "案件.xlsx", [H["order_id"], H["platform"], H["reason"], H["paid"], H["buyer"]], [])
    run(capsys, book, export)
    wb = openpyxl.load_workbook(book)
    head = [c.value for c in wb["案件"][1]]
    wb["案件"].cell(row=1, column=head.index("买家") + 1, value="旧买家")
    wb.save(book)
    out = run(capsys, book, export)
    _, row = row_of(book)
    assert row["买家"] == "tb_小王" and row["旧买家"] == "tb_小王"
    assert "新增列 added columns: 买家" in out and "保留人工修改" not in out


def test_a_record_written_by_import_survives_a_recalc(new_book, export, capsys):
    run(capsys, new_book, export)
    assert main(["recalc", str(new_book), "--now", "2026-10-12 10:00"]) == 0
    staff_edit(new_book, {"实付金额": 79.5})
    out = run(capsys, new_book, export)
    assert "保留人工修改 kept staff's edits: 1" in out and row_of(new_book)[1]["实付金额"] == 79.5


def test_an_upgraded_book_carries_the_record_and_still_keeps_staff_edits(new_book, export, tmp_path, capsys):
    run(capsys, new_book, export)
    staff_edit(new_book, CORRECTED)
    upgraded = tmp_path / "新版.xlsm"
    assert main(["new-workbook", str(upgraded), "--from", str(new_book)]) == 0
    assert "导入记录 3" in capsys.readouterr().out
    assert openpyxl.load_workbook(upgraded, read_only=True, keep_vba=True)["导入记录"].sheet_state == "hidden"
    out = run(capsys, upgraded, newer_export(tmp_path / "退款报表2.gbk.csv"))
    _, row = row_of(upgraded)
    assert {k: row[k] for k in CORRECTED} == CORRECTED and row["退款状态"] == "退款成功"
    assert "保留人工修改 kept staff's edits: 3" in out and "无导入记录" not in out
