"""The `aftersales` command line, called through main() exactly as the console script calls it."""
import csv
import zipfile

import openpyxl
import pytest

from addin.cli import main
from addin.workbook.files.reader import read_workbook
from tests.helpers.clock import NOW_DEMO_ARG



def test_demo_builds_recalculates_merges_and_exports(tmp_path, capsys):
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "行数 rows: 55" in out and "有错误 with errors: 11" in out and "可发送 ready: 3" in out
    # as of --now, most sample deadlines are past; one overdue figure (one overdue row has an error too)
    assert "已逾期 overdue: 16 (其中有错误 1 行 of them with errors)   今日到期 due today: 1" in out
    grid = read_workbook(book, ["案件"])["案件"]
    heads = grid[0]
    errors = [row[heads.index("错误")] for row in grid[1:] if row[heads.index("错误")]]
    # every bad row, and the two rows whose SMS failed its checks (texts ran after recalc), in Chinese only
    assert len(errors) == 13 and not any(" / " in e for e in errors)
    assert sum(e.startswith("短信校验未通过: ") for e in errors) == 2
    statuses = [row[heads.index("状态")] for row in grid[1:]]
    assert statuses.count("有错误") == 13 and statuses.count("已逾期") == 15
    amounts = [row[heads.index("赔偿金额")] for row in grid[1:] if row[heads.index("赔偿金额")] is not None]
    assert len(amounts) == 18 and round(sum(amounts), 2) == 1704.73     # the total the 汇总 sheet shows
    # the sample approved templates (marked 示例) give one 群发助手 file per TemplateCode + signature, and the
    # same messages as 腾讯云 files beside them (logged once)
    files = sorted(p.name for p in (tmp_path / "demo_outbox").iterdir())
    aliyun, tencent = [f for f in files if "SMS_示例" in f], [f for f in files if "_腾讯云_示例" in f]
    assert len(aliyun) == 3 and len(tencent) == 3 and len(files) == 6 and all(f.endswith(".xlsx") for f in files)
    assert any("定时1123-1210" in f for f in aliyun) and any("定时1123-1210" in f for f in tencent)
    log = read_workbook(book, ["发送记录"])["发送记录"]
    assert log[0][:3] == ["批次号", "时间", "手机号"] and [r[9] for r in log[1:]] == ["已导出"] * 3


def test_recalc_texts_and_outbox_commands(tmp_path, capsys):
    book = tmp_path / "demo.xlsx"
    main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"])
    copy = tmp_path / "copy.xlsx"
    assert main(["recalc", str(book), "--out", str(copy), "--now", NOW_DEMO_ARG, "--quiet"]) == 0
    assert main(["texts", str(copy), "--now", NOW_DEMO_ARG]) == 0          # now shows what the demo's outbox exported
    first = copy.read_bytes()
    assert main(["texts", str(copy), "--now", NOW_DEMO_ARG]) == 0
    assert copy.read_bytes() == first                             # and doing it again changes nothing
    capsys.readouterr()

    out_dir = tmp_path / "json"
    assert main(["outbox", str(book), "--format", "aliyun-batch-json", "--out", str(out_dir), "--now", NOW_DEMO_ARG]) == 0
    assert "已导出 exported: 0" in capsys.readouterr().out and not out_dir.exists()   # the demo exported them
    assert main(["outbox", str(book), "--format", "aliyun-batch-json", "--out", str(out_dir), "--now", NOW_DEMO_ARG,
                 "--resend"]) == 0
    assert "已导出 exported: 3" in capsys.readouterr().out and len(list(out_dir.iterdir())) == 3
    assert main(["outbox", str(book), "--format", "csv", "--out", str(tmp_path / "up"), "--resend",
                 "--now", NOW_DEMO_ARG]) == 0
    [upload] = (tmp_path / "up").iterdir()
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


def test_new_workbook_force_does_not_overwrite_a_book_open_in_excel(tmp_path, capsys):
    path = tmp_path / "售后.xlsm"
    assert main(["new-workbook", str(path)]) == 0
    stamp = path.read_bytes()
    owner = tmp_path / ("~$" + path.name)
    owner.write_bytes(b"owner")
    assert main(["new-workbook", str(path), "--force"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Excel" in err and owner.name in err and path.read_bytes() == stamp
    owner.unlink()
    path.chmod(0o640)
    inode = path.stat().st_ino
    assert main(["new-workbook", str(path), "--force"]) == 0              # closed: --force replaces it
    # A new file renamed over it (the same bytes when both runs fall within one second: the workbook
    # is built deterministically), with the old file's permissions.
    assert path.stat().st_ino != inode and (path.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["售后.xlsm"]       # no lock or temp file left


def test_demo_overwrites_its_own_book_but_not_while_it_is_open(tmp_path, capsys):
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"]) == 0
    assert main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"]) == 0   # run again: rebuilt
    (tmp_path / ("~$" + book.name)).write_bytes(b"owner")
    stamp = book.read_bytes()
    capsys.readouterr()
    assert main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"]) == 2
    assert "Excel" in capsys.readouterr().err and book.read_bytes() == stamp


def test_demo_never_replaces_a_staff_workbook(tmp_path, capsys):
    """`demo --out 售后.xlsx` on a staff file (not a sample the demo built) is refused, exit 2, the file kept."""
    book = tmp_path / "售后.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "案件"
    wb.active.append(["订单号", "平台", "售后原因", "客服备注"])
    wb.active.append(["1001", "淘宝", "延迟发货", "已联系买家"])
    wb.save(book)
    stamp = book.read_bytes()
    capsys.readouterr()
    assert main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "售后.xlsx" in err and "示例" in err and " / " in err and "Traceback" not in err
    assert book.read_bytes() == stamp and not (tmp_path / "售后_outbox").exists()


def test_unreadable_files_are_a_message_not_a_traceback(tmp_path, capsys):
    assert main(["recalc", str(tmp_path / "missing.xlsx")]) == 2
    assert "找不到文件" in capsys.readouterr().err
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    assert main(["recalc", str(bad)]) == 2
    assert "无法处理工作簿" in capsys.readouterr().err and bad.read_text() == "not a workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx"]          # no lock or temp file left


# --- a Chinese Windows console: GBK output redirected to a file or a pipe -------------------------

import datetime as dt            # noqa: E402
import json                      # noqa: E402
import os                        # noqa: E402
import subprocess                # noqa: E402
import sys                       # noqa: E402

from addin.cli import now_arg    # noqa: E402


def run_cli(args, tmp_path, encoding="gbk", pipe=False):
    """`python -m addin.cli ARGS` with the console encoding of Chinese Windows; output to a file (or a pipe)."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    log = tmp_path / f"log_{len(list(tmp_path.glob('log_*')))}.txt"
    with open(log, "wb") as fh:
        proc = subprocess.run([sys.executable, "-m", "addin.cli", *args], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE if pipe else fh, stderr=subprocess.PIPE, timeout=300)
    out = proc.stdout if pipe else log.read_bytes()
    return proc.returncode, out.decode(encoding), proc.stderr.decode(encoding)


@pytest.fixture(scope="module")
def gbk_demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gbk")
    code, out, err = run_cli(["demo", "--out", str(tmp / "demo.xlsx"), "--now", NOW_DEMO_ARG], tmp, encoding="cp936")
    return tmp, code, out, err


def test_demo_on_a_gbk_console_redirected_to_a_file(gbk_demo):
    _, code, out, err = gbk_demo
    assert code == 0, err
    assert "赔偿合计 total compensation: ￥" in out and "Traceback" not in err
    assert "示例工作簿" in out and "短信群发文件" in out


@pytest.mark.parametrize("encoding, pipe", [("gbk", False), ("cp936", True)])
def test_every_subcommand_on_a_gbk_console(gbk_demo, encoding, pipe):
    tmp, *_ = gbk_demo
    book = tmp / "demo.xlsx"
    runs = [
        ["recalc", str(book), "--out", str(tmp / f"r_{encoding}.xlsx"), "--now", "2026年11月23日 10时"],
        ["texts", str(book), "--out", str(tmp / f"t_{encoding}.xlsx"), "--now", NOW_DEMO_ARG],
        ["outbox", str(book), "--format", "csv", "--out", str(tmp / f"o_{encoding}"), "--now", NOW_DEMO_ARG],
        ["run", str(book), "--out", str(tmp / f"run_{encoding}.xlsx"), "--outbox", str(tmp / f"run_{encoding}"),
         "--now", NOW_DEMO_ARG],
        ["new-workbook", str(tmp / f"售后_{encoding}.xlsm")],
        ["--help"],
    ]
    for args in runs:
        code, out, err = run_cli(args, tmp, encoding, pipe)
        assert code == 0 and "Traceback" not in err, (args, err)
        assert out.strip()
    assert "￥" in run_cli(runs[0], tmp, encoding, pipe)[1]


@pytest.mark.parametrize("args, message", [
    (["recalc", "missing.xlsx"], "找不到文件"),
    (["recalc", "{book}", "--now", "下周一"], "无法识别日期"),
    (["new-workbook", "{xlsm}"], "文件已存在"),
])
def test_error_paths_exit_2_without_a_traceback_on_gbk(gbk_demo, args, message):
    tmp, *_ = gbk_demo
    existing = tmp / "exists.xlsm"
    existing.write_bytes(b"staff file")
    args = [a.format(book=tmp / "demo.xlsx", xlsm=existing) for a in args]
    code, out, err = run_cli(args, tmp)
    assert code == 2 and "Traceback" not in err and message in err
    assert existing.read_bytes() == b"staff file"


@pytest.mark.parametrize("text, expected", [
    ("2026-11-23T10:00", dt.datetime(2026, 11, 23, 10)),
    ("2026-11-23T10:00+00:00", dt.datetime(2026, 11, 23, 18)),      # UTC 10:00 is 18:00 in China
    ("2026-11-23T10:00Z", dt.datetime(2026, 11, 23, 18)),
    ("2026年11月23日 10时20分", dt.datetime(2026, 11, 23, 10, 20)),
    ("2026/11/23 下午3:05", dt.datetime(2026, 11, 23, 15, 5)),
    ("2026-11-23", dt.datetime(2026, 11, 23)),
])
def test_now_takes_the_cell_spellings_and_an_offset(text, expected):
    assert now_arg(text) == expected


def test_now_with_an_offset_counts_due_deadlines_in_china_time(tmp_path, capsys):
    """UTC 01:00 is 09:00 in China: the demo has 3 deadlines due within 24 h then, 2 at 01:00 China time."""
    book = tmp_path / "demo.xlsx"
    main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"])

    def due(now: str) -> str:
        capsys.readouterr()
        main(["recalc", str(book), "--out", str(tmp_path / "x.xlsx"), "--now", now, "--quiet"])
        return next(line for line in capsys.readouterr().out.splitlines() if "24小时内到期" in line)

    assert due("2026-10-01T01:00+00:00") == due("2026-10-01 09:00") != due("2026-10-01 01:00")


# --- start-up: each command imports only its own modules -------------------------------------------

_IMPORTS = """
import json, sys
from addin.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:          # --help
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(args) -> tuple[int, set[str], str]:
    """Run main(args) in a fresh interpreter: its exit code, every module it had imported at the end, its output."""
    proc = subprocess.run([sys.executable, "-c", _IMPORTS, *args], stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=300)
    *printed, last = proc.stdout.decode("utf-8").splitlines()
    result = json.loads(last)
    return result["code"], set(result["modules"]), "\n".join(printed)


def test_help_imports_no_command_module():
    code, modules, _ = imported_by(["--help"])
    assert code == 0
    assert {"addin.cli", "addin.workbook.commands.outbox_formats"} <= modules          # the formats the help lists
    assert not {m for m in modules if m.startswith(("addin.core", "addin.messages", "addin.workbook.commands.recalc",
                                                    "addin.workbook.files.xlsx_patch", "jinja2"))}


def test_recalc_never_imports_the_mail_merge(gbk_demo, tmp_path):
    """A recalc that writes cells (a later --now changes the statuses) loads neither Jinja2 nor addin.messages."""
    tmp, *_ = gbk_demo
    out = tmp_path / "later.xlsx"
    code, modules, printed = imported_by(["recalc", str(tmp / "demo.xlsx"), "--out", str(out), "--now",
                                          "2026-12-20 10:00", "--quiet"])
    assert code == 0 and out.exists() and "写入单元格 cells written: 0" not in printed
    assert "addin.workbook.commands.recalc" in modules and "addin.workbook.files.xlsx_patch.sheet" in modules
    assert "jinja2" not in modules and not {m for m in modules if m.startswith("addin.messages")}
    # the mail merge's own commands still find it
    code, modules, _ = imported_by(["texts", str(out), "--now", NOW_DEMO_ARG])
    assert code == 0 and "jinja2" in modules


@pytest.mark.parametrize("args, zh", [
    (["recalc"], "缺少参数: book"),
    (["recalc", "a.xlsx", "--bogus"], "无法识别的参数: --bogus"),
    (["outbox", "a.xlsx", "--format", "nope"], "参数 --format 的值无效: 'nope' (可选: 'aliyun-xlsx'"),
    (["recalc", "a.xlsx", "--wait", "abc"], "参数 --wait 需要数字: 'abc'"),
    (["recalc", "a.xlsx", "--now"], "参数 --now 后面要跟一个值"),
    (["recalc", "a.xlsx", "--now", "明天"], "参数 --now: 无法识别日期 '明天'"),
    (["nosuch"], "参数 command 的值无效: 'nosuch'"),
])
def test_a_usage_error_is_one_bilingual_line_and_exit_2(args, zh, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("错误 error: 命令参数有误: ")    # no argparse usage block
    assert zh in err and "--help" in err
    assert err.split(" / ", 1)[0].count("not a date") == 0                        # the Chinese half is Chinese
