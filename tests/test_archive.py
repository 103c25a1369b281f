"""结案归档 (issue 19): `aftersales archive` moves finished/closed cases older than ARCH-1.days to 归档 with
the same columns; --undo puts them back. Property: over random books, archive then restore gives back
the same 案件 cells; and the 结案归档 button moves the same rows as the command line."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from addin.cli import main
from addin.excel import buttons
from addin.workbook.commands.archive import archive_book
from addin.workbook.files.reader import read_workbook, sheet_names
from addin.workbook.sheets.new_book import build_workbook
from tests.helpers.fake_xlwings import FakeBook

NOW = dt.datetime(2026, 11, 23, 10, 0)
STATUSES = [None, "退款成功", "退款关闭", "买家已经申请退款，等待卖家同意", "待买家退货"]
OUTCOMES = [None, None, "已结案", "已关闭"]

row_st = st.fixed_dictionaries({
    "order_id": st.one_of(st.integers(1, 10 ** 6).map(lambda n: f"A{n}"),
                          st.integers(10 ** 15, 10 ** 16 - 1).map(str)),         # 16 digits: must stay text
    "platform": st.sampled_from(["淘宝", "天猫", "京东", "拼多多"]),
    "reason": st.sampled_from(["七天无理由退货", "质量问题", "延迟发货"]),
    "paid": st.one_of(st.none(), st.decimals(1, 5000, places=2).map(float)),
    "paid_at": st.datetimes(dt.datetime(2026, 6, 1), dt.datetime(2026, 11, 22)).map(lambda t: t.replace(microsecond=0, second=0)),
    "refund_status": st.sampled_from(STATUSES),
    "outcome": st.sampled_from(OUTCOMES),
    "buyer": st.one_of(st.none(), st.text("小王李张abc_", min_size=1, max_size=6)),
})


def _trim(grid):
    out = [[v for v in row] for row in grid]
    for row in out:
        while row and row[-1] in (None, ""):
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_st, min_size=1, max_size=12), days=st.sampled_from([0, 30, 90]))
def test_archive_then_restore_gives_back_the_same_cells(rows, days):
    with tempfile.TemporaryDirectory() as tmp:
        path = build_workbook(Path(tmp) / "b.xlsx", rows, today=NOW.date())
        if days != 30:
            main(["recalc", str(path), "--now", "2026-11-23 10:00", "--quiet"])
        before = read_workbook(path, ["案件"])["案件"]
        report = archive_book(path, now=NOW)
        after = read_workbook(path, sheet_names(path))
        if report.rows:
            moved = after["归档"][1:]
            assert len(moved) == len(report.rows)
            assert [_trim([r[:-2]])[0] if _trim([r[:-2]]) else [] for r in moved] == \
                [_trim([before[r - 1]])[0] if _trim([before[r - 1]]) else [] for r in report.rows]
        restored = archive_book(path, undo=True, now=NOW)
        assert restored.rows == report.rows
        assert _trim(read_workbook(path, ["案件"])["案件"]) == _trim(before)


def test_only_finished_or_closed_cases_older_than_the_setting_move(tmp_path, capsys):
    rows = [dict(order_id="OPEN", platform="淘宝", reason="七天无理由退货", paid_at=dt.datetime(2026, 9, 1)),
            dict(order_id="DONE-OLD", platform="淘宝", reason="七天无理由退货", paid_at=dt.datetime(2026, 9, 1),
                 refund_status="退款成功"),
            dict(order_id="DONE-NEW", platform="淘宝", reason="七天无理由退货", paid_at=dt.datetime(2026, 11, 20),
                 refund_status="退款成功"),
            dict(order_id="CLOSED-OLD", platform="京东", reason="质量问题", paid_at=dt.datetime(2026, 8, 1),
                 outcome="已关闭")]
    path = build_workbook(tmp_path / "b.xlsx", rows, today=NOW.date())
    assert main(["archive", str(path), "--now", "2026-11-23 10:00"]) == 0
    assert "归档 archived: 2 个" in capsys.readouterr().out
    grids = read_workbook(path, ["案件", "归档"])
    assert [r[0] for r in grids["案件"][1:]] == ["OPEN", "DONE-NEW"]
    assert [r[0] for r in grids["归档"][1:]] == ["DONE-OLD", "CLOSED-OLD"]
    assert grids["归档"][0][:3] == grids["案件"][0][:3] and grids["归档"][0][-2:] == ["归档时间", "原行号"]
    assert main(["archive", str(path), "--now", "2026-11-23 10:00"]) == 0
    out = capsys.readouterr().out
    assert "没有要归档的案件" in out and "未改动 unchanged" in out


def test_the_archive_button_moves_what_the_command_line_moves(tmp_path):
    rows = [dict(order_id=f"O{i}", platform="淘宝", reason="七天无理由退货", paid_at=dt.datetime(2026, 8, 1 + i),
                 refund_status="退款成功" if i % 2 else None) for i in range(8)]
    path = build_workbook(tmp_path / "b.xlsx", rows, today=NOW.date())
    fake = FakeBook(read_workbook(path, sheet_names(path)), fullname=str(path))
    buttons.archive_cases_book(fake, now=NOW)
    archive_book(path, now=NOW)
    cli = read_workbook(path, ["案件", "归档"])
    assert _trim(fake.grid("案件")) == _trim(cli["案件"]) and _trim(fake.grid("归档")) == _trim(cli["归档"])
    assert fake.rec.status[-1].startswith("归档完成")
    buttons.archive_cases_book(fake, now=NOW, undo=True)
    archive_book(path, now=NOW, undo=True)
    assert _trim(fake.grid("案件")) == _trim(read_workbook(path, ["案件"])["案件"])
