"""今日待办 (issue 19): on the demo it lists exactly the open cases overdue or due within 24 h, in deadline
order; the 重新计算 button writes the same sheet as `aftersales recalc`; repeat refunders are named."""
from __future__ import annotations

import datetime as dt
import re

from addin.cli import main
from addin.core.repeat import RefundEvent, repeat_refunders
from addin.excel import buttons
from addin.workbook.commands.recalc import recalc
from addin.workbook.commands.todo import same_grid
from addin.workbook.files.reader import read_workbook, sheet_names
from tests.helpers.fake_xlwings import FakeBook

NOW = dt.datetime(2026, 11, 23, 10, 0)


def _demo(tmp_path):
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(book), "--now", "2026-11-23 10:00", "--quiet"]) == 0
    recalc(book, now=NOW)                   # after texts: the 状态 of rows whose SMS failed its check
    return book


def _linked_rows(todo: list[list]) -> list[int]:
    head = todo[1]
    col = head.index("案件行")
    return [int(re.fullmatch(r"第(\d+)行", row[col]).group(1)) for row in todo[2:] if len(row) > col and row[col]]


def test_demo_lists_exactly_the_open_cases_due_within_24h_or_overdue(tmp_path):
    book = _demo(tmp_path)
    grids = read_workbook(book, ["案件", "今日待办"])
    cases, todo = grids["案件"], grids["今日待办"]
    heads = cases[0]
    nd, status = heads.index("下一截止"), heads.index("状态")
    expected = sorted((row[nd], r) for r, row in enumerate(cases[1:], start=2)
                      if isinstance(row[nd], dt.datetime) and row[nd] < NOW + dt.timedelta(hours=24)
                      and row[status] not in ("已完结", "已关闭"))
    assert expected and _linked_rows(todo) == [r for _, r in expected]
    times = [row[todo[1].index("截止时间")] for row in todo[2:2 + len(expected)]]
    assert times == sorted(times)
    late = sum(1 for at, _ in expected if at < NOW)
    handover = [row[0] for row in todo if row and isinstance(row[0], str) and row[0].startswith("【交接班")]
    assert handover and f"已逾期 {late} 单" in handover[0]
    assert all(row[todo[1].index("倒计时")].startswith(("已超时", "还剩")) for row in todo[2:2 + len(expected)])


def test_the_recalc_button_writes_the_same_todo_sheet_as_the_command_line(tmp_path):
    book = _demo(tmp_path)
    grids = read_workbook(book, sheet_names(book))
    fake = FakeBook(grids, fullname=str(book))
    buttons.recalc_book(fake, now=NOW)
    cli = read_workbook(book, ["今日待办"])["今日待办"]
    assert same_grid(fake.grid("今日待办"), cli)
    links = {v for (r, c), v in fake.sheets["今日待办"].formulas.items()}
    assert links and all(v.startswith('=HYPERLINK("#\'案件\'!A') for v in links)


def test_a_second_recalc_at_the_same_minute_leaves_the_file_alone(tmp_path):
    book = _demo(tmp_path)
    before = book.read_bytes()
    summary = recalc(book, now=NOW)
    assert not summary.written and book.read_bytes() == before


def test_repeat_refunders_by_buyer_or_phone_within_the_window():
    t = dt.datetime(2026, 10, 1, 9)
    events = [RefundEvent(2, "tb_小王", None, t), RefundEvent(3, "tb_小王", "13800138000", t + dt.timedelta(days=10)),
              RefundEvent(4, "别人", "13800138000", t + dt.timedelta(days=20)),
              RefundEvent(5, "tb_小王", None, t + dt.timedelta(days=45))]
    found = repeat_refunders(events, 3, 30)
    assert found == {}                                                  # two each within 30 days
    events.append(RefundEvent(6, "tb_小王", None, t + dt.timedelta(days=25)))
    found = repeat_refunders(events, 3, 30)
    assert set(found) == {2, 3, 5, 6} and found[2] == ("买家 tb_小王", 3)
    assert repeat_refunders(events, 0, 30) == {}


def test_a_repeat_refunder_is_named_in_the_tips_and_on_todo(tmp_path):
    from addin.workbook.sheets.new_book import build_workbook

    rows = [dict(order_id=f"T{i}", platform="淘宝", reason="七天无理由退货", buyer="tb_回头客", paid=50,
                 paid_at=dt.datetime(2026, 11, 1, 10), refund_requested_at=dt.datetime(2026, 11, 20 + i, 9),
                 platform_deadline=dt.datetime(2026, 11, 23, 20)) for i in range(3)]
    book = build_workbook(tmp_path / "r.xlsx", rows, today=NOW.date())
    recalc(book, now=NOW)
    grids = read_workbook(book, ["案件", "今日待办"])
    heads = grids["案件"][0]
    tips = [row[heads.index("提示")] or "" for row in grids["案件"][1:4]]
    assert all("重复退款: 买家 tb_回头客 30天内退款3次" in t for t in tips)
    todo = grids["今日待办"]
    assert any("重复退款" in str(cell) for row in todo for cell in row)


def test_a_big_todo_sheet_is_compared_chunk_by_chunk_as_read_whole(tmp_path, monkeypatch):
    """todo_edits compares a big 今日待办 sheet with the new one a chunk of rows at a time (memory): the
    rows read so are the rows read whole, and a change anywhere (a cell, a row more or less) is seen."""
    from addin.workbook.commands import todo
    from addin.workbook.files.session import open_book

    book = _demo(tmp_path)
    monkeypatch.setattr(todo, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(todo, "CHUNK_BYTES", 1)              # a chunk per row
    with open_book(book, None, command="recalc") as session:
        whole = session.read(["今日待办"])["今日待办"]
        chunked = list(todo._sheet_rows(*todo._sheet_reader(session, "今日待办")))
        assert len(whole) > 5
        # (as wide as the row itself: calamine pads a row to the widest row read with it)
        assert [todo._trimmed_row(row) for row in chunked] == [todo._trimmed_row(row) for row in whole]
        assert todo._reads_same(session, "今日待办", whole)
        changed = [list(row) for row in whole]
        changed[len(changed) // 2][0] = "另一行"
        for other in (changed, whole[:-1], whole + [["多一行"]]):
            assert not todo._reads_same(session, "今日待办", other)
