"""patch_workbook: the entry point that puts the parts together (like XlsxWriter's packager)."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

from .edits import PatchError, PatchReport, SheetEdit
from .package import NEW_SHEET_XML, Package
from .sheet import SheetPatcher
from .styles import Styles
from .zipcopy import Deflater, replace_atomic, write_atomic


def patch_workbook(src: str | os.PathLike, dst: str | os.PathLike, edits: dict[str, SheetEdit]) -> PatchReport:
    """Write `edits` into a copy of workbook `src` saved atomically as `dst` (which may be `src`).

    Raises PatchError (or ValueError/TypeError for bad values) before anything is written."""
    src, dst = Path(src), Path(dst)
    report = PatchReport()
    try:
        zf = zipfile.ZipFile(src)
    except zipfile.BadZipFile as e:
        raise PatchError(f"{src} is not an .xlsx/.xlsm zip package (password-protected?): {e}") from None
    with zf:
        pkg = Package(zf)
        styles = Styles(pkg.read(pkg.styles_part) if pkg.styles_part and pkg.exists(pkg.styles_part) else None)
        formula_changed = False
        sheets: dict[str, tuple[bytes, int, int]] = {}  # rewritten worksheet parts, deflated
        for name, edit in edits.items():
            if name not in pkg.sheets:
                part = pkg.add_sheet(name)
                pkg.write(part, NEW_SHEET_XML)
                report.sheets_created.append(name)
            part = pkg.sheets[name]
            if part is None:
                raise PatchError(f"sheet {name!r} is a chart or dialog sheet, not a worksheet")
            if not edit.cells and edit.clear_rows_from is None:
                continue
            patcher = SheetPatcher(pkg.read(part), name, edit, styles, pkg.date1904, report)
            deflater = Deflater()
            try:
                changed_sheet = patcher.run(deflater.write)
            except BaseException:
                deflater.abandon()
                raise
            if changed_sheet:
                sheets[pkg.member(part)] = (deflater.finish(), deflater.crc, deflater.size)
                report.sheets_patched.append(name)
            else:
                deflater.abandon()
            formula_changed |= patcher.formula_changed
        if formula_changed:
            report.calc_chain_dropped = pkg.force_full_calc()
            report.full_calc_on_load = True
        new_styles = styles.to_bytes()
        if new_styles is not None:
            pkg.write(pkg.styles_part, new_styles)
            report.date_styles_added = len(styles.added_xfs)

        changed = {name: data for name, data in pkg.parts.items() if name not in sheets and (
                   name in pkg.added or data is not pkg.original[name] and data != pkg.original[name])}
        report.changed_members = sorted([*changed, *sheets, *pkg.dropped])
        tmp = write_atomic(src, dst, zf, pkg, changed, sheets)
    replace_atomic(tmp, src, dst)
    return report
