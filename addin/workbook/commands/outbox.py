"""`aftersales outbox`: the files a bulk-SMS vendor accepts, and the 发送记录 entries for them.

Formats (:data:`FORMATS`):

* ``aliyun-xlsx``: 阿里云 群发助手 numbers files, one per TemplateCode + signature (+ planned time):
  手机号码 as a text cell, then one column per template variable, named and ordered as in the
  approved text; at most 50,000 rows a file, split beyond.
* ``aliyun-batch-json``: SendBatchSms request bodies (PhoneNumberJson, SignNameJson, TemplateCode,
  TemplateParamJson), at most 100 numbers each; one .json file (an array of bodies) per TemplateCode
  and planned time.
* ``tencent-xlsx``: 腾讯云 群发 files, one per 腾讯云 模板ID + signature (+ planned time): the number,
  then the values of {1} … {N} in the order 模板's 腾讯云变量顺序 gives; cells in 常规 (General) format
  holding text; split so that no file exceeds the console's 30 MB.
* ``csv``: the free-text file for other vendors (手机号码, 短信内容, 计划发送时间, 订单号), UTF-8 with BOM,
  order ids as ="..." so Excel keeps them as text.

Only messages that passed every check are exported, and only while their send time is still ahead:
a planned time that has passed is reported as stale and left out; a time outside the send window was
already moved to the next window start by the checks (SMS-6 INFO), and the file name says when to
send it (群发助手's 定时发送). The vendor formats need an approved template for the kind; messages
rendered from a Jinja2 template only go to ``csv``. A message already exported or sent (the send log)
is not exported again unless ``resend``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from addin.core.parse import to_phone, to_text
from addin.messages.aliyun import NUMBERS_FILE_MAX_ROWS, Message, batch_requests, numbers_file_rows
from addin.messages.history import STATUS_EXPORTED, mask_phone
from addin.messages import tencent
from addin.messages.merge import MergeResult
from addin.messages.sms import KINDS_BY_ID

from addin.workbook.commands.outbox_formats import FORMATS
from addin.workbook.sheets.send_log import LogEntry, SendLog, file_note
from addin.workbook.files.book_id import new_book_id
from addin.workbook.files.session import Book, BookError, open_book, save_atomic
from addin.workbook.commands.texts import load_book, write_csv
from addin.workbook.sheets.catalogue import UPLOAD_HEADER
from addin.workbook.files.xlsx_patch import SheetEdit


@dataclass
class Ready:
    """One message that passed, with what the export needs from its row."""
    row: int                      # 案件 sheet row
    result: MergeResult
    phone: str
    order_id: str | None
    planned: dt.datetime

    def message(self) -> Message:
        r = self.result
        return Message(self.phone, r.sms_template_code or "", r.sms_signature or "", dict(r.sms_params or {}))


@dataclass
class Selection:
    ready: list[Ready] = field(default_factory=list)
    stale: list[tuple[int, dt.datetime]] = field(default_factory=list)     # (row, planned) already past
    no_template: list[int] = field(default_factory=list)                   # rows without an approved template
    already: list[tuple[int, str]] = field(default_factory=list)           # (row, batch) in the send log
    failed: list[tuple[int, str]] = field(default_factory=list)            # (row, batch) failed: --retry-failed
    moved: int = 0                                                         # moved into the send window


def select(book, texts, now: dt.datetime, *, vendor: bool, vendor_name: str = "aliyun") -> Selection:
    """The messages to export or send now: passed, not stale, and (``vendor``) from a template that
    ``vendor_name`` (aliyun / tencent) approved."""
    sel = Selection()
    approved = getattr(book, "approved", {}) or {}
    header, ready_cells = texts.header, getattr(texts, "ready_cells", None)
    grid = book.grids[book.case] if ready_cells is None else None
    phone_col, order_col = header.inputs.get("phone"), header.inputs.get("order_id")
    for r, res in sorted(texts.merged.items()):
        if res.sent_before is not None:
            sel.already.append((r, res.sent_before))
        if res.failed_before is not None:
            sel.failed.append((r, res.failed_before))
        if not res.ok_to_send:
            continue
        planned = res.planned_send_at or now
        if planned < now:
            sel.stale.append((r, planned))
            continue
        if vendor and not _vendor_template(approved.get(res.sms_kind), res, vendor_name):
            sel.no_template.append(r)
            continue
        sel.moved += any(f.rule == "SMS-6" for f in res.sms_reasons)
        if ready_cells is not None:           # the streamed run kept the two cells of each ready message
            phone, order = ready_cells[r]
        else:
            phone, order = grid[r - 1][phone_col - 1], grid[r - 1][order_col - 1] if order_col else None
        sel.ready.append(Ready(r, res, to_phone(phone), _order(order), planned))
    return sel


def _vendor_template(tpl, res: MergeResult, vendor_name: str) -> bool:
    """Whether the message's approved template has an id at this vendor."""
    if not res.sms_template_code:
        return False
    if tpl is None:                  # a book without the 模板 object at hand: the code is 阿里云's
        return vendor_name == "aliyun"
    return bool(tpl.tencent_id if vendor_name == "tencent" else tpl.code)


def _order(value) -> str | None:
    return None if value is None or value == "" else to_text(value)


@dataclass
class LogState:
    """Where a command's 发送记录 entries ended up: on the sheet, or (log_error set) in the journal."""
    log_error: BookError | None = None   # why the book could not be written; the journal keeps the entries
    journal: Path | None = None
    log_written: bool = False            # the book was written (False: nothing new to log, or log_error)

    @property
    def log_pending(self) -> bool:
        return self.log_error is not None


@dataclass
class OutboxReport(LogState):
    batch: str = ""
    fmt: str = ""
    files: list[Path] = field(default_factory=list)
    exported: int = 0
    selection: Selection = field(default_factory=Selection)


def export_outbox(path: str | Path, out_dir: str | Path | None = None, *, fmt: str = "aliyun-xlsx",
                  now: dt.datetime | None = None, resend: bool = False, wait: float = 0.0,
                  retry_failed: bool = False, log: bool = True) -> OutboxReport:
    """Write the vendor files for every message ready now and log them in 发送记录, in one guarded
    session on the book (refused up front when Excel has it open; see addin.workbook.files.session).
    A message whose receipt said 失败 is left out (and counted in the report) unless ``retry_failed``.
    ``log=False`` writes the files only (the demo's second vendor: the messages are logged once)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    path = Path(path)
    now = now or dt.datetime.now().replace(microsecond=0)
    with open_book(path, wait=wait, command="outbox", out_hint=False) as session:
        book = load_book(session)
        texts = book.texts(now, resend=resend, retry_failed=retry_failed)
        out_dir = Path(out_dir) if out_dir else path.parent / f"{path.stem}_outbox"
        report, entries = export_files(book, texts, now, fmt, out_dir, log=log)
        if log:
            write_log(session, book.log, entries, report)
    return report


def export_files(book, texts, now: dt.datetime, fmt: str, out_dir: Path, *, log: bool = True, sink=None) -> tuple[OutboxReport, list[LogEntry]]:
    """Write the vendor files for the messages of `texts` ready now, after journalling their 发送记录
    entries (which the caller then writes with :func:`write_log`). `sink`: where no file can be written
    (xlwings Lite), an object whose place(file) names where a file's rows go instead and write(place,
    rows) puts them there (addin.excel.steps writes them to a sheet per file); the log names the place."""
    sel = select(book, texts, now, vendor=fmt != "csv", vendor_name="tencent" if fmt.startswith("tencent") else "aliyun")
    batch = f"EXP-{now:%Y%m%d-%H%M%S}"
    planned_files = _plan_files(fmt, sel.ready, out_dir, batch, now, getattr(book, "approved", {}))
    where = {file: sink.place(file) if sink else file for file, *_ in planned_files}
    entries = [log_entry(batch, now, ready, STATUS_EXPORTED, file_note(where[file]))
               for file, _, group, _ in planned_files for ready in group]
    if entries and log:
        book.log.journal_write(entries)          # first: a crash after this knows which files were meant
    for file, write, group, rows in planned_files:
        if sink:
            sink.write(where[file], rows)
        else:
            write()
    report = OutboxReport(batch=batch, fmt=fmt, files=[where[f] for f, *_ in planned_files], exported=len(entries),
                          selection=sel)
    return report, entries


def write_log(session: Book, log: SendLog, entries: list[LogEntry], state: LogState,
              edits: dict[str, SheetEdit] | None = None, **patch_options):
    """Add entries to the 发送记录 sheet (with what the journal recovered) through the open session, then
    drop the journal. When the book cannot be written now (it changed, or Excel opened it, while we
    worked), every new or changed entry stays in the journal for the next run, and `state` says why.
    `edits`: other sheets written in the same patch (``aftersales run``); returns the patch's report."""
    for entry in entries:
        log.add(entry)
    state.journal = log.journal
    edits = dict(edits or {})
    if log.changed:
        edits[log.sheet] = SheetEdit(cells=log.cells())
    if not edits:
        return None
    if getattr(session, "book_id", "") is None:     # an older book: its identity is set with its first log write
        patch_options.setdefault("book_id", new_book_id())
    try:
        report = session.patch(edits, **patch_options)
    except BookError as exc:
        log.journal_keep()
        state.log_error = exc
        return None
    log.journal_done()
    state.log_written = True
    return report


def log_entry(batch: str, now: dt.datetime, ready: Ready, status: str, note: str | None) -> LogEntry:
    r = ready.result
    return LogEntry(batch=batch, at=now, phone=mask_phone(ready.phone), phone_fp=r.sms_key[0],
                    order_id=ready.order_id, kind=KINDS_BY_ID[r.sms_kind].zh, template=r.sms_template_code or "",
                    signature=r.sms_signature, text_fp=r.sms_key[2], status=status, planned=ready.planned,
                    note=note)


# --- files ---------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_") or "_"


def _slot(ready: Ready, now: dt.datetime) -> str:
    """'' for messages that go now, else 定时MMDD-HHMM (what to set as 定时发送)."""
    return "" if ready.planned <= now else f"定时{ready.planned:%m%d-%H%M}"


def _groups(ready: list[Ready], key) -> dict:
    out: dict = {}
    for item in ready:
        out.setdefault(key(item), []).append(item)
    return out


def _plan_files(fmt: str, ready: list[Ready], out_dir: Path, batch: str, now: dt.datetime,
                approved: dict | None = None):
    """[(file, write(), messages in it, the file's rows)]; nothing is written until write() is called."""
    plans = []
    if fmt == "tencent-xlsx":
        return _plan_tencent(ready, out_dir, batch, now, approved or {})
    if fmt == "csv":
        file = out_dir / f"{batch}_短信.csv"
        rows = [list(UPLOAD_HEADER)] + [[r.phone, r.result.sms_text, r.planned, r.order_id] for r in ready]
        if ready:
            plans.append((file, lambda: write_csv(file, rows), ready, rows))
        return plans
    if fmt == "aliyun-xlsx":
        for (code, sig, slot), group in _groups(ready, lambda r: (r.result.sms_template_code, r.result.sms_signature,
                                                                    _slot(r, now))).items():
            names = _names(group)
            parts = [group[i:i + NUMBERS_FILE_MAX_ROWS] for i in range(0, len(group), NUMBERS_FILE_MAX_ROWS)]
            for n, part in enumerate(parts, start=1):
                stem = "_".join(filter(None, (batch, _safe(code), _safe(sig), slot, f"{n}" if len(parts) > 1 else "")))
                file = out_dir / f"{stem}.xlsx"
                rows = numbers_file_rows(names, [r.message() for r in part])
                plans.append((file, (lambda f=file, rows=rows: write_numbers_xlsx(f, rows)), part, rows))
        return plans
    for (code, slot), group in _groups(ready, lambda r: (r.result.sms_template_code, _slot(r, now))).items():
        file = out_dir / f"{'_'.join(filter(None, (batch, _safe(code), slot)))}.json"
        bodies = batch_requests([r.message() for r in group])
        rows = [["请求体 (JSON)"]] + [[json.dumps(b, ensure_ascii=False)] for b in bodies]
        plans.append((file, (lambda f=file, b=bodies: _write_json(f, b)), group, rows))
    return plans


def _plan_tencent(ready: list[Ready], out_dir: Path, batch: str, now: dt.datetime, approved: dict):
    """腾讯云 files: one per 模板ID + signature (+ planned time), split to stay under 30 MB."""
    plans = []
    key = (lambda r: (approved[r.result.sms_kind].tencent_id, r.result.sms_signature, _slot(r, now)))
    for (tid, sig, slot), group in _groups(ready, key).items():
        order = approved[group[0].result.sms_kind].tencent_order[:approved[group[0].result.sms_kind].tencent_count]
        rows = tencent.numbers_file_rows(order, [r.message() for r in group])
        parts, start = [], 0
        for chunk in tencent.split_by_size(rows[1:]):
            parts.append((chunk, group[start:start + len(chunk)]))
            start += len(chunk)
        for n, (chunk, part) in enumerate(parts, start=1):
            stem = "_".join(filter(None, (batch, "腾讯云", _safe(tid), _safe(sig or ""), slot,
                                          f"{n}" if len(parts) > 1 else "")))
            file = out_dir / f"{stem}.xlsx"
            data = [rows[0]] + chunk
            plans.append((file, (lambda f=file, d=data: write_numbers_xlsx(f, d, number_format="General")), part, data))
    return plans


def _names(group: list[Ready]) -> list[str]:
    """The template's variables in order (every message of a group has the same TemplateCode)."""
    return list(group[0].result.sms_params or {})


def write_numbers_xlsx(path: Path, rows: list[list[str]], number_format: str = "@") -> None:
    """A bulk numbers file: every cell holds text (a phone number never becomes 1.38E+10), formatted as
    ``number_format``: 文本 (@) for 阿里云, 常规 (General) for 腾讯云, whose console asks for 常规 cells."""
    from openpyxl import Workbook            # builds a new file only (never rewrites a staff file)

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=str(value))
            cell.data_type = "s"
            cell.number_format = number_format
    for c in range(1, len(rows[0]) + 1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = 16 if c == 1 else 20
    save_atomic(path, wb.save)


def _write_json(path: Path, bodies: list[dict]) -> None:
    save_atomic(path, lambda tmp: tmp.write_text(json.dumps(bodies, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8"))

