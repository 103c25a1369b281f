"""The import's shortcuts (docs/dev/speed.md, Import) give what the long way gives.

Each shortcut is compared with the code it stands in for, over inputs chosen to sit on its edges; and a
whole import through them (dates with and without seconds, a day alone, a date that does not exist,
lines blank but for unmapped columns) is read back.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from addin.core.parse import CellError, to_datetime
from addin.workbook.commands.importer import import_exports
from addin.workbook.commands.importer.files import _BLANK, _WRAPPED, clean_cell
from addin.workbook.commands.importer.upsert import _export_datetime
from addin.workbook.sheets.protected import TOTAL_LABELS, _LABEL_NOISE_RE, is_total_label
from tests.helpers.books import rows_by_order
from tests.helpers.exports import QN_HEAD, export_rows, qn_line, write_export

DATES = ["2026-10-01 09:00:00", "2026-10-01 09:00", "2026-10-01", "2026-02-30 10:00:00", "2026-02-29",
         "2028-02-29 23:59:59", "2026-10-01 24:00:00", "2026-10-01 09:60", "2026-13-01", "2026-10-01T09:00:00",
         "2026-10-01 9:00:00", "2026/10/01 09:00:00", "２０２６-10-01 09:00:00", "2026-10-01 09:00:0٣",
         "2026-10-01 09:00:00Z", "2026-1-01 09:00:00", "20261001", "2026-10-01 09-00-00", "2026-10-01  09:00",
         "0000-10-01", "2026-10-0a", "+026-10-01", "2026-10-01 下午9:00", "2026-10-01 23:59:59", "0001-01-01",
         "9999-12-31 23:59:59", "2026-00-10", "2026-10-00 10:00:00", "2026-10-01 10:00:60", "2026-10-01 10:60:00",
         "2026-10-01 25:00", "2026-10-01 00:00"]


@pytest.mark.parametrize("text", DATES)
def test_the_export_date_shortcut_reads_what_to_datetime_reads(text):
    try:
        expected = to_datetime(text)
    except CellError as exc:
        with pytest.raises(CellError) as caught:
            _export_datetime(text)
        assert (caught.value.zh, caught.value.en) == (exc.zh, exc.en)
        return
    assert _export_datetime(text) == expected
    assert type(_export_datetime(text)[0]) is type(expected[0])


def _clean_cell_before(value):
    """clean_cell as it was before the shortcut (the reference)."""
    if not isinstance(value, str):
        return value
    text = value.strip().strip("\t")
    m = _WRAPPED.fullmatch(text)
    if m:
        text = m.group(1).strip()
    if text.startswith("'"):
        text = text[1:].strip()
    if not text or text.lower() in _BLANK:
        return None
    return text


@pytest.mark.parametrize("value", [
    '="3000123"', ' = "3000123" ', '\t="3000123"\t', "'3000123", "' 3000123 ", "-", "--", "—", "NULL", "None",
    "N/A", " n/a ", "NULLS", "none.", "=", '="-"', '="  "', "'", "'-", "", "   ", "\t", "退款成功", "=SUM(A1)",
    '=" \'12 "', "İNONE", "ＮＵＬＬ", 3.5, None, dt.datetime(2026, 10, 1), '="', '=""', '= "12"', '="a"b"', '="12" ',
    '=" 12 "', '="\'12"', '="-"x', '=12"', '=\n"12"'])
def test_clean_cell_shortcut_cleans_as_before(value):
    assert clean_cell(value) == _clean_cell_before(value)


@pytest.mark.parametrize("value", [
    *sorted(TOTAL_LABELS), "合计：", "合 计", "合计(元)", "Total", "TOTAL", " Grand Total ", "SUM", "Sum:",
    "总计（元）", "本页 小计", "合计金额 (RMB)", "退款成功", "天猫", "tb_小王", "3000212345678901234", "计", "to tal",
    "S U M", "ＴＯＴＡＬ", "totalx", ""])
def test_total_label_shortcut_finds_what_the_full_test_finds(value):
    full = value in TOTAL_LABELS or _LABEL_NOISE_RE.sub("", value).lower() in TOTAL_LABELS
    assert is_total_label(value) == (len(value) <= 20 and full)


def test_dates_of_every_form_import_and_an_unchanged_reimport_writes_nothing(new_book, tmp_path):
    lines = [qn_line("3000200000000000001", "180000000000000001", "少件/漏发", applied="2026-10-10 10:00:30"),
             qn_line("3000200000000000002", "180000000000000002", "少件/漏发", applied="2026-10-10 10:05"),
             qn_line("3000200000000000003", "180000000000000003", "少件/漏发", applied="2026-10-10"),
             qn_line("3000200000000000004", "180000000000000004", "少件/漏发", applied="2026-02-30 10:00:00")]
    only_unmapped = dict.fromkeys(QN_HEAD, "")
    only_unmapped["商家备注"] = "补发了"            # no mapped cell filled: a line without an order id
    placeholders = dict.fromkeys(QN_HEAD, "-")     # nothing but placeholders: a blank line, skipped
    rows = export_rows("QN", lines + [[only_unmapped[h] for h in QN_HEAD], [placeholders[h] for h in QN_HEAD]])
    export = write_export(tmp_path / "tb.gbk.csv", rows)

    report = import_exports(new_book, [export])
    assert (report.added, report.files[0].lines) == (3, 5)
    assert [(r.where.split(" ", 1)[1], r.zh) for r in report.refused] == [
        ("第6行 line 6", "「退款的申请时间」日期不存在 '2026-02-30 10:00:00'"), ("第7行 line 7", "缺少订单号")]
    applied = {order: row["退款申请时间"] for order, row in rows_by_order(new_book).items()}
    assert applied == {"3000200000000000001": dt.datetime(2026, 10, 10, 10, 0, 30),
                       "3000200000000000002": dt.datetime(2026, 10, 10, 10, 5),
                       "3000200000000000003": dt.date(2026, 10, 10)}

    before = new_book.read_bytes()
    again = import_exports(new_book, [export])
    assert (again.added, again.updated, again.unchanged, again.cells, again.record_cells, again.written) == \
        (0, 0, 3, 0, 0, False)
    assert new_book.read_bytes() == before
