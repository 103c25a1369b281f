"""The staff workbook, in three floors, each using only the ones below it:

* files/: bytes on disk. The fast reader (calamine), the guarded session every command reads and writes a
  book through (lock, one read, atomic patch), and the lossless writer (xlsx_patch).
* sheets/: the workbook's sheets. One catalogue of their names and fixed headers, the 案件 columns and the
  row <-> Case conversion, what a writer must leave alone, the settings sheets, the new-workbook builder.
* commands/: what staff run, on the command line and through the buttons: compute (the one step every
  command takes), recalc, texts, run, outbox, receipts, send, upgrade, import.
"""
