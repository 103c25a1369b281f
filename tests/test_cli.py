"""The `aftersales` command line, called through main() exactly as the console script calls it."""
import csv
import zipfile

import pytest

from addin.cli import main
from addin.workbook.reader import read_workbook

NOW = "2026-11-23T10:00"


def test_demo_builds_recalculates_merges_and_exports(tmp_path, capsys):
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(book), "--now", NOW, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "行数 rows: 55" in out and "有错误 with errors: 11" in out and "可发送 ready: 3" in out
    grid = read_workbook(book, ["案件"])["案件"]
    heads = grid[0]
    errors = [row[heads.index("错误")] for row in grid[1:] if row[heads.index("错误")]]
    assert len(errors) == 11 and all(" / " in e for e in errors)      # every bad row, in Chinese and English
    assert sum(1 for row in grid[1:] if row[heads.index("赔偿金额")] is not None) > 10
    # the sample approved templates (marked 示例) give one 群发助手 file per TemplateCode + signature
    files = sorted(p.name for p in (tmp_path / "demo_outbox").iterdir())
    assert len(files) == 3 and all(f.endswith(".xlsx") and "SMS_示例" in f for f in files)
    assert any("定时1123-1210" in f for f in files)             # the 催付 planned for 12:10 says when to send
    log = read_workbook(book, ["发送记录"])["发送记录"]
    assert log[0][:3] == ["批次号", "时间", "手机号"] and [r[9] for r in log[1:]] == ["已导出"] * 3


def test_recalc_texts_and_outbox_commands(tmp_path, capsys):
    book = tmp_path / "demo.xlsx"
    main(["demo", "--out", str(book), "--now", NOW, "--quiet"])
    copy = tmp_path / "copy.xlsx"
    assert main(["recalc", str(book), "--out", str(copy), "--now", NOW, "--quiet"]) == 0
    assert main(["texts", str(copy), "--now", NOW]) == 0          # now shows what the demo's outbox exported
    first = copy.read_bytes()
    assert main(["texts", str(copy), "--now", NOW]) == 0
    assert copy.read_bytes() == first                             # and doing it again changes nothing
    capsys.readouterr()

    assert main(["outbox", str(book), "--format", "params", "--now", NOW]) == 2
    assert "aliyun-xlsx" in capsys.readouterr().err               # withdrawn, with what to use instead
    out_dir = tmp_path / "json"
    assert main(["outbox", str(book), "--format", "aliyun-batch-json", "--out", str(out_dir), "--now", NOW]) == 0
    assert "已导出 exported: 0" in capsys.readouterr().out and not out_dir.exists()   # the demo exported them
    assert main(["outbox", str(book), "--format", "aliyun-batch-json", "--out", str(out_dir), "--now", NOW,
                 "--resend"]) == 0
    assert "已导出 exported: 3" in capsys.readouterr().out and len(list(out_dir.iterdir())) == 3
    upload = tmp_path / "up.csv"
    assert main(["outbox", str(book), "--csv", str(upload), "--resend", "--now", NOW]) == 0
    with open(upload, encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == ["手机号码", "短信内容", "计划发送时间", "订单号"]


def test_outbox_help_lists_the_formats(capsys):
    with pytest.raises(SystemExit):
        main(["outbox", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("aliyun-xlsx", "aliyun-batch-json", "csv"))


def test_new_workbook_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "售后.xlsm"
    assert main(["new-workbook", str(path)]) == 0
    with zipfile.ZipFile(path) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    stamp = path.read_bytes()
    assert main(["new-workbook", str(path)]) == 2
    assert "file exists" in capsys.readouterr().err and path.read_bytes() == stamp


def test_unreadable_files_are_a_message_not_a_traceback(tmp_path, capsys):
    assert main(["recalc", str(tmp_path / "missing.xlsx")]) == 2
    assert "找不到文件" in capsys.readouterr().err
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    assert main(["recalc", str(bad)]) == 2
    assert "无法处理工作簿" in capsys.readouterr().err and bad.read_text() == "not a workbook"


def test_a_gbk_console_never_crashes_the_cli(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONIOENCODING="gbk")
    run = subprocess.run([sys.executable, "-m", "addin.cli", "demo", "--out", str(tmp_path / "demo.xlsx"), "--now", NOW,
                          "--quiet"], env=env, capture_output=True)
    assert run.returncode == 0, run.stderr.decode("gbk", "replace")
    assert "赔偿合计".encode("gbk") in run.stdout          # Chinese printed as GBK; ¥ replaced, not a traceback
