"""What receipts write beyond 发送记录: 短信状态 on the case rows, and the numbers that opted out.

Each 案件 row with an order id and a phone gets the vendor's word on the latest SMS the log holds for
that order and number: 已送达, 失败 and what to do (addin.messages.receipt_codes), or 等待回执. A failure
that says the buyer unsubscribed (退订 / 黑名单) puts the number on 退订名单, so no further SMS is queued
for it (SMS-5). Only our own cells are written: the 短信状态 column (added right of everything in use
when the sheet has none) and new rows below the 退订名单 list.
"""
from __future__ import annotations

import datetime as dt

from addin.core.parse import is_blank, to_phone, to_text
from addin.messages.history import STATUS_DELIVERED, STATUS_FAILED, STATUS_WAITING, mask_phone, phone_fingerprint
from addin.messages.receipt_codes import failure
from addin.workbook.files.xlsx_patch import SheetEdit
from addin.workbook.sheets.case_columns import RECEIPT_OUTPUTS
from addin.workbook.sheets.case_sheet import CaseSheetError, find_case_header, same_value
from addin.workbook.sheets.catalogue import OPTOUT, OPTOUT_SHEET_NAMES, find_sheet
from addin.workbook.sheets.protected import place_new_columns

RECEIPT_STATUSES = (STATUS_DELIVERED, STATUS_FAILED, STATUS_WAITING)
SMS_STATUS = RECEIPT_OUTPUTS[0]


def status_text(entry) -> str:
    """短信状态 for a log entry with a receipt: short plain Chinese, the next step included."""
    kind = f" ({entry.kind})" if entry.kind else ""
    if entry.status == STATUS_DELIVERED:
        when = f" {entry.receipt_at:%m-%d %H:%M}" if entry.receipt_at else ""
        return f"已送达{when}{kind}"
    if entry.status == STATUS_FAILED:
        why = failure(entry.code)
        return f"失败: {why.zh}, {why.action}{kind}"
    return f"等待回执{kind}"


def _latest_receipts(log) -> dict[tuple[str, str], object]:
    """(order id, phone fingerprint) -> the log entry of the latest SMS that has a receipt."""
    out: dict = {}
    for e in log.entries:
        if e.order_id and e.status in RECEIPT_STATUSES and e.receipt_at is not None:
            key = (e.order_id, e.phone_fp)
            old = out.get(key)
            if old is None or (e.at, e.row or 0) >= (old.at, old.row or 0):
                out[key] = e
    return out


def case_status_edits(book, opted_out: dict[str, str], source: str,
                      now: dt.datetime) -> tuple[dict[str, SheetEdit], int, list[str]]:
    """(edits, case rows changed, masked numbers added to 退订名单) for the book after a receipt import."""
    edits: dict[str, SheetEdit] = {}
    changed = 0
    latest = _latest_receipts(book.log)
    grid = book.grids.get(book.case) or []
    try:
        header = find_case_header(grid)
    except CaseSheetError:
        header = None              # recalc reports the sheet; the log is written anyway
    order_col = header.inputs.get("order_id") if header else None
    phone_col = header.inputs.get("phone") if header else None
    if latest and order_col and phone_col:
        cells: dict[tuple[int, int], object] = {}
        col = header.receipt_outputs.get(SMS_STATUS.key)
        wanted: dict[int, str] = {}
        for r in range(header.row + 1, len(grid) + 1):
            values = grid[r - 1]
            order = values[order_col - 1] if order_col <= len(values) else None
            phone = values[phone_col - 1] if phone_col <= len(values) else None
            if is_blank(order) or is_blank(phone):
                continue
            entry = latest.get((to_text(order), phone_fingerprint(to_phone(phone))))
            if entry is not None:
                wanted[r] = status_text(entry)
        table_columns = {}
        if wanted and col is None:
            place = place_new_columns(grid, header, book.layout, [SMS_STATUS.header])
            col = place.start
            cells[(header.row, col)] = SMS_STATUS.header
            table_columns = place.table_columns
        for r, text in wanted.items():
            values = grid[r - 1]
            old = values[col - 1] if col <= len(values) else None
            if not same_value(old, text):
                cells[(r, col)] = text
                changed += 1
        if changed:
            edits[book.case] = SheetEdit(cells=cells, table_columns=table_columns)
    added = _optout_edit(book, opted_out, source, now, edits)
    return edits, changed, added


def _optout_edit(book, opted_out: dict[str, str], source: str, now: dt.datetime, edits: dict) -> list[str]:
    """New 退订名单 rows for numbers a receipt said opted out (those not on the list yet)."""
    new = [p for p in opted_out if to_phone(p) not in book.opted_out]
    if not new:
        return []
    name = find_sheet(book.names, OPTOUT_SHEET_NAMES) or OPTOUT.name
    grid = book.grids.get(name) or []
    cells: dict[tuple[int, int], object] = {}
    used = max((r for r, row in enumerate(grid, start=1) if any(not is_blank(v) for v in row)), default=0)
    if used == 0:
        cells.update({(1, c): h for c, h in enumerate(OPTOUT.header, start=1)})
        used = 1
    for i, phone in enumerate(new, start=used + 1):
        code = opted_out[phone]
        cells.update({(i, 1): phone, (i, 2): now, (i, 3): f"短信回执 {source}" + (f" ({code})" if code else "")})
    edits[name] = SheetEdit(cells=cells)
    return [mask_phone(p) for p in new]
