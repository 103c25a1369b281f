"""Benchmark (issue 12): recalc, texts and run against an openpyxl load+save and the I/O floor, in one table.

For each size, on a workbook generated with the full template (cached in bench/out/), and again on the
recalculated file (the daily re-run), each command runs in a fresh process, the commands interleaved:

  recalc    `aftersales recalc BOOK --out X`
  texts     `aftersales texts BOOK --out X`
  run       `aftersales run BOOK --out X` (skipped, with a note, where the command does not exist)
  openpyxl  openpyxl load_workbook + save of the same file (skipped above --openpyxl-max rows)
  floor     calamine read of the case sheet + the zip rewritten with that sheet re-deflated (level 6)

CPU is user + system time of the process and every process it started (workers included); wall is
from start to exit. Peak memory (MB, after each command's times) is the largest sum of PSS over the
process and its children, sampled every 20 ms (RSS where PSS cannot be read). Goals (issue 22), CPU at
100k rows: recalc >= 4x faster than openpyxl fresh and >= 8x again, <= 2.5x the floor fresh; texts
<= 0.5x and run <= 1.2x recalc; recalc, texts and run each under 1.5 GB on a full sheet (1,048,575 case
rows, --full).

    python bench/recalc_bench.py [--rows 10000 100000] [--full] [--openpyxl-max 100000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
NOW = "2026-10-01T12:00"
FULL_SHEET = 1_048_575          # case rows under the header: every row of the sheet

FLOOR = """
import io, sys, zipfile
import python_calamine
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
rows = wb.get_sheet_by_name("案件").to_python()
zin = zipfile.ZipFile(io.BytesIO(data))
with zipfile.ZipFile(dst, "w") as zout:
    for info in zin.infolist():
        if info.filename == "xl/worksheets/sheet1.xml":
            zout.writestr(info, zin.read(info), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
        else:
            zout.writestr(info, zin.read(info))
"""
OPENPYXL = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
"""


# --------------------------------------------------------------------------- the workbook

def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_book(path: Path, n: int) -> None:
    """n case rows with the full template's 93 columns, written as sheet XML straight into the zip
    (streamed, so 1,048,575 rows take a minute or two and little memory). Texts are inline strings,
    dates numbers with a date style, like openpyxl's write-only mode writes them."""
    sys.path.insert(0, str(ROOT))
    from addin.demo import bulk_rows
    from addin.workbook.sheets.case_layout import case_columns
    from addin.workbook.files.xlsx_patch import col_letter

    columns = case_columns()
    keys = [c.key for c in columns]
    letters = [col_letter(i) for i in range(1, len(keys) + 1)]
    base = bulk_rows(2000)
    rng = random.Random(11)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            last = letters[-1]
            fh.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
                      f'xmlns:r="{_REL}"><dimension ref="A1:{last}{n + 1}"/><sheetData>').encode())
            head = "".join(f'<c r="{letters[i]}1" t="inlineStr"><is><t>{_xml_text(c.header)}</t></is></c>'
                           for i, c in enumerate(columns))
            fh.write(f'<row r="1">{head}</row>'.encode())
            buf = []
            for r in range(2, n + 2):
                row = base[(r - 2) % len(base)]
                cells = []
                for i, key in enumerate(keys):
                    value = row.get(key)
                    if key == "order_id":
                        value = f"{4000000000000000 + r}"
                    elif key == "paid" and isinstance(value, float):
                        value = round(value + rng.random(), 2)
                    if value is None or value == "":
                        continue
                    ref = f"{letters[i]}{r}"
                    if isinstance(value, str):
                        cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_xml_text(value)}</t></is></c>')
                    elif isinstance(value, dt.datetime):
                        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
                        cells.append(f'<c r="{ref}" s="1"><v>{serial!r}</v></c>')
                    elif isinstance(value, bool):
                        cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                buf.append(f'<row r="{r}">{"".join(cells)}</row>')
                if len(buf) >= 5000:
                    fh.write("".join(buf).encode())
                    buf.clear()
            fh.write("".join(buf).encode())
            fh.write(b"</sheetData></worksheet>")
    tmp.replace(path)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>',
    "_rels/.rels":
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheets><sheet name="案件" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml":
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '</styleSheet>',
}


# --------------------------------------------------------------------------- measuring

def _tree(pid: int) -> list[int]:
    """pid and its descendants (from /proc/*/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def _memory_kb(pid: int) -> int:
    """The process's PSS in kB, else its RSS (where smaps_rollup cannot be read), else 0."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            pass
    return 0


def measure(argv: list[str]) -> dict:
    """Run argv; wall time, CPU of the whole process tree, peak summed PSS (MB)."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], sum(_memory_kb(p) for p in _tree(proc.pid)))
            done.wait(0.02)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv[:4]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return {"wall": wall, "cpu": cpu, "mb": peak[0] / 1024, "stdout": out.decode(errors="replace")}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from addin.cli import main; sys.exit(main(sys.argv[1:]))", *args]


def has_run_command() -> bool:
    out = subprocess.run(cli("--help"), cwd=ROOT, capture_output=True, text=True).stdout
    commands = re.search(r"\{([^}]*)\}", out)
    return bool(commands) and "run" in commands.group(1).split(",")


# --------------------------------------------------------------------------- the table

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--full", action="store_true", help="also a full sheet: 1,048,575 case rows")
    parser.add_argument("--openpyxl-max", type=int, default=100_000, help="skip openpyxl above this many rows")
    parser.add_argument("--skip", nargs="*", default=[], choices=["texts", "run", "openpyxl", "floor"])
    args = parser.parse_args()
    sizes = args.rows + ([FULL_SHEET] if args.full else [])
    OUT.mkdir(parents=True, exist_ok=True)
    run_ok = has_run_command() and "run" not in args.skip
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; each command in a fresh process, interleaved.")
    print("CPU = user+sys of the process tree (workers included); wall = start to exit; MB = peak summed PSS.")
    if not run_ok and "run" not in args.skip:
        print("`aftersales run` does not exist on this branch: the run column is skipped.")
    cols = ["rows", "case", "recalc cpu/wall", "MB", "texts cpu/wall", "MB", "run cpu/wall", "MB", "openpyxl cpu/wall", "MB",
            "floor cpu/wall", "vs openpyxl cpu/wall", "vs floor cpu/wall"]
    print("\n| " + " | ".join(cols) + " |")
    print("|" + "|".join(" ---: " for _ in cols) + "|")
    for n in sizes:
        src = OUT / f"cases_{n}.xlsx"
        if not src.exists():
            t = time.perf_counter()
            make_book(src, n)
            print(f"(generated {src.name}: {src.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.0f} s)")
        fresh_out = OUT / f"recalc_{n}.xlsx"
        for case, book in (("fresh", src), ("again", fresh_out)):
            target = OUT / f"{case}_{n}"
            rec = measure(cli("recalc", str(book), "--out", f"{target}_recalc.xlsx", "--quiet", "--now", NOW))
            if case == "fresh":
                os.replace(f"{target}_recalc.xlsx", fresh_out)
            txt = None if "texts" in args.skip else measure(
                cli("texts", str(book), "--out", f"{target}_texts.xlsx", "--now", NOW))
            run = measure(cli("run", str(book), "--out", f"{target}_run.xlsx", "--now", NOW)) if run_ok else None
            opx = None if "openpyxl" in args.skip or n > args.openpyxl_max else measure(
                [sys.executable, "-c", OPENPYXL, str(book), f"{target}_openpyxl.xlsx"])
            flo = None if "floor" in args.skip else measure([sys.executable, "-c", FLOOR, str(book), f"{target}_floor.xlsx"])

            def pair(m):
                return "–" if m is None else f"{m['cpu']:.1f} / {m['wall']:.1f} s"

            def ratio(a, b, inverse=False):
                if a is None or b is None:
                    return "–"
                x, y = (b, a) if inverse else (a, b)
                return f"{x['cpu'] / y['cpu']:.1f}× / {x['wall'] / y['wall']:.1f}×"
            def mb(m):
                return "–" if m is None else f"{m['mb']:.0f}"
            print(f"| {n:,} | {case} | {pair(rec)} | {mb(rec)} | {pair(txt)} | {mb(txt)} | {pair(run)} | {mb(run)} | "
                  f"{pair(opx)} | {mb(opx)} | {pair(flo)} | "
                  f"{ratio(opx, rec)} | {ratio(rec, flo)} |", flush=True)
            for f in OUT.glob(f"{case}_{n}_*.xlsx"):
                f.unlink()


if __name__ == "__main__":
    main()
