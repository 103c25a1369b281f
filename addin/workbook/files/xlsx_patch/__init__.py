"""Lossless write-back of cell values into an .xlsx/.xlsm.

Only the XML part of each edited worksheet is rewritten; every other zip member is copied with its
compressed bytes untouched. That keeps what openpyxl loses on a round trip (VBA, form controls,
x14 data bars, sparklines, note shapes...). A few other parts change only when they must, and the
report says so: styles.xml (a date style for a datetime written into a non-date cell), calcChain.xml
dropped + fullCalcOnLoad (a formula was overwritten or deleted), workbook.xml alone for
fullCalcOnLoad when the caller asks for it (full_calc_on_load=True; once: not again while the flag is
set), workbook.xml/rels/[Content_Types] (a new sheet, or the calcChain drop).

The sheet XML is patched as bytes (find/regex), never parsed into a DOM: unchanged stretches are
copied as slices, edited cells are located by their reference, and the new part is deflated on a
worker thread while the rows are being patched. See bench/patch_bench.py for timings.

One module per job, as in XlsxWriter:
  edits.py     SheetEdit / PatchReport / PatchError: what is asked and what was done
  refs.py      A1 references (col_letter)                  xmlbytes.py  attribute and escaping helpers
  values.py    values as cell XML              formulas.py  shift_formula, shared-formula groups
  styles.py    styles.xml date styles          sheet.py     one worksheet's rows and cells
  package.py   OPC parts, rels, content types, calcChain
  zipcopy.py   the zip writer, temp file and atomic replace
  stream.py    a sheet inflated in chunks of whole rows, and deflated back as they come
  patch.py     patch_workbook, which puts them together
"""
from .edits import CellValue, Formula, PatchError, PatchReport, SheetEdit, StreamedSheet
from .formulas import shift_formula
from addin.core.gcpause import gc_paused
from .patch import patch_workbook
from .refs import MAX_COL, MAX_ROW, col_letter

__all__ = ["CellValue", "Formula", "MAX_COL", "MAX_ROW", "PatchError", "PatchReport", "SheetEdit", "StreamedSheet", "col_letter",
           "gc_paused", "patch_workbook", "shift_formula"]
