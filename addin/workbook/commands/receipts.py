"""`aftersales receipts BOOK FILE`: the vendor's 发送记录 / 回执 file fills the statuses in 发送记录 and 案件.

The file is a .csv (UTF-8, with or without BOM, or GBK as Excel on a Chinese Windows saves it) or an
.xlsx/.xls, with a header row naming the columns: 阿里云's QuerySendDetails / SmsReport field names or its
console's Chinese headers, 腾讯云's PullSmsSendStatus / callback field names
(:data:`addin.messages.aliyun.RECEIPT_COLUMNS`). 腾讯云's +86 numbers and Unix-second times are read as
such. Each receipt is matched to the log:

1. by phone + text (the received text, signature included, is what 阿里云 reports as Content);
2. else by phone + TemplateCode, the latest entry still waiting for a receipt;
3. else (腾讯云 reports neither) by phone: the latest entry still waiting, or the one this very
   receipt already settled.

A matched entry gets the status (成功 / 失败 / 等待回执), the carrier code (DELIVERED / DELIVRD, or why
it failed) and the receipt time. A final status (成功 / 失败) is never replaced by a non-final one or by
an older receipt. A receipt that matches nothing is reported and added to the log as its own row
(batch 回执导入, known by its serial number or times), so nothing is lost, SMS-8's caps count what the
vendor sent outside this book, and importing it again finds it instead of adding it twice.

Then each case row with a receipt gets 短信状态: 已送达, or 失败 and what to do (空号 → 核对手机号;
退订 → the number is added to 退订名单; 频控 → 明天再发; see addin.messages.receipt_codes).
Importing the same file twice changes nothing the second time.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from addin.core.parse import CellError, is_blank, to_datetime, to_phone, to_text
from addin.messages.aliyun import RECEIPT_COLUMNS
from addin.messages.history import STATUS_DELIVERED, STATUS_FAILED, fingerprint, mask_phone, phone_fingerprint
from addin.messages.receipt_codes import OPTOUT, failure, receipt_status
from addin.workbook.commands.importer.files import ExportFileError, decode_text, long_csv_fields
from addin.workbook.commands.receipt_case import case_status_edits

from addin.workbook.commands.outbox import LogState, write_log
from addin.workbook.files.reader import read_workbook, sheet_names
from addin.workbook.sheets.catalogue import IMPORT, find_sheet, normalise_header
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
    case_rows: int = 0                                              # 案件 rows whose 短信状态 changed
    opted_out: list[str] = field(default_factory=list)              # numbers added to 退订名单 (masked)


def read_receipt_file(path: Path) -> list[list]:
    """The file's rows; a file that cannot be read is a ReceiptFileError naming it (never 内部错误)."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        try:
            names = sheet_names(path)
            return read_workbook(path, names[:1])[names[0]]
        except Exception as exc:          # a damaged or mislabelled file: the reader says why
            raise ReceiptFileError(f"回执文件 {path.name} 无法作为表格读取: {exc}",
                                   f"the receipt file {path.name} cannot be read as a spreadsheet: {exc}") from None
    try:                                  # the encodings the platforms' exports come in, read the same way
        text = decode_text(path.name, path.read_bytes())
    except ExportFileError:
        raise ReceiptFileError(f"无法识别回执文件的编码: {path.name}",
                               f"cannot read the receipt file's encoding: {path.name}") from None
    try:
        with long_csv_fields():           # a field may be long (a full SMS text, or junk)
            return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ReceiptFileError(f"回执文件 {path.name} 不是可读的 CSV: {exc}; 请从控制台重新下载",
                               f"the receipt file {path.name} is not a readable CSV: {exc}; download it again") from None


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


_CHINA = dt.timezone(dt.timedelta(hours=8))


def _time(value) -> dt.datetime | None:
    """A receipt time: a date-time cell or text, or Unix seconds (腾讯云's UserReceiveTime) or
    milliseconds, as China time."""
    if is_blank(value):
        return None
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None and isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is not None and 1e9 <= number < 1e13:
        seconds = number / 1000 if number >= 1e11 else number
        return dt.datetime.fromtimestamp(seconds, _CHINA).replace(tzinfo=None)
    try:
        return to_datetime(value)[0]
    except (CellError, ValueError, TypeError, OverflowError):
        return None


def import_receipts(book_path: str | Path, receipt_path: str | Path | None = None, *, wait: float = 0.0,
                    now: dt.datetime | None = None) -> ReceiptReport:
    """Match every receipt to the send log and write the statuses (发送记录, 案件's 短信状态, 退订名单),
    in one guarded session on the book. No receipt_path: the rows pasted into the book's 导入 sheet."""
    grid, name = (None, None) if receipt_path is None else (read_receipt_file(Path(receipt_path)), Path(receipt_path).name)
    if grid is not None:
        _columns(grid)                  # a file that is no receipt file is refused before the book is opened
    now = now or dt.datetime.now().replace(microsecond=0)
    with open_book(book_path, wait=wait, command="receipts", out_hint=False) as session:
        if grid is None:
            grid, name = pasted_receipts(session)
        return apply_receipts(session, grid, name, now)


def pasted_receipts(session) -> tuple[list[list], str]:
    """(rows, name) of a receipt file pasted into the book's 导入 sheet, header included."""
    sheet = find_sheet(session.sheet_names, IMPORT.aliases)
    if sheet is None:
        raise ReceiptFileError(f"工作簿里没有「{IMPORT.name}」表: 请新建它, 把回执文件的内容(含表头)粘贴到A1",
                               f"no {IMPORT.name} sheet in the book: add one and paste the receipts, header included")
    grid = session.read([sheet])[sheet]
    try:
        _columns(grid)
    except ReceiptFileError:
        raise ReceiptFileError(f"「{sheet}」表里不是短信回执 (找不到「手机号码」和「发送状态」列): 请把回执文件的内容(含表头)粘贴到A1",
                               f"the {sheet} sheet holds no SMS receipts (no phone and status columns): paste the "
                               f"receipt file, header included, at A1") from None
    return grid, f"「{sheet}」表"


def apply_receipts(session, grid: list[list], name: str, now: dt.datetime) -> ReceiptReport:
    """The receipts of `grid` (a file's or pasted rows) on an open session: a saved file's, or the Excel
    book behind the 导入回执 button (addin.excel.session)."""
    head, cols = _columns(grid)
    return _apply(grid, head, cols, name, session, now)


@dataclass
class _Receipt:
    row: int
    phone: str
    status: str
    code: str | None
    at: dt.datetime | None
    sent_at: dt.datetime | None
    content: str | None
    template: str
    serial: str

    @property
    def own_fp(self) -> str:
        """How a receipt that matched no message is known in the log (its text, else its serial or times)."""
        if self.content:
            return fingerprint(self.content.strip())
        return fingerprint(f"回执|{self.serial}|{self.template}|{self.sent_at or ''}")


def _read(row: list, r: int, cols: dict[str, int], report: ReceiptReport) -> _Receipt | None:
    def get(key):
        c = cols.get(key)
        return row[c] if c is not None and c < len(row) and not is_blank(row[c]) else None

    def text(key):
        v = get(key)
        return to_text(v).strip() if v is not None else None
    phone = to_phone(get("phone") or "")
    if len(phone) < 7:
        report.skipped.append((r, "没有手机号 / no phone number"))
        return None
    code, message = text("code"), text("message")
    status = receipt_status(get("status"), code, message)
    if status is None:
        report.skipped.append((r, "没有发送状态 / no status"))
        return None
    if status == STATUS_DELIVERED:
        code = code or message
    elif code is None or (message and status == STATUS_FAILED and code.upper() in ("FAIL", "")):
        code = message
    return _Receipt(r, phone, status, code, _time(get("received_at")) or _time(get("sent_at")), _time(get("sent_at")),
                    text("content"), text("template") or "", text("serial") or "")


def _apply(grid, head: int, cols: dict[str, int], source: str, session, now: dt.datetime) -> ReceiptReport:
    book = load_book(session)
    log, show = book.log, book.settings.display
    by_text: dict[tuple[str, str], list[LogEntry]] = {}
    by_template: dict[tuple[str, str], list[LogEntry]] = {}
    by_phone: dict[str, list[LogEntry]] = {}

    def index(e: LogEntry) -> None:
        by_text.setdefault((e.phone_fp, e.text_fp), []).append(e)
        by_template.setdefault((e.phone_fp, e.template), []).append(e)
        by_phone.setdefault(e.phone_fp, []).append(e)
    for e in log.entries:
        index(e)
    report = ReceiptReport()
    new: list[LogEntry] = []
    opted_out: dict[str, str] = {}                  # number -> why (a receipt said 退订 / 黑名单)
    for r, row in enumerate(grid[head + 1:], start=head + 2):
        if all(is_blank(v) for v in row):
            continue
        report.rows += 1
        rec = _read(row, r, cols, report)
        if rec is None:
            continue
        phone_fp = phone_fingerprint(rec.phone)
        if rec.status == STATUS_FAILED and failure(rec.code).id == OPTOUT.id:
            opted_out.setdefault(rec.phone, rec.code or "")
        entry = _match(by_text, by_template, by_phone, phone_fp, rec)
        if entry is None:
            report.unknown.append((r, mask_phone(rec.phone)))
            entry = LogEntry(batch=IMPORT_BATCH, at=rec.sent_at or rec.at or now,
                             phone=mask_phone(rec.phone), phone_fp=phone_fp, order_id=None, kind="",
                             template=rec.template, signature=None, text_fp=rec.own_fp, status=rec.status,
                             code=rec.code, receipt_at=rec.at or now,
                             note=show.pair(f"回执文件 {source} 第{r}行, 发送记录中没有",
                                            f"receipt row {r} not in this log"))
            new.append(entry)
            index(entry)
            continue
        report.matched += 1
        at = rec.at or entry.receipt_at or now    # no time in the file: the import's, so it reads as a receipt
        if _settles(entry, rec) and (entry.status, entry.code, entry.receipt_at) != (rec.status, rec.code, at):
            log.update(entry, status=rec.status, code=rec.code, receipt_at=at)
            report.updated += 1
    for entry in new:
        log.add(entry)
    edits, report.case_rows, report.opted_out = case_status_edits(book, opted_out, source, now)
    write_log(session, log, [], report, edits)
    return report


def _settles(entry: LogEntry, rec: _Receipt) -> bool:
    """Whether this receipt may change the entry: a final status is never replaced by a non-final one,
    nor by a receipt older than the one that settled it."""
    if entry.status not in FINAL:
        return True
    if rec.status not in FINAL:
        return False
    return rec.at is None or entry.receipt_at is None or rec.at >= entry.receipt_at


def _latest(entries: list[LogEntry]) -> LogEntry:
    """The entry a receipt is for: one still without a final status first, then the latest."""
    return max(entries, key=lambda e: (e.status not in FINAL, e.at, e.row or 0))


def _match(by_text, by_template, by_phone, phone_fp: str, rec: _Receipt) -> LogEntry | None:
    content, template = rec.content, rec.template
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
    if content:
        return None
    own = by_text.get((phone_fp, rec.own_fp))
    if own:
        return own[-1]
    hits = by_phone.get(phone_fp, [])
    waiting = [e for e in hits if e.status not in FINAL]
    if waiting:
        return _latest(waiting)
    # re-imported: the entry this very receipt settled before
    same = [e for e in hits if (e.status, e.code) == (rec.status, rec.code) and (rec.at is None or e.receipt_at == rec.at)]
    return _latest(same) if same else None
