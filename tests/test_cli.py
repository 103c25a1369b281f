"""The `aftersales` command line, called through main() exactly as the console script calls it."""
import csv
import zipfile

from addin.cli import main
from addin.workbook.reader import read_workbook

NOW = "2026-11-23T10:00"


def test_demo_builds_recalculates_and_merges(tmp_path, capsys):
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(book), "--now", NOW, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "行数 rows: 55" in out and "有错误 with errors: 11" in out and "可发送 ready: 4" in out
    grid = read_workbook(book, ["案件"])["案件"]
    heads = grid[0]
    errors = [row[heads.index("错误")] for row in grid[1:] if row[heads.index("错误")]]
    assert len(errors) == 11 and all(" / " in e for e in errors)      # every bad row, in Chinese and English
    assert sum(1 for row in grid[1:] if row[heads.index("赔偿金额")] is not None) > 10
    with open(tmp_path / "demo_outbox.csv", encoding="utf-8-sig") as fh:
        assert len(list(csv.reader(fh))) == 1 + 4


def test_recalc_texts_and_outbox_commands(tmp_path, capsys):
    book = tmp_path / "demo.xlsx"
    main(["demo", "--out", str(book), "--now", NOW, "--quiet"])
    copy = tmp_path / "copy.xlsx"
    assert main(["recalc", str(book), "--out", str(copy), "--now", NOW, "--quiet"]) == 0
    assert main(["texts", str(copy), "--now", NOW]) == 0
    # the demo already recalculated and merged: doing it again changes nothing
    with zipfile.ZipFile(book) as a, zipfile.ZipFile(copy) as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}
    upload = tmp_path / "up.csv"
    assert main(["outbox", str(book), "--csv", str(upload), "--format", "params", "--now", NOW]) == 0
    assert "4 条" in capsys.readouterr().out
    with open(upload, encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh))[:3] == ["手机号码", "短信签名", "模板类型"]


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx"]          # no lock or temp file left
