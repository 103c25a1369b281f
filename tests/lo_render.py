"""Render workbooks with LibreOffice headless, as a person would see them: to PDF (one page per sheet), then
to PNG (poppler's pdftoppm), and to a recalculated .xlsx whose formulas' values calamine can read.

Used by tests/test_render.py. Run it as a script to redraw the pictures in docs/:
    python tests/lo_render.py
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("libreoffice-calc-nogui", "poppler-utils", "fonts-noto-cjk")     # Debian/Ubuntu
TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdfinfo")
SCREEN_DPI = 96                 # Excel's pixels: a PDF point is 1/72 inch
# Every sheet on one page at 100 % (LibreOffice 6.4+), so a sheet's left edge is the screen's left edge.
PDF_FILTER = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
# LibreOffice's user settings for the conversions: recalculate every formula when a file is loaded.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


def ensure_tools(install: bool = True) -> str | None:
    """None when LibreOffice and poppler are there (installed now from Debian packages if missing and we
    are root with apt-get), else why they are not, for a skip message."""
    if not missing_tools():
        return None
    if not install:
        return f"not installed: {', '.join(missing_tools())}"
    if shutil.which("apt-get") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return (f"LibreOffice/poppler not installed ({', '.join(missing_tools())}) and cannot be installed here "
                f"(needs root and apt-get): apt-get install {' '.join(PACKAGES)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES], check=True,
                       capture_output=True, timeout=1200, env=env)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"installing {' '.join(PACKAGES)} failed: {exc}"
    return None if not missing_tools() else f"still missing after apt-get: {', '.join(missing_tools())}"


class Office:
    """soffice with its own profile (recalculate on load), so the machine's settings do not matter."""

    def __init__(self, folder: Path):
        self.profile = folder / "lo-profile"
        (self.profile / "user").mkdir(parents=True, exist_ok=True)
        (self.profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")

    def convert(self, book: Path, target: str, outdir: Path) -> Path:
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = ["soffice", f"-env:UserInstallation={self.profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(outdir), str(book)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "HOME": str(self.profile)})
        out = outdir / (book.stem + "." + target.split(":")[0])
        if not out.exists():
            raise RuntimeError(f"LibreOffice did not convert {book.name}: {done.stdout} {done.stderr}")
        return out

    def pdf(self, book: Path, outdir: Path) -> Path:
        return self.convert(book, PDF_FILTER, outdir)

    def recalculated(self, book: Path, outdir: Path) -> Path:
        """An .xlsx copy with every formula recalculated by LibreOffice (values cached in the file)."""
        return self.convert(book, 'xlsx:Calc MS Excel 2007 XML', outdir)


@dataclass
class Word:
    text: str
    x0: float          # pixels at 96 dpi from the page's left edge
    y0: float
    x1: float
    y1: float


def words(pdf: Path, page: int) -> list[Word]:
    """The words on a page with their boxes (pdftotext -bbox), in screen pixels."""
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    scale = SCREEN_DPI / 72
    return [Word(m.group(5), float(m.group(1)) * scale, float(m.group(2)) * scale, float(m.group(3)) * scale,
                 float(m.group(4)) * scale)
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                                 html)]


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def png(pdf: Path, page: int, out: Path, *, dpi: int = SCREEN_DPI, width: int | None = None,
        height: int | None = None) -> Path:
    """One page as a PNG, optionally only its top-left width x height pixels (at `dpi`)."""
    cmd = ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile"]
    if width or height:
        cmd += ["-x", "0", "-y", "0", "-W", str(width or -1), "-H", str(height or -1)]
    subprocess.run(cmd + [str(pdf), str(out.with_suffix(""))], check=True, capture_output=True)
    return out


def docs_pictures(folder: Path | None = None) -> list[Path]:
    """The pictures in docs/img: the 案件 sheet's first screen, 今日待办, the 汇总 sheet and the 使用说明 sheet of a
    new workbook (.xlsm, with its buttons) holding the demo's cases, recalculated."""
    sys.path.insert(0, str(ROOT))
    from addin.demo import sample_rows
    from addin.excel.xlsm import new_workbook
    from addin.workbook.commands.recalc import recalc
    from tests.helpers.clock import NOW_DEMO

    work = Path(folder or tempfile.mkdtemp(prefix="aftersales_docs_"))
    book = new_workbook(work / "售后.xlsm", sample_rows())
    recalc(book, now=NOW_DEMO)
    office = Office(work)
    pdf = office.pdf(book, work / "pdf")
    img = ROOT / "docs" / "img"
    img.mkdir(parents=True, exist_ok=True)
    # 72 dpi = 75 % of the screen: a 1280 px wide screen is 960 px here.
    return [png(pdf, 1, img / "layout.png", dpi=72, width=960, height=420),
            png(pdf, 2, img / "today.png", width=1500, height=560),
            png(pdf, 3, img / "summary.png", dpi=60, width=900, height=640),
            png(pdf, 4, img / "guide.png", dpi=60, width=780, height=330)]


if __name__ == "__main__":
    reason = ensure_tools(install=False)
    if reason:
        sys.exit(reason)
    for path in docs_pictures():
        print(path, path.stat().st_size, "bytes")
