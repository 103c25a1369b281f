"""Never lose staff data (issue 8): each numbered case of the issue on a real file, built here, run
through the real command line or recalc/texts, and read back.

1. totals rows (an Excel Table's totals row, a 合计 row with =SUM) are not cases;
2. a helper formula column without cached values is in use; formulas in computed columns are kept;
3. a book replaced while computing is not overwritten; two runs of ours never overlap;
4. a book open in Excel or LibreOffice, or read-only, is refused (exit 2) unless --out writes elsewhere;
5. the case sheet by name only, duplicate headers, merged headers, new columns inside the Table,
   symlinks and hard links;
6. long cells, damaged XML, disk full, --out at a folder, unsupported kinds, killed runs' temp files,
   staff columns beside 发送队列.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from addin.cli import main
from addin.workbook.files import session as session_module
from addin.workbook.files.reader import read_workbook
from addin.workbook.commands.recalc import recalc
from addin.workbook.files.session import BookError, open_book
from addin.workbook.commands.texts import generate_texts
from addin.workbook.sheets.catalogue import OUTBOX
from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook
from tests.helpers.books import (BASIC_HEADER, H, OUTPUT_HEADERS, THREE_CASES, case, files_in, make_book, out,
                                 read_back, table_book)
from tests.helpers.clock import NOW_RECALC
from tests.helpers.zips import CASE_PART, cells_xml, formulas_of, members, table_part, write_members

NOW_ISO = NOW_RECALC.isoformat()


def run(*argv) -> tuple[int, str]:
    """The CLI as a user runs it; returns (exit code, stderr)."""
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([*argv])
    return code, err.getvalue()


def one_clean_line(err: str) -> str:
    """Exit-2 messages are one line, Chinese and English, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("错误 error: ") and " / " in lines[0], err
    return lines[0]


# --------------------------------------------------------------------------- 1. totals rows

def test_a_table_totals_row_is_left_alone_and_counted(tmp_path):
    path = table_book(tmp_path / "t.xlsx", totals=True, header=BASIC_HEADER + ["赔偿金额"])
    before = cells_xml(members(path)[CASE_PART])
    summary = recalc(path, now=NOW_RECALC)
    after = cells_xml(members(path)[CASE_PART])
    totals = {ref: x for ref, x in before.items() if ref.endswith("5")}
    assert totals and {ref: after[ref] for ref in totals} == totals          # the SUBTOTALs and the label, as they were
    assert not any(ref.endswith("5") for ref in set(after) - set(before))   # nothing added to the totals row
    assert summary.totals_rows == [5] and summary.rows == 3 and summary.errors == 0
    assert any("totals rows left alone: 1" in line for line in summary.lines())
    grid, hm = read_back(path)
    assert [out(grid, hm, r, "comp_amount") for r in (2, 3, 4)] == [5.0, 26.7, 30.0]


def test_a_sum_row_labelled_total_is_left_alone(tmp_path):
    rows = THREE_CASES + [None, {H["order_id"]: "合计"}]
    path = make_book(tmp_path / "sum.xlsx", BASIC_HEADER + ["赔偿金额", "错误"], rows)
    wb = openpyxl.load_workbook(path)
    wb["案件"]["E6"] = "=SUM(E2:E4)"
    wb.save(path)
    before = {ref: x for ref, x in cells_xml(members(path)[CASE_PART]).items() if ref.endswith("6")}
    summary = recalc(path, now=NOW_RECALC)
    after = cells_xml(members(path)[CASE_PART])
    assert {ref: x for ref, x in after.items() if ref.endswith("6")} == before   # no 必填 error, SUM kept
    assert summary.totals_rows == [6] and summary.errors == 0


def test_a_sum_formula_alone_marks_a_totals_row(tmp_path):
    """No label, no Table: a row whose computed cell aggregates the column is not a case either."""
    path = make_book(tmp_path / "sum.xlsx", BASIC_HEADER + ["赔偿金额"], THREE_CASES)
    wb = openpyxl.load_workbook(path)
    wb["案件"]["E5"] = "=SUBTOTAL(9,E2:E4)"
    wb.save(path)
    summary = recalc(path, now=NOW_RECALC)
    assert summary.totals_rows == [5] and summary.rows == 3
    assert formulas_of(path) == {"E5": "<f>SUBTOTAL(9,E2:E4)</f>"}


def test_a_row_sum_helper_does_not_hide_a_bad_case(tmp_path):
    """A staff helper column summing cells of its own row (=SUM(D3:E3)) is not a totals row: a case
    with a typo in 售后原因 or no 平台 still gets its error, and its stale 赔偿金额/状态 are cleared."""
    header = BASIC_HEADER + ["运费", "赔偿金额", "状态", "错误", "我的小计"]
    rows = [case("A1", "淘宝", "延迟发货", paid=89), case("A2", "淘宝", "延迟发货x", paid=89),
            case("A3", None, "延迟发货", paid=89)]
    path = make_book(tmp_path / "helper.xlsx", header, rows)
    wb = openpyxl.load_workbook(path)
    ws = wb["案件"]
    for r in (2, 3, 4):
        ws[f"E{r}"] = 10
        ws[f"I{r}"] = f"=SUM(D{r}:E{r})"
    for r in (3, 4):                                  # what an earlier recalc wrote when the row was good
        ws[f"F{r}"], ws[f"G{r}"] = 55, "正常"
    # a Table-style row formula ([@...]) is row-level too
    ws["J1"], ws["J3"] = "我的小计2", "=SUM(表1[@[实付金额]:[运费]])"
    ws["K1"], ws["K4"] = "重复?", "=COUNTIF(A:A,A4)>1"      # the usual duplicate check reads its own row
    wb.save(path)
    summary = recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert summary.totals_rows == [] and summary.rows == 3 and summary.errors == 2
    assert [out(grid, hm, r, "status") for r in (3, 4)] == ["有错误", "有错误"]
    assert [out(grid, hm, r, "comp_amount") for r in (3, 4)] == [None, None]
    assert "售后原因" in out(grid, hm, 3, "errors") and "平台" in out(grid, hm, 4, "errors")
    assert set(formulas_of(path)) == {"I2", "I3", "I4", "J3", "K4"}              # the helpers kept
    # what still marks a totals row: other rows, a whole column or Table column, or its own cell
    from addin.workbook.sheets.protected import is_aggregate
    assert [is_aggregate(f, 9, 5) for f in ("SUM(E2:E8)", "SUM(E:E)", "SUBTOTAL(109,[赔偿金额])", "SUM(E9:E9)",
                                            "SUM(C9:D9)", "COUNTIF(A:A,A9)>1")] == [True, True, True, True,
                                                                                      False, False]


# --------------------------------------------------------------------------- 2. formulas

def test_a_helper_formula_column_without_cached_values_is_not_taken(tmp_path):
    """XlsxWriter writes the formulas' cached value as "" here (calamine sees empty cells): the new output
    columns must still start right of the helper column F."""
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("案件")
    ws.write_row(0, 0, BASIC_HEADER)
    for r, values in enumerate(THREE_CASES, start=1):
        ws.write_row(r, 0, [values[h] for h in BASIC_HEADER])
        ws.write_formula(r, 5, f'=IF(A{r + 1}="","",A{r + 1}&"-回访")', None, "")      # F: helper, no header
    wb.close()
    grid, _ = read_back(path)
    assert all(len(row) < 6 or row[5] in ("", None) for row in grid)               # calamine: looks empty
    recalc(path, now=NOW_RECALC)
    assert formulas_of(path) == {f"F{r}": f'<f>IF(A{r}="","",A{r}&amp;"-回访")</f>' for r in (2, 3, 4)}
    grid, hm = read_back(path)
    assert min(hm.outputs.values()) == 7 and grid[0][6] == OUTPUT_HEADERS[0]      # from G, right of F


@pytest.mark.parametrize("language", ["中文", "中文+English"])
def test_a_formula_in_a_computed_column_is_kept_and_said(tmp_path, language):
    path = make_book(tmp_path / "f.xlsx", BASIC_HEADER + ["赔偿金额", "提示"], THREE_CASES, rules={"UI.language": language})
    wb = openpyxl.load_workbook(path)
    wb["案件"]["E3"] = "=D3*0.1"                     # staff typed their own amount for A2 (cached: none)
    wb.save(path)
    summary = recalc(path, now=NOW_RECALC)
    assert formulas_of(path) == {"E3": "<f>D3*0.1</f>"}
    grid, hm = read_back(path)
    note = out(grid, hm, 3, "warnings")
    assert "E3「赔偿金额」是公式, 未覆盖" in note
    assert ("holds a formula" in note) == (language == "中文+English")        # the display language words it
    assert summary.formulas_kept == ["E3"] and out(grid, hm, 2, "comp_amount") == 5.0
    again = recalc(path, now=NOW_RECALC)                                       # the note is stable: nothing to rewrite
    assert again.cells_written == 0


# --------------------------------------------------------------------------- 3. concurrency

def _replace_book_while_computing(monkeypatch, book: Path, replacement: Path):
    """A hook between reading and renaming: someone saves the book (a new file renamed over it)."""
    real = session_module.write_patched

    def write_then_someone_saves(*args, **kwargs):
        written = real(*args, **kwargs)
        tmp = book.with_name("someone-else.tmp")
        shutil.copy(replacement, tmp)
        os.replace(tmp, book)
        return written
    monkeypatch.setattr(session_module, "write_patched", write_then_someone_saves)


def test_a_book_saved_by_someone_else_during_the_run_is_not_overwritten(tmp_path, monkeypatch):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER + ["客服备注"], [dict(r, 客服备注="旧") for r in THREE_CASES])
    theirs = tmp_path / "theirs" / "cases.xlsx"
    theirs.parent.mkdir()
    shutil.copy(book, theirs)
    patch_workbook(theirs, theirs, {"案件": SheetEdit({(2, 5): "已回电, 客户同意"})})   # their new note
    _replace_book_while_computing(monkeypatch, book, theirs)
    code, err = run("recalc", str(book), "--now", NOW_ISO, "--quiet")
    assert code == 2 and "the book changed while computing" in one_clean_line(err) and "run again" in err
    assert book.read_bytes() == theirs.read_bytes()                      # their save survives, untouched
    assert files_in(tmp_path) == {"cases.xlsx", "theirs"}                 # no temp file, no lock left


def test_with_out_the_copy_is_one_consistent_version_even_if_the_source_changes(tmp_path, monkeypatch):
    """The source is read once: a replacement mid-run cannot mix two versions into one zip."""
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    other = make_book(tmp_path / "other.xlsx", BASIC_HEADER, THREE_CASES[:1])
    _replace_book_while_computing(monkeypatch, book, other)
    copy = tmp_path / "copy.xlsx"
    assert run("recalc", str(book), "--out", str(copy), "--now", NOW_ISO, "--quiet")[0] == 0
    with zipfile.ZipFile(copy) as zf:
        assert zf.testzip() is None                                      # no Bad CRC-32
    grid, hm = read_back(copy)
    assert [row[0] for row in grid[1:]] == ["A1", "A2", "A3"] and out(grid, hm, 4, "comp_amount") == 30.0


def test_two_runs_of_ours_never_overlap_on_one_book(tmp_path):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    before = book.read_bytes()
    with open_book(book, command="texts"):                               # texts is running on it
        code, err = run("recalc", str(book), "--wait", "0", "--quiet")
        assert code == 2 and "another AfterSales run" in one_clean_line(err) and "texts" in err
        with pytest.raises(BookError) as exc:
            generate_texts(book, now=NOW_RECALC)
        assert exc.value.kind == "busy"
    assert book.read_bytes() == before
    assert run("recalc", str(book), "--now", NOW_ISO, "--quiet")[0] == 0   # free again


def test_a_waiting_run_goes_on_when_the_other_finishes(tmp_path):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from addin.workbook.files.session import open_book\n"
        "with open_book(sys.argv[1], command='texts'):\n    print('held', flush=True); time.sleep(1.5)"), str(book)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    code, _ = run("recalc", str(book), "--now", NOW_ISO, "--quiet", "--wait", "30")
    holder.wait(10)
    assert code == 0 and read_back(book)[0][0][4] == OUTPUT_HEADERS[0]


def test_a_lock_left_by_a_killed_run_is_broken(tmp_path):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()                                                          # a pid that no longer runs
    lock = tmp_path / ".~cases.xlsx.aftersales-lock"
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "time": time.time(),
                                "command": "recalc", "token": "x"}))
    assert run("recalc", str(book), "--now", NOW_ISO, "--quiet", "--wait", "0")[0] == 0
    assert not lock.exists()
    other_host = {"pid": 1, "host": "another-pc", "time": time.time() - 3600, "command": "recalc", "token": "y"}
    lock.write_text(json.dumps(other_host))                             # another machine, an hour old: stale
    assert run("recalc", str(book), "--now", NOW_ISO, "--quiet", "--wait", "0")[0] == 0


def test_temp_files_of_a_killed_run_are_cleaned(tmp_path):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    leftover = tmp_path / ".~cases.xlsx.k1ll3d_9.tmp"
    leftover.write_bytes(b"PK half a zip")
    unrelated = tmp_path / ".~other.xlsx.abcdefgh.tmp"                  # another book's: not ours to judge
    unrelated.write_bytes(b"x")
    summary = recalc(book, now=NOW_RECALC)
    assert not leftover.exists() and unrelated.exists() and summary.temps_removed == 1


# --------------------------------------------------------------------------- 4. locks and read-only

@pytest.mark.parametrize("owner", ["~$cases.xlsx", ".~lock.cases.xlsx#"], ids=["excel", "libreoffice"])
def test_a_book_open_in_excel_or_libreoffice_is_refused(tmp_path, owner):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    (tmp_path / owner).write_bytes(b"\x05staff" + b" " * 50)
    before = book.read_bytes()
    for command in ("recalc", "texts"):
        code, err = run(command, str(book), "--now", NOW_ISO)
        line = one_clean_line(err)
        assert code == 2 and owner in line and "cases.xlsx" in line and ("Excel" in line or "LibreOffice" in line)
    assert book.read_bytes() == before
    copy = tmp_path / "out" / "copy.xlsx"
    copy.parent.mkdir()
    assert run("recalc", str(book), "--out", str(copy), "--now", NOW_ISO, "--quiet")[0] == 0   # elsewhere: fine
    assert out(*read_back(copy), 2, "comp_amount") == 5.0 and book.read_bytes() == before


def test_a_read_only_book_is_refused(tmp_path):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    before = book.read_bytes()
    book.chmod(0o444)
    code, err = run("recalc", str(book), "--now", NOW_ISO, "--quiet")
    assert code == 2 and "read-only" in one_clean_line(err) and "只读" in err
    assert book.read_bytes() == before
    assert run("recalc", str(book), "--out", str(tmp_path / "copy.xlsx"), "--now", NOW_ISO, "--quiet")[0] == 0


def _nobody() -> tuple[int, int] | None:
    try:
        import pwd
        entry = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        return None
    return entry.pw_uid, entry.pw_gid


@pytest.mark.skipif(not hasattr(os, "setuid"), reason="no setuid on this platform")
def test_a_read_only_book_is_refused_for_a_non_root_user(tmp_path):
    """chmod 444 in a folder the user may write in: a rename would replace the file anyway, so the check
    must be ours. The suite runs as root (for whom every file is writable), so the CLI runs in a child
    that imports everything and then drops to the nobody user (this Python may not be readable by nobody)."""
    ids = _nobody()
    if os.geteuid() != 0 or ids is None:
        pytest.skip("needs root to drop to the nobody user")
    folder = Path(tempfile.mkdtemp(prefix="aftersales-ro-"))
    try:
        folder.chmod(0o777)
        book = make_book(folder / "cases.xlsx", BASIC_HEADER, THREE_CASES)
        book.chmod(0o444)
        before = book.read_bytes()
        child = ("import os, sys\n"
                 "import addin.cli, addin.workbook.commands.texts, python_calamine, encodings.cp437\n"
                 "addin.cli.build_parser()   # argparse loads its translations lazily\n"
                 f"os.setgid({ids[1]}); os.setuid({ids[0]})\n"
                 "sys.exit(addin.cli.main(sys.argv[1:]))")

        def cli_as_nobody(path: Path):
            return subprocess.run([sys.executable, "-c", child, "recalc", str(path), "--now", NOW_ISO, "--quiet"],
                                  capture_output=True, text=True, cwd=folder, timeout=120)
        proc = cli_as_nobody(book)
        assert proc.returncode == 2 and "read-only" in one_clean_line(proc.stderr), proc.stderr
        assert book.read_bytes() == before
        writable = folder / "mine.xlsx"                                    # the same user, a writable book: fine
        shutil.copy(book, writable)
        writable.chmod(0o666)
        proc = cli_as_nobody(writable)
        assert proc.returncode == 0, proc.stderr
        assert out(*read_back(writable), 2, "comp_amount") == 5.0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- 5. sheets, headers, links

def test_no_case_sheet_by_name_is_refused_naming_the_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "订单导出"                       # a raw export, which happens to have case columns
    wb.active.append(BASIC_HEADER)
    wb.active.append(["X1", "淘宝", "延迟发货", 89])
    wb.create_sheet("Sheet2")
    path = tmp_path / "export.xlsx"
    wb.save(path)
    before = path.read_bytes()
    for command in ("recalc", "texts"):
        code, err = run(command, str(path), "--now", NOW_ISO)
        line = one_clean_line(err)
        assert code == 2 and "no case sheet" in line and "订单导出, Sheet2" in line and "案件" in line
    assert path.read_bytes() == before


def test_duplicate_headers_are_an_error_naming_both_cells(tmp_path):
    path = make_book(tmp_path / "dup.xlsx", BASIC_HEADER + ["赔偿金额", "备注", "compensation"], THREE_CASES)
    before = path.read_bytes()
    code, err = run("recalc", str(path), "--now", NOW_ISO, "--quiet")
    line = one_clean_line(err)
    assert code == 2 and "E1" in line and "G1" in line and "duplicate" in line and "「案件」" in line
    assert path.read_bytes() == before


def test_new_columns_go_right_of_a_merged_header(tmp_path):
    path = make_book(tmp_path / "merged.xlsx", BASIC_HEADER + ["客服备注"], THREE_CASES)
    wb = openpyxl.load_workbook(path)
    wb["案件"].merge_cells("E1:G1")                     # 客服备注 spans E..G; F1 and G1 are hidden under it
    wb.save(path)
    recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert min(hm.outputs.values()) == 8 and grid[0][7] == OUTPUT_HEADERS[0]     # from H


def test_new_columns_join_the_case_table(tmp_path):
    path = table_book(tmp_path / "t.xlsx", totals=True)
    recalc(path, now=NOW_RECALC)
    xml = table_part(path)
    heads = read_back(path)[0][0]
    ref = re.search(r' ref="([^"]+)"', xml).group(1)
    assert ref == f"A1:{openpyxl.utils.get_column_letter(len(heads))}5"        # the new columns are in the Table
    names = re.findall(r'<tableColumn [^>]*name="([^"]+)"', xml)
    assert names == heads and len(set(re.findall(r'<tableColumn id="(\d+)"', xml))) == len(heads)
    assert re.search(r'<autoFilter ref="A1:[A-Z]+4"', xml) and "TableStyleMedium2" in xml
    ws = openpyxl.load_workbook(path)["案件"]                            # an independent reader accepts it
    assert ws.tables["案件表"].ref == ref
    first = path.read_bytes()
    recalc(path, now=NOW_RECALC)
    assert path.read_bytes() == first                                     # and the second run changes nothing


def test_with_a_note_right_of_the_table_new_columns_stay_outside_and_say_so(tmp_path):
    path = table_book(tmp_path / "t.xlsx", totals=False, right_note="周三回访")
    summary = recalc(path, now=NOW_RECALC)
    assert re.search(r' ref="A1:D4"', table_part(path))                   # the Table is not stretched over the note
    grid, hm = read_back(path)
    assert grid[1][5] == "周三回访" and min(hm.outputs.values()) == 7
    assert any("outside the Table" in line for line in summary.lines())


def test_a_symlinked_book_writes_the_real_file(tmp_path):
    (tmp_path / "real").mkdir()
    real = make_book(tmp_path / "real" / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    assert run("recalc", str(link), "--now", NOW_ISO, "--quiet")[0] == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert out(*read_back(real), 2, "comp_amount") == 5.0
    assert files_in(tmp_path) == {"real", "link.xlsx"} and files_in(real.parent) == {"cases.xlsx"}


def test_a_hard_linked_book_is_refused(tmp_path):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    os.link(book, tmp_path / "backup.xlsx")
    before = book.read_bytes()
    code, err = run("recalc", str(book), "--now", NOW_ISO, "--quiet")
    assert code == 2 and "hard links" in one_clean_line(err)
    assert book.read_bytes() == before and (tmp_path / "backup.xlsx").read_bytes() == before
    assert run("recalc", str(book), "--out", str(tmp_path / "copy.xlsx"), "--now", NOW_ISO, "--quiet")[0] == 0


# --------------------------------------------------------------------------- 6. errors and 发送队列

def test_a_17000_character_cell_does_not_stop_the_batch(tmp_path):
    long_text = "长" * 17_000
    rows = [case("L1", "淘宝", "延迟发货", paid=long_text), case("L2", "淘宝", "延迟发货", paid=89, item_name=long_text),
            case("L3", "天猫", "延迟发货", paid=89)]
    path = make_book(tmp_path / "long.xlsx", BASIC_HEADER + [H["item_name"]], rows)
    code, err = run("recalc", str(path), "--now", NOW_ISO, "--quiet")
    assert code == 0, err
    grid, hm = read_back(path)
    error = out(grid, hm, 2, "errors")
    assert error.startswith("D2「实付金额」") and "长" * 30 + "…" in error and len(error) < 500   # quoted short
    assert out(grid, hm, 3, "comp_amount") == 5.0 and out(grid, hm, 4, "comp_amount") == 26.7
    assert out(grid, hm, 3, "item_name") == long_text                    # the staff cell itself is untouched
    assert run("texts", str(path), "--now", NOW_ISO)[0] == 0


def _corrupt_sheet(path: Path, damage) -> None:
    parts = members(path)
    parts[CASE_PART] = damage(parts[CASE_PART])
    write_members(path, parts)


@pytest.mark.parametrize("damage", [
    lambda xml: xml[: len(xml) * 2 // 3],                                           # cut off mid-sheet
    lambda xml: xml.replace(b"</row>", b"", 1),                                     # a row never closed
    lambda xml: xml.replace(b'<row r="3"', b'<row r="1"', 1),                      # rows out of order
], ids=["truncated", "unclosed-row", "rows-out-of-order"])
def test_damaged_sheet_xml_is_a_clean_message(tmp_path, damage):
    path = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    _corrupt_sheet(path, damage)
    before = path.read_bytes()
    code, err = run("recalc", str(path), "--now", NOW_ISO, "--quiet")
    line = one_clean_line(err)
    assert code == 2 and "cases.xlsx" in line and ("damaged" in line or "损坏" in line) and ".tmp" not in line
    assert path.read_bytes() == before and files_in(tmp_path) == {"cases.xlsx"}


def test_valid_but_unsupported_books_are_not_called_damaged(tmp_path):
    encrypted = tmp_path / "secret.xlsx"                # what Excel saves with a password: an OLE file
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"))
    strict = make_book(tmp_path / "strict.xlsx", BASIC_HEADER, THREE_CASES)
    parts = members(strict)
    for name in ("xl/workbook.xml", CASE_PART):
        parts[name] = parts[name].replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                          b"http://purl.oclc.org/ooxml/spreadsheetml/main")
    write_members(strict, parts, zipfile.ZIP_STORED)
    for path, what in ((encrypted, "password"), (strict, "Strict")):
        code, err = run("recalc", str(path), "--quiet")
        line = one_clean_line(err)
        assert code == 2 and "not supported" in line and what in line and "damaged" not in line


def test_out_pointing_at_a_folder_is_a_clean_message(tmp_path):
    book = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    (tmp_path / "outdir").mkdir()
    code, err = run("recalc", str(book), "--out", str(tmp_path / "outdir"), "--quiet")
    assert code == 2 and "folder" in one_clean_line(err) and files_in(tmp_path / "outdir") == set()
    code, err = run("recalc", str(tmp_path), "--quiet")                  # the book itself is a folder
    assert code == 2 and "folder" in one_clean_line(err)


@pytest.fixture
def small_disk(small_tmpfs):
    return small_tmpfs("600k")


def test_disk_full_leaves_the_book_and_no_temp_file(tmp_path, small_disk):
    src = make_book(tmp_path / "cases.xlsx", BASIC_HEADER, THREE_CASES)
    wb = openpyxl.load_workbook(src)
    noise = wb.create_sheet("附件")                    # ~400 KB that does not compress: the copy cannot fit too
    for r in range(1, 1601):
        noise.cell(r, 1, os.urandom(256).hex())
    wb.save(src)
    book = small_disk / "cases.xlsx"
    shutil.copy(src, book)
    assert book.stat().st_size > 300_000
    before = book.read_bytes()
    code, err = run("recalc", str(book), "--now", NOW_ISO, "--quiet")
    line = one_clean_line(err)
    assert code == 2 and "disk is full" in line and "磁盘已满" in line and ".tmp" not in line
    assert book.read_bytes() == before and files_in(small_disk) == {"cases.xlsx"}


def test_texts_keeps_staff_columns_right_of_the_outbox(tmp_path):
    from addin.workbook.sheets.new_book import build_workbook
    rows = [dict(order_id=f"P{i}", platform="天猫", reason="未付款", shop_name="小美家居", phone=f"1380013800{i}",
                 ordered_at=dt.datetime(2026, 10, 7, 21, 0), sms_kind="催付", item_name="沙发", paid=99,
                 send_at=dt.datetime(2026, 10, 8, 12, 10)) for i in range(3)]
    path = build_workbook(tmp_path / "cases.xlsx", rows)
    generate_texts(path, now=NOW_RECALC)
    queue = read_workbook(path, ["发送队列"])["发送队列"]
    assert len(queue) == 4
    width = len(OUTBOX.header)
    notes = {(1, width + 2): "跟进人", (2, width + 2): "小王", (3, width + 2): "小李", (9, width + 2): "月底复盘"}
    patch_workbook(path, path, {"发送队列": SheetEdit(notes)})               # staff add a column of their own
    width_cases = len(read_workbook(path, ["案件"])["案件"][0])
    patch_workbook(path, path, {"案件": SheetEdit({(3, c): None for c in range(1, width_cases + 1)})})  # P1 deleted
    generate_texts(path, now=NOW_RECALC)
    queue = read_workbook(path, ["发送队列"])["发送队列"]
    assert [row[0] for row in queue[1:4]] == ["P0", "P2", None]              # the generated block was rebuilt
    assert all(v in (None, "") for v in queue[3][:width])
    # every staff cell kept, and beside its own message: P1's note (its message gone) is not shown
    # beside P2, but kept under the block; the note below the block stays where it was
    notes_now = {(r, c): v for r, row in enumerate(queue, start=1) for c, v in enumerate(row, start=1)
                 if c == width + 2 and v not in (None, "")}
    assert notes_now == {(1, width + 2): "跟进人", (2, width + 2): "小王", (4, width + 2): "小李",
                         (9, width + 2): "月底复盘"}


def test_outbox_staff_notes_follow_their_message(tmp_path):
    """A note staff typed beside a queued SMS stays beside that SMS when texts rebuilds the queue with a
    message added above it (sorted by case row), instead of sliding onto another buyer's line."""
    from addin.workbook.sheets.new_book import build_workbook
    rows = [dict(order_id=f"P{i}", platform="天猫", reason="未付款", shop_name="小美家居", phone=f"1380013800{i}",
                 ordered_at=dt.datetime(2026, 10, 7, 21, 0), sms_kind="催付" if i else None, item_name="沙发",
                 paid=99, send_at=dt.datetime(2026, 10, 8, 12, 10)) for i in range(3)]
    path = build_workbook(tmp_path / "cases.xlsx", rows)
    generate_texts(path, now=NOW_RECALC)
    queue = read_workbook(path, ["发送队列"])["发送队列"]
    assert [row[0] for row in queue[1:]] == ["P1", "P2"]
    width = len(OUTBOX.header)
    patch_workbook(path, path, {"发送队列": SheetEdit({(1, width + 1): "已发?", (2, width + 1): "已发"})})  # P1 sent
    grid = read_workbook(path, ["案件"])["案件"]
    kind_col = grid[0].index("短信类型") + 1
    patch_workbook(path, path, {"案件": SheetEdit({(2, kind_col): "催付"})})      # P0 now needs one too
    generate_texts(path, now=NOW_RECALC)
    queue = read_workbook(path, ["发送队列"])["发送队列"]
    assert [(row[0], row[width]) for row in queue] == [("订单号", "已发?"), ("P0", None), ("P1", "已发"), ("P2", None)]
