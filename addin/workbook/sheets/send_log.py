"""The 发送记录 (send log) sheet, and the journal file that makes it crash-safe.

Every SMS that `aftersales outbox` exported or `aftersales send` sent gets one row: batch id, time,
the phone number masked (138****8000) plus a fingerprint of the full number, order id, kind,
TemplateCode, signature, a fingerprint of the final text, the status (已导出, 已发送, 成功, 失败 …)
and the vendor's receipt code. The fingerprints (:mod:`addin.messages.history`) are what matches a
receipt file and what stops a message from going out twice.

A workbook can only be replaced whole, and Excel may open it while a command works. So each command
(in one guarded session on the book, addin.workbook.files.session: refused up front when Excel already has
it open) first appends its entries to a journal beside the book (``BOOK.xlsx.sendlog.jsonl``, one
JSON object a line, flushed and fsynced per request), then writes the sheet through the session, then
deletes the journal. Whatever stops it in between (a crash, a killed process, Excel opening or saving
the book meanwhile: then every new or changed entry is journalled), the next command that reads the
log merges the journal first: entries already on the sheet are not added twice,
and a request that was started but never answered (发送中) becomes 未确认: it may have gone, so it is
never sent again automatically; the vendor's receipts settle it.

Only this sheet's own columns are written: new rows are appended below the last used row, receipts
update the status cells of existing rows, and columns staff add to the right are never touched.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from addin.messages.history import STATUS_SENDING, STATUS_UNCONFIRMED, SendHistory
from addin.messages.sms import resolve_kind

from addin.core.display import Display
from addin.core.parse import is_blank, to_text
from addin.workbook.files.book_id import read_book_id
from addin.workbook.sheets.catalogue import LOG_SHEET_NAMES, SEND_LOG, find_sheet, normalise_header

# (attribute, header): the sheet's columns, found by header (any order; missing ones are added).
LOG_COLUMNS = (
    ("batch", "批次号"), ("at", "时间"), ("phone", "手机号"), ("phone_fp", "号码指纹"), ("order_id", "订单号"),
    ("kind", "短信类型"), ("template", "模板CODE"), ("signature", "短信签名"), ("text_fp", "内容指纹"),
    ("status", "状态"), ("code", "回执代码"), ("receipt_at", "回执时间"), ("planned", "计划发送时间"),
    ("note", "说明"),
)
LOG_HEADER = tuple(h for _, h in LOG_COLUMNS)
_BY_HEADER = {normalise_header(h): a for a, h in LOG_COLUMNS}


@dataclass
class LogEntry:
    batch: str
    at: dt.datetime
    phone: str                      # masked, 138****8000
    phone_fp: str
    order_id: str | None
    kind: str                       # Chinese kind name, e.g. 催付
    template: str                   # vendor TemplateCode; blank for a text that came from a Jinja2 template
    signature: str | None
    text_fp: str
    status: str
    code: str | None = None         # vendor code: BizId / error code / receipt ErrCode
    receipt_at: dt.datetime | None = None
    planned: dt.datetime | None = None
    note: str | None = None
    row: int | None = None          # sheet row, for entries read from the sheet

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return self.batch, self.phone_fp, self.template_key, self.text_fp

    @property
    def template_key(self) -> str:
        """The template a message was sent with: the TemplateCode, else the kind id."""
        if self.template:
            return self.template
        try:
            return resolve_kind(self.kind).id
        except ValueError:
            return self.kind

    def to_json(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "row"}
        for k in ("at", "receipt_at", "planned"):
            out[k] = out[k].isoformat() if out[k] else None
        return out

    @classmethod
    def from_json(cls, data: dict) -> "LogEntry":
        known = {f.name for f in fields(cls)} - {"row"}
        values = {k: v for k, v in data.items() if k in known}
        for k in ("at", "receipt_at", "planned"):
            values[k] = dt.datetime.fromisoformat(values[k]) if values.get(k) else None
        return cls(**values)


def journal_path(book: str | os.PathLike, book_id: str | None = None) -> Path:
    """The journal beside the real book file (a symlinked book has one journal, beside its target), named
    after the book's identity (addin.workbook.files.book_id, read from the file when not given), so a copy
    saved under another name in the same folder finds it; a book without an id yet: after its file name."""
    book = Path(book).resolve()
    book_id = book_id or read_book_id(book)
    if book_id:
        return book.with_name(f".aftersales-{book_id}.sendlog.jsonl")
    return legacy_journal_path(book)


def legacy_journal_path(book: str | os.PathLike) -> Path:
    """The journal of a book without an id (and of every book before ids): its file name + .sendlog.jsonl."""
    book = Path(book).resolve()
    return book.with_name(book.name + ".sendlog.jsonl")


def _cell_time(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str) and value.strip():
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _cell_text(value) -> str | None:
    return None if is_blank(value) else to_text(value)


class SendLog:
    """The log as read from the sheet plus the journal; collects what a command adds or changes."""

    def __init__(self, grid: list[list] | None, journal: Path, sheet: str | None = None, show: Display = Display(),
                 older_journals: list[Path] = ()):
        grid = grid or []
        self.sheet = sheet or SEND_LOG.name
        self.show = show                           # how notes this log writes are worded (显示语言)
        self.journal = journal
        self.older_journals = list(older_journals)  # read and removed with it (the name-keyed journal)
        self.columns: dict[str, int] = {}          # attribute -> 1-based column
        self.entries: list[LogEntry] = []
        self._dirty: dict[int, LogEntry] = {}      # id(entry) -> entry: rows to (re)write
        for c, head in enumerate(grid[0] if grid else [], start=1):
            attr = _BY_HEADER.get(normalise_header(head))
            if attr and attr not in self.columns:
                self.columns[attr] = c
        # A missing column goes right of everything used (staff notes beside the log stay put).
        last = max((i + 1 for row in grid for i, v in enumerate(row) if not is_blank(v)), default=0)
        self._missing_headers = [attr for attr, _ in LOG_COLUMNS if attr not in self.columns]
        for attr in self._missing_headers:
            last += 1
            self.columns[attr] = last
        used_rows = [r for r, row in enumerate(grid, start=1) if any(not is_blank(v) for v in row)]
        self._next_row = max(used_rows, default=1) + 1
        for r, values in enumerate(grid[1:], start=2):
            entry = self._read_row(values, r)
            if entry is not None:
                self.entries.append(entry)
        self.recovered = self._merge_journal()

    def _read_row(self, values: list, r: int) -> LogEntry | None:
        def get(attr):
            c = self.columns.get(attr)
            return values[c - 1] if c and c <= len(values) else None
        phone_fp, text_fp = _cell_text(get("phone_fp")), _cell_text(get("text_fp"))
        if not phone_fp or not text_fp:
            return None                              # not one of ours (a note, a blank row)
        return LogEntry(batch=_cell_text(get("batch")) or "", at=_cell_time(get("at")) or dt.datetime.min,
                        phone=_cell_text(get("phone")) or "", phone_fp=phone_fp, order_id=_cell_text(get("order_id")),
                        kind=_cell_text(get("kind")) or "", template=_cell_text(get("template")) or "",
                        signature=_cell_text(get("signature")), text_fp=text_fp,
                        status=_cell_text(get("status")) or "", code=_cell_text(get("code")),
                        receipt_at=_cell_time(get("receipt_at")), planned=_cell_time(get("planned")),
                        note=_cell_text(get("note")), row=r)

    # --- journal ---------------------------------------------------------------------------------

    def _merge_journal(self) -> int:
        """Entries the journals hold that the sheet does not (a run that did not finish); returns how many.
        Read: the book's journal, and the one named after its file (written before the book had an id)."""
        journals = [j for j in dict.fromkeys([*self.older_journals, self.journal]) if j.exists()]
        if not journals:
            return 0
        latest: dict[tuple, LogEntry] = {}
        for journal in journals:
            with open(journal, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = LogEntry.from_json(json.loads(line))
                    except (ValueError, TypeError, KeyError):
                        continue                         # a line cut short by a crash
                    latest[entry.identity] = entry       # later lines supersede earlier ones
        on_sheet = {e.identity: e for e in self.entries}
        n = 0
        for key, entry in latest.items():
            if entry.status == STATUS_SENDING:
                entry.status = STATUS_UNCONFIRMED
                entry.note = self.show.pair("请求发出后未得到应答 (中断): 可能已发送, 请核对回执",
                                            "no answer to the request: it may have gone")
            file = exported_file(entry.note)
            if file is not None and not file.exists():
                continue                             # an export whose file was never written
            old = on_sheet.get(key)
            if old is None:
                self.add(entry)
                n += 1
            elif (old.status, old.code, old.receipt_at) != (entry.status, entry.code, entry.receipt_at):
                self.update(old, status=entry.status, code=entry.code, receipt_at=entry.receipt_at, note=entry.note)
                n += 1
        return n

    def journal_write(self, entries: list[LogEntry]) -> None:
        """Append entries to the journal and make them durable before anything else happens."""
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with open(self.journal, "a", encoding="utf-8") as fh:
            for entry in entries:
                fh.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def journal_keep(self) -> None:
        """The sheet could not be written: make sure the journal holds every new or changed entry (a
        receipt's status update as well as a new row), so the next run writes them."""
        if self._dirty:
            self.journal_write(list(self._dirty.values()))

    def journal_done(self) -> None:
        for journal in dict.fromkeys([self.journal, *self.older_journals]):
            try:
                journal.unlink()
            except FileNotFoundError:
                pass

    # --- changes ---------------------------------------------------------------------------------

    def add(self, entry: LogEntry) -> LogEntry:
        entry.row = self._next_row
        self._next_row += 1
        self.entries.append(entry)
        self._dirty[id(entry)] = entry
        return entry

    def update(self, entry: LogEntry, **changes) -> None:
        for k, v in changes.items():
            setattr(entry, k, v)
        self._dirty[id(entry)] = entry

    @property
    def changed(self) -> bool:
        return bool(self._dirty)

    def cells(self) -> dict[tuple[int, int], object]:
        """The cells to write: missing headers, then every new or changed row (our columns only)."""
        out: dict[tuple[int, int], object] = {}
        if self._dirty:
            for attr in self._missing_headers:
                out[(1, self.columns[attr])] = dict(LOG_COLUMNS)[attr]
        for entry in self._dirty.values():
            for attr, _ in LOG_COLUMNS:
                value = getattr(entry, attr)
                out[(entry.row, self.columns[attr])] = None if value in ("", dt.datetime.min) else value
        return out

    def history(self) -> SendHistory:
        hist = SendHistory()
        for e in self.entries:
            kind = None
            try:
                kind = resolve_kind(e.kind).id
            except ValueError:
                pass
            day = (e.planned or e.at).date() if (e.planned or e.at) not in (None, dt.datetime.min) else None
            hist.add(phone_fp=e.phone_fp, template=e.template_key, text_fp=e.text_fp, kind=kind,
                     order_id=e.order_id, day=day, batch=e.batch, status=e.status,
                     receipt=e.receipt_at is not None)
        return hist


def read_log(names: list[str], grids: dict[str, list[list]], book: str | os.PathLike,
             show: Display = Display()) -> SendLog:
    """The log of a book whose sheets were read into ``grids`` (the log sheet included when present)."""
    sheet = find_sheet(names, LOG_SHEET_NAMES)
    journal, legacy = journal_path(book), legacy_journal_path(book)
    return SendLog(grids.get(sheet) if sheet else None, journal, sheet, show,
                   older_journals=[legacy] if legacy != journal else [])


# An export's log entry names its file in 说明: "文件: PATH" ("file:PATH" in logs written before).
FILE_NOTE = "文件: "


def file_note(path) -> str:
    return f"{FILE_NOTE}{path}"


def exported_file(note: str | None) -> Path | None:
    """The file an export's 说明 names, or None."""
    for prefix in (FILE_NOTE, "file:"):
        if note and note.startswith(prefix):
            return Path(note[len(prefix):])
    return None

