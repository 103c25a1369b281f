"""`aftersales receipts BOOK FILE`: the vendor's 发送记录 / 回执 export fills the statuses in 发送记录.

The file is a .csv (UTF-8, with or without BOM, or GBK as Excel on a Chinese Windows saves it) or an
.xlsx/.xls, with a header row naming the columns (QuerySendDetails' field names or the console's
Chinese headers, :data:`addin.messages.aliyun.RECEIPT_COLUMNS`). Each receipt is matched to the log:

1. by phone + text (the received text, signature included, is what the vendor reports as Content);
2. else by phone + TemplateCode, the latest entry still waiting for a receipt.

A matched entry gets the status (成功 / 失败 / 等待回执), the carrier code (DELIVERED, or why it failed)
and the receipt time. A receipt that matches nothing is reported and added to the log as its own row
(batch 回执导入), so nothing is lost and SMS-8's caps count what the vendor sent outside this book.
Importing the same file twice changes nothing the second time.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from addin.core.parse import CellError, is_blank, to_datetime, to_phone, to_text
from addin.messages.aliyun import RECEIPT_COLUMNS, receipt_status
from addin.messages.history import STATUS_DELIVERED, STATUS_FAILED, fingerprint, mask_phone, phone_fingerprint

from addin.workbook.commands.outbox import LogState, write_log
from addin.workbook.files.reader import read_workbook, sheet_names
from addin.workbook.sheets.catalogue import normalise_header
from addin.workbook.sheets.send_log import LogEntry
from addin.workbook.files.session import open_book
from addin.workbook.commands.texts import load_book
from addin.core.errors import BilingualError

FINAL = (STATUS_DELIVERED, STATUS_FAILED)
IMPORT_BATCH = "回执导入"


class ReceiptFileError(BilingualError, ValueError):
    """The receipt file cannot be read at all; nothing is written."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en, "bad_receipts")


@dataclass
class ReceiptReport(LogState):
    rows: int = 0
    matched: int = 0
    updated: int = 0
    unknown: list[tuple[int, str]] = field(default_factory=list)    # (file row, masked phone)
    skipped: list[tuple[int, str]] = field(default_factory=list)    # (file row, why) rows without a phone


def read_receipt_file(path: Path) -> list[list]:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        names = sheet_names(path)
        return read_workbook(path, names[:1])[names[0]]
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReceiptFileError(f"无法识别回执文件的编码: {path.name}", f"cannot read the receipt file's encoding: {path.name}")
    return [row for row in csv.reader(text.splitlines())]


def _columns(grid: list[list]) -> tuple[int, dict[str, int]]:
    """(header row index, key -> column index) from the first row that names a phone column."""
    lookup = {normalise_header(alias): key for key, aliases in RECEIPT_COLUMNS.items() for alias in aliases}
    for r, row in enumerate(grid[:20]):
        found: dict[str, int] = {}
        for c, value in enumerate(row):
            key = lookup.get(normalise_header(value))
            if key and key not in found:
                found[key] = c
        if "phone" in found and ("status" in found or "code" in found):
            return r, found
    raise ReceiptFileError("回执文件里找不到「手机号码」和「发送状态」或「错误码」列",
                           "the receipt file has no phone column together with a status or error-code column")


def _time(value) -> dt.datetime | None:
    if is_blank(value):
        return None
    try:
        return to_datetime(value)[0]
    except (CellError, ValueError, TypeError):
        return None


def import_receipts(book_path: str | Path, receipt_path: str | Path, *, wait: float = 0.0) -> ReceiptReport:
    """Match every receipt to the send log and write the statuses, in one guarded session on the book."""
    receipt_path = Path(receipt_path)
    grid = read_receipt_file(receipt_path)
    head, cols = _columns(grid)
    with open_book(book_path, wait=wait, command="receipts", out_hint=False) as session:
        return _apply(grid, head, cols, receipt_path, session)


def _apply(grid, head: int, cols: dict[str, int], receipt_path: Path, session) -> ReceiptReport:
    book = load_book(session)
    log, show = book.log, book.settings.display
    by_text: dict[tuple[str, str], list[LogEntry]] = {}
    by_template: dict[tuple[str, str], list[LogEntry]] = {}
    for e in log.entries:
        by_text.setdefault((e.phone_fp, e.text_fp), []).append(e)
        by_template.setdefault((e.phone_fp, e.template), []).append(e)
    report = ReceiptReport()
    new: list[LogEntry] = []
    for r, row in enumerate(grid[head + 1:], start=head + 2):
        def get(key):
            c = cols.get(key)
            return row[c] if c is not None and c < len(row) and not is_blank(row[c]) else None
        if all(is_blank(v) for v in row):
            continue
        report.rows += 1
        phone = to_phone(get("phone") or "")
        if len(phone) < 7:
            report.skipped.append((r, "没有手机号 / no phone number"))
            continue
        status = receipt_status(get("status"), get("code"))
        if status is None:
            report.skipped.append((r, "没有发送状态 / no status"))
            continue
        phone_fp = phone_fingerprint(phone)
        content = to_text(get("content")) if get("content") is not None else None
        template = to_text(get("template")) if get("template") is not None else ""
        code = to_text(get("code")) if get("code") is not None else None
        at = _time(get("received_at")) or _time(get("sent_at"))
        entry = _match(by_text, by_template, phone_fp, content, template)
        if entry is None:
            report.unknown.append((r, mask_phone(phone)))
            entry = LogEntry(batch=IMPORT_BATCH, at=_time(get("sent_at")) or at or dt.datetime.now().replace(microsecond=0),
                             phone=mask_phone(phone), phone_fp=phone_fp, order_id=None, kind="",
                             template=template, signature=None, text_fp=fingerprint(content or ""), status=status,
                             code=code, receipt_at=at, note=show.pair(f"回执文件 {receipt_path.name} 第{r}行, 发送记录中没有",
                                                            f"receipt row {r} not in this log"))
            new.append(entry)
            by_text.setdefault((phone_fp, entry.text_fp), []).append(entry)
            by_template.setdefault((phone_fp, template), []).append(entry)
            continue
        report.matched += 1
        if (entry.status, entry.code, entry.receipt_at) != (status, code, at):
            log.update(entry, status=status, code=code, receipt_at=at)
            report.updated += 1
    write_log(session, log, new, report)
    return report


def _latest(entries: list[LogEntry]) -> LogEntry:
    """The entry a receipt is for: one still without a final status first, then the latest."""
    return max(entries, key=lambda e: (e.status not in FINAL, e.at, e.row or 0))


def _match(by_text, by_template, phone_fp: str, content: str | None, template: str) -> LogEntry | None:
    if content:
        hits = by_text.get((phone_fp, fingerprint(content.strip())))
        if hits:
            return _latest(hits)
    if template:
        hits = by_template.get((phone_fp, template), [])
        waiting = [e for e in hits if e.status not in FINAL]
        if waiting or (hits and not content):
            return _latest(waiting or hits)
    return None
