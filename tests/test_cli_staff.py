"""The command line as staff meet it (issue 19, point 4): Chinese first in every --help, one overdue
figure, 已写入 only when the file changed, --out DIR/ writes into the folder, readable column widths."""
from __future__ import annotations

import re

import openpyxl
import pytest

from addin.cli import build_parser, main

NOW = "2026-11-23 10:00"


def _subparsers():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_help_text_is_chinese_first(name):
    for action in _subparsers()[name]._actions:
        assert action.help and re.match(r"[「\u4e00-\u9fff]", action.help), (name, action.dest, action.help)


@pytest.fixture
def demo(tmp_path):
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(book), "--now", NOW, "--quiet"]) == 0
    return book


def test_one_overdue_figure_and_unchanged_when_nothing_changed(demo, capsys):
    capsys.readouterr()
    later = "2026-11-24 10:00"                     # a day later: 今日待办 and some 状态 change
    assert main(["recalc", str(demo), "--now", later, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.count("已逾期") == 1 and re.search(r"已逾期 overdue: \d+", out) and "已写入 written" in out
    assert main(["recalc", str(demo), "--now", later, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "未改动 unchanged" in out and "已写入" not in out


def test_out_folder_writes_into_it(demo, tmp_path, capsys):
    folder = tmp_path / "输出"
    assert main(["recalc", str(demo), "--now", NOW, "--quiet", "--out", f"{folder}/"]) == 0
    assert (folder / demo.name).is_file() and f"已写入 written: {folder / demo.name}" in capsys.readouterr().out


def test_message_sheets_have_readable_widths(demo):
    wb = openpyxl.load_workbook(demo)
    assert wb["发送队列"].column_dimensions["G"].width >= 16          # 计划发送时间: a date, not ###
    assert wb["发送队列"].column_dimensions["D"].width >= 40          # 短信内容
    assert wb["发送记录"].column_dimensions["B"].width >= 16          # 时间
