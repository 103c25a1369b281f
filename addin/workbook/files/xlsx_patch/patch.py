"""patch_workbook: the entry point that puts the parts together (like XlsxWriter's packager).

Two steps, so that a caller can check things between them (addin.workbook.files.session checks the book on
disk is still the one it read): :func:`write_patched` writes the new package to a temp file beside
the destination, and :meth:`PatchedFile.commit` renames it into place.
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .edits import PatchError, PatchReport, SheetEdit, UnsupportedWorkbook
from .package import Package, new_sheet_xml
from .sheet import SheetPatcher
from .stream import STREAM_LEVEL
from .styles import Styles
from .tables import extend_table_rows, grow_table, parse_table, sheet_tables
from .xmlbytes import STRICT_NS
from .zipcopy import Deflater, discard_temp, replace_atomic, write_atomic

FAST_DEFLATE_BYTES = 4 << 20      # sheets of this much XML or more are deflated at STREAM_LEVEL


@dataclass
class PatchedFile:
    """The patched workbook, written and fsynced beside its destination but not yet in place."""
    tmp: str
    dst: Path
    report: PatchReport

    def commit(self) -> None:
        """Rename into place (atomic); the temp file is removed if that fails."""
        replace_atomic(self.tmp, self.dst)

    def discard(self) -> None:
        discard_temp(self.tmp)


def patch_workbook(src: str | os.PathLike, dst: str | os.PathLike, edits: dict[str, SheetEdit], *,
                   full_calc_on_load: bool = False) -> PatchReport:
    """Write `edits` into a copy of workbook `src` saved atomically as `dst` (which may be `src`).

    full_calc_on_load: also make Excel recalculate every formula when it opens the file (the values the
    formulas read changed, e.g. a 汇总 sheet over the computed columns); see :func:`write_patched`.
    The raw writer: no lock or concurrency checks (staff books go through addin.workbook.files.session).
    The source is read through one open file handle. Raises PatchError (or ValueError/TypeError for
    bad values) before anything is written."""
    src, dst = Path(src), Path(dst)
    with open(src, "rb") as fp:
        mode = stat.S_IMODE(os.stat(dst).st_mode if dst.exists() else os.fstat(fp.fileno()).st_mode)
        written = write_patched(fp, dst, edits, mode=mode, source_name=str(src), full_calc_on_load=full_calc_on_load)
    written.commit()
    return written.report


def write_patched(src: BinaryIO, dst: Path, edits: dict[str, SheetEdit], *, mode: int | None = None,
                  source_name: str = "the workbook", cache: dict[str, bytes] | None = None,
                  full_calc_on_load: bool = False, styles: Styles | None = None,
                  book_id: str | None = None) -> PatchedFile:
    """Read the workbook from the binary file object `src` and write the patched package to a temp file
    beside `dst` (with permission bits `mode`). Nothing is renamed yet. `cache`: parts of this same
    source already inflated (see Package).

    A formula written or removed drops calcChain and sets calcPr fullCalcOnLoad="1". `full_calc_on_load`
    sets only the flag (calcChain still lists the same formula cells): workbook.xml changes the first
    time, and not again while the flag is there, so a second run writes the same bytes. `styles`: the
    book's styles as a streamed sheet's writer left them (see SheetEdit.streamed). `book_id`: add the
    book's identity (a custom document property) to a book that has none."""
    report = PatchReport()
    check_container(src, source_name)
    try:
        zf = zipfile.ZipFile(src)
    except zipfile.BadZipFile as e:
        raise PatchError(f"{source_name} is not an .xlsx/.xlsm zip package: {e}") from None
    with zf:
        pkg = Package(zf, cache)
        styles_xml = pkg.read(pkg.styles_part) if pkg.styles_part and pkg.exists(pkg.styles_part) else None
        if styles is None:
            styles = Styles(styles_xml)
        formula_changed = False
        sheets: dict[str, tuple[bytes, int, int]] = {}  # rewritten worksheet parts, deflated
        for name, edit in edits.items():
            if name not in pkg.sheets:
                part = pkg.add_sheet(name, hidden=edit.new_sheet_hidden)
                pkg.write(part, new_sheet_xml(edit.new_sheet_widths))
                report.sheets_created.append(name)
            part = pkg.sheets[name]
            if part is None:
                raise PatchError(f"sheet {name!r} is a chart or dialog sheet, not a worksheet")
            if edit.table_columns or edit.table_rows:
                _grow_tables(pkg, part, edit, report)
            if edit.streamed is not None:
                done = edit.streamed
                sheets[pkg.member(part)] = (done.payload, done.crc, done.size)
                report.sheets_patched.append(name)
                report.cells_written += done.cells_written
                continue
            if not edit.cells and edit.clear_rows_from is None:
                continue
            xml = pkg.read(part)
            patcher = SheetPatcher(xml, name, edit, styles, pkg.date1904, report)
            # A big sheet is deflated fast, as the streamed recalc does (fast_deflate: ISA-L or zlib's level 1).
            deflater = Deflater(STREAM_LEVEL) if len(xml) >= FAST_DEFLATE_BYTES else Deflater()
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
        elif full_calc_on_load:
            pkg.set_full_calc_on_load()
            report.full_calc_on_load = True
        if book_id is not None:               # the book's identity, set once (addin.workbook.files.book_id)
            from addin.workbook.files.book_id import set_book_id
            set_book_id(pkg, book_id)
        new_styles = styles.to_bytes()
        if new_styles is not None:
            pkg.write(pkg.styles_part, new_styles)
            report.date_styles_added = len(styles.added_xfs)

        changed = {name: data for name, data in pkg.parts.items() if name not in sheets and (
                   name in pkg.added or data is not pkg.original[name] and data != pkg.original[name])}
        report.changed_members = sorted([*changed, *sheets, *pkg.dropped])
        tmp = write_atomic(src, dst, zf, pkg, changed, sheets, mode)
    return PatchedFile(tmp, dst, report)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_container(src: BinaryIO, source_name: str = "the workbook") -> None:
    """Valid files of another kind are said as such: a password-protected .xlsx is an OLE compound
    file holding an EncryptedPackage stream (MS-OFFCRYPTO); any other OLE file is an Excel 97-2003 .xls."""
    src.seek(0)
    head = src.read(1 << 16)
    if head[:4] == _OLE_MAGIC[:4]:
        head += src.read()                  # the directory sector may lie anywhere in the file
    src.seek(0)
    if head[:4] == _OLE_MAGIC[:4]:
        if "EncryptedPackage".encode("utf-16-le") in head:
            raise UnsupportedWorkbook(f"{source_name} is password-protected (encrypted); not supported: "
                                      "remove the password in Excel first")
        raise UnsupportedWorkbook(f"{source_name} is an Excel 97-2003 (.xls) or other OLE file; "
                                  "save it as .xlsx or .xlsm")
    if not head:
        raise PatchError(f"{source_name} is empty (0 bytes)")


def check_workbook(src: BinaryIO, source_name: str = "the workbook") -> None:
    """Raise UnsupportedWorkbook for a valid file of a kind this writer does not handle (encrypted,
    .xls, .xlsb, .ods, Strict Open XML) and PatchError for a damaged package; return for a workbook
    whose package parts can be read. Sheet XML is checked when it is read and written."""
    check_container(src, source_name)
    try:
        zf = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, EOFError) as e:
        raise PatchError(f"{source_name} is not an .xlsx/.xlsm zip package (damaged, or another kind of "
                         f"file): {e}") from None
    with zf:
        names = {n.lower() for n in zf.namelist()}
        if "mimetype" in names and zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
            raise UnsupportedWorkbook(f"{source_name} is an OpenDocument spreadsheet (.ods); save it as .xlsx")
        if "xl/workbook.bin" in names:
            raise UnsupportedWorkbook(f"{source_name} is an Excel binary workbook (.xlsb); save it as .xlsx or .xlsm")
        pkg = Package(zf)
        if STRICT_NS in pkg.read(pkg.wb_part)[:4096]:
            raise UnsupportedWorkbook(f"{source_name} is saved as Strict Open XML, which is not supported; "
                                      "save it as an ordinary Excel Workbook (.xlsx)")
    src.seek(0)


def _grow_tables(pkg: Package, sheet_part: str, edit: SheetEdit, report: PatchReport) -> None:
    tables = {t.name: t for t in sheet_tables(pkg, sheet_part)}
    for name in {**edit.table_columns, **edit.table_rows}:
        columns, last_row = edit.table_columns.get(name), edit.table_rows.get(name)
        table = tables.get(name)
        if table is None:
            raise PatchError(f"the sheet has no Table named {name!r}")
        xml = pkg.read(table.part)
        if columns:
            header = {c: v for (r, c), v in edit.cells.items() if r == table.ref[0]}
            xml = grow_table(xml, table, columns, header)
            table = parse_table(xml, table.part)
        if last_row:
            xml = extend_table_rows(xml, table, last_row)
        if xml is not pkg.read(table.part):
            pkg.write(table.part, xml)
            report.tables_grown.append(name)
