"""The one guarded way to read and write a staff workbook.

    with open_book(path, out=None) as book:
        grids = book.read(["案件", "规则"], empty="")
        layout = book.layout("案件")                 # formulas, used columns, merges, Tables
        report = book.patch({"案件": SheetEdit(cells)})

Every command that writes a staff workbook goes through here (recalc, texts, import, outbox / send /
receipts for the 发送记录 sheet; new-workbook and demo through :func:`new_book`), so the guards are
one layer, not checks scattered through callers:

* Refused before any work (BookError, exit 2 in the CLI), unless `out` writes elsewhere: a book that
  Excel or LibreOffice has open (an owner file ``~$NAME`` or ``.~lock.NAME#`` beside it), a read-only
  book, a book with several hard links (a rename would split them; write with --out instead).
* Our own lock file ``.~NAME.aftersales-lock`` beside the book keeps two runs of ours (any of the
  commands above) from overlapping on one book. It records pid, host and time; a lock whose
  process is gone (same host) or that is older than LOCK_STALE_AFTER is broken.
* The file is read once, through one handle; calamine and the patcher get the same bytes.
* Just before the rename, the owner files are looked for again and the book on disk must still be
  the one that was read (size, mtime and SHA-256); otherwise nothing is written ("the book changed
  while computing; run again").
* A symlinked book: the real file is written and the link kept. Temp files ``.~NAME.*.tmp`` left by a
  killed run are removed at the next run on that book.
* Every error names the book as the user gave it, never the temp file.
"""
from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import io
import json
import os
import re
import socket
import stat
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from addin.workbook.files.reader import Grid, SheetNotFoundError, WorkbookReadError, read_workbook, sheet_names
from addin.workbook.files.xlsx_patch import PatchError, PatchReport, SheetEdit
from addin.workbook.files.xlsx_patch.edits import UnsupportedWorkbook
from addin.workbook.files.xlsx_patch.scan import SheetLayout, read_layout, read_layout_deferred
from addin.workbook.files.xlsx_patch.patch import check_workbook, write_patched
from addin.workbook.files.xlsx_patch.xmlbytes import CLIP_MARK, MAX_TEXT
from addin.workbook.files.xlsx_patch.zipcopy import TEMP_SUFFIX, discard_temp, replace_atomic, temp_prefix
from addin.core.errors import BilingualError

LOCK_SUFFIX = ".aftersales-lock"
LOCK_STALE_AFTER = 15 * 60        # seconds: far longer than any run (100k rows: about 20 s)
_LOCK_UNREADABLE_GRACE = 30       # seconds: a lock file still being written by its owner
_TEMP_RE_TAIL = r"\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX)    # tempfile.mkstemp's 8 random characters


class BookError(BilingualError):
    """The workbook cannot be read or written; nothing was written. `kind` says why, for callers and
    tests: missing, folder, locked, read_only, hard_link, busy, changed, unsupported, damaged,
    no_sheet, write_failed, not_writable."""

    def __init__(self, zh: str, en: str, kind: str = "error"):
        super().__init__(zh, en, kind, message=f"{zh} / {en}")


@dataclass(frozen=True)
class _Fingerprint:
    size: int
    mtime_ns: int
    sha256: bytes


@contextlib.contextmanager
def open_book(path: str | os.PathLike, out: str | os.PathLike | None = None, *, write: bool = True,
              wait: float = 0.0, command: str = "aftersales", out_hint: bool = True):
    """A guarded session on workbook `path` (see the module docstring). `out`: write there instead of
    in place. `write=False`: read only (no lock, no write checks). `wait`: seconds to wait for another
    run of ours to finish before giving up. `out_hint`: the command has an --out for the book, so a
    refusal may suggest it."""
    book = Book(path, out, write=write, out_hint=out_hint)
    try:
        book.open(wait, command)
        yield book
    finally:
        book.close()


@contextlib.contextmanager
def new_book(path: str | os.PathLike, *, overwrite: bool = False, wait: float = 0.0,
             command: str = "aftersales"):
    """A guarded write of a whole new workbook at `path` (new-workbook, demo): yields a temp path beside
    it to save into, then renames that into place. An existing file is refused unless `overwrite`; when
    overwritten, the same guards as open_book apply (owner files of Excel/LibreOffice, read-only, hard
    links, our lock, the file unchanged until the rename)."""
    book = Book(path, out_hint=False)
    try:
        book.open_new(overwrite, wait, command)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(book.target), suffix=TEMP_SUFFIX, dir=book.target.parent)
        os.close(fd)
        try:
            yield Path(tmp)
            book.commit_new(tmp)
        finally:
            discard_temp(tmp)
    finally:
        book.close()


def save_atomic(path: Path, save: Callable[[Path], None]) -> None:
    """A new file that is not a staff book (an upload CSV, a vendor file): `save(tmp)` writes a temp
    file beside `path`, which is then renamed into place, so a half-written file is never left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".~{path.name}.tmp")
    try:
        save(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class Book:
    def __init__(self, path, out=None, *, write: bool = True, out_hint: bool = True):
        self.name = os.fspath(path)                  # as the user gave it: what messages say
        self.out_hint = out_hint                     # refusals may suggest --out
        self.out_name = os.fspath(out) if out is not None else None
        self.write = write
        self.source: Path | None = None              # the real file read (symlinks resolved)
        self.target: Path | None = None              # the real file written
        self.data = b""
        self.temps_removed = 0
        self._expected: _Fingerprint | None = None   # the target as it must still be at the rename
        self._lock: Path | None = None
        self._token = ""
        self._written = False
        self._names: list[str] | None = None
        self._parts: dict[str, bytes] = {}          # inflated zip members, shared by layout() and patch()

    # -- opening

    def open(self, wait: float, command: str) -> None:
        self.source = _existing_file(Path(self.name), self.name)
        if self.write:
            self.target = self._target()
            self._guard_target(wait, command)
        self.data, fingerprint = self._read_once()
        if self.write:
            if self.target == self.source:
                self._expected = fingerprint
            elif self.target.exists():
                self._expected = _fingerprint(self.target)
        try:
            check_workbook(io.BytesIO(self.data), self.name)
        except (PatchError, ValueError) as exc:
            raise self.patch_error(exc) from None

    def _guard_target(self, wait: float, command: str) -> None:
        self._check_target()                     # fail fast, before touching the folder
        self._acquire_lock(wait, command)
        self._check_target()                     # again: Excel may have opened it while we waited
        self._remove_stale_temps()

    def open_new(self, overwrite: bool, wait: float, command: str) -> None:
        """For new_book: the target may not exist yet; nothing is read. Every check is made on the
        resolved path, the one the rename writes: `不存在/../旧.xlsm` does not exist for the OS (the
        folder is missing) but resolves to, and would replace, 旧.xlsm."""
        path = resolve_path(self.name)
        if path.is_dir():
            raise BookError(f"这是文件夹, 不是工作簿: {self.name}", f"this is a folder, not a workbook: {self.name}",
                            "folder")
        if path.exists() and not overwrite:
            raise BookError(f"文件已存在, 未写入: {self.name} (用 --force 覆盖)",
                            f"the file exists; nothing was written: {self.name} (--force to overwrite)", "exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.target = path
        self._guard_target(wait, command)
        self._expected = _fingerprint(self.target) if self.target.exists() else None

    def commit_new(self, tmp: str) -> None:
        """Rename the saved temp file into place, if the target is still as it was at open_new."""
        try:
            self._check_target()
            self._check_unchanged()
            if self.target.exists():
                existing = self.target.stat()
                os.chmod(tmp, stat.S_IMODE(existing.st_mode))
                _keep_owner(tmp, existing)
            else:                                    # mkstemp made it 0600; a new file gets the usual mode
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            replace_atomic(tmp, self.target)
        except OSError as exc:
            raise write_error(self.name, exc) from None

    def close(self) -> None:
        if self._lock is not None:
            holder = _read_lock(self._lock)
            if holder is not None and holder.get("token") == self._token:
                with contextlib.suppress(OSError):
                    self._lock.unlink()
            self._lock = None

    def _target(self) -> Path:
        if self.out_name is None:
            return self.source
        out = Path(self.out_name)
        if out.is_dir():
            raise BookError(f"--out 指向的是文件夹, 不是文件: {self.out_name}",
                            f"--out points at a folder, not a file: {self.out_name}", "folder")
        real = out.resolve()
        if not real.parent.is_dir():
            raise BookError(f"--out 的文件夹不存在: {real.parent}",
                            f"the folder of --out does not exist: {real.parent}", "folder")
        return real

    def _check_target(self) -> None:
        """What makes writing the target unsafe, checked before any work."""
        target, shown = self.target, self.out_name or self.name
        folder = target.parent
        or_out = (", 或用 --out 另存", ", or use --out") if self.out_hint else ("", "")
        copy_out = (" (可用 --out 另存)", " (use --out to write a copy)") if self.out_hint else ("", "")
        for owner, app_zh, app_en in ((folder / ("~$" + target.name), "Excel/WPS", "Excel or WPS"),
                                      (folder / (".~lock." + target.name + "#"), "LibreOffice", "LibreOffice")):
            if owner.exists():
                raise BookError(
                    f"工作簿正被 {app_zh} 打开 (有占用文件 {owner.name}), 未写入: {shown}。请先保存并关闭它; "
                    f"若并未打开, 删除 {owner.name} 后重试{or_out[0]}",
                    f"the book is open in {app_en} (owner file {owner.name}); nothing was written: {shown}. "
                    f"Save and close it first; if it is not open, delete {owner.name} and run again{or_out[1]}",
                    "locked")
        if target.exists():
            st = target.stat()
            if not st.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
                raise BookError(f"工作簿是只读的, 未写入: {shown}{copy_out[0]}",
                                f"the book is read-only; nothing was written: {shown}{copy_out[1]}", "read_only")
            if st.st_nlink > 1:
                raise BookError(
                    f"工作簿有 {st.st_nlink} 个硬链接, 替换会使它们分开, 未写入: {shown}{copy_out[0]}",
                    f"the book has {st.st_nlink} hard links and replacing it would split them; nothing was "
                    f"written: {shown}{copy_out[1]}", "hard_link")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise BookError(f"无法在文件夹中写入 (无权限): {folder}",
                            f"cannot write in the folder (no permission): {folder}", "not_writable")

    # -- our lock

    def _acquire_lock(self, wait: float, command: str) -> None:
        lock = self.target.with_name(".~" + self.target.name + LOCK_SUFFIX)
        token = uuid.uuid4().hex
        entry = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "time": time.time(),
                            "command": command, "token": token}).encode()
        deadline = time.monotonic() + wait
        while True:
            try:
                fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = _read_lock(lock)
                if _is_stale(holder, lock):
                    _break_lock(lock, holder)
                    continue
                if time.monotonic() >= deadline:
                    raise _busy(self.out_name or self.name, holder) from None
                time.sleep(0.2)
                continue
            except OSError as exc:
                raise self._lock_error(lock, exc) from None
            try:
                try:
                    if os.write(fd, entry) != len(entry):
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:             # a full disk: no empty lock file is left behind
                with contextlib.suppress(OSError):
                    lock.unlink()
                raise self._lock_error(lock, exc) from None
            self._lock, self._token = lock, token
            return

    def _lock_error(self, lock: Path, exc: OSError) -> BookError:
        shown = self.out_name or self.name
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return write_error(shown, exc)
        return BookError(f"无法在文件夹中创建锁文件, 未写入: {shown} ({lock.parent}: {exc.strerror})",
                         f"cannot create the lock file in the folder; nothing was written: {shown} "
                         f"({lock.parent}: {exc.strerror})", "not_writable")

    def _remove_stale_temps(self) -> None:
        """Temp files of our killed runs on this book (we hold its lock, so none is being written)."""
        prefix = temp_prefix(self.target)
        pattern = re.compile(re.escape(prefix[:-1]) + _TEMP_RE_TAIL)
        for found in glob.glob(os.path.join(glob.escape(str(self.target.parent)), glob.escape(prefix) + "*")):
            if pattern.fullmatch(os.path.basename(found)):
                with contextlib.suppress(OSError):
                    os.unlink(found)
                    self.temps_removed += 1

    # -- reading

    def _read_once(self) -> tuple[bytes, _Fingerprint]:
        """The whole file through one handle; re-read if it was being written meanwhile."""
        for _ in range(5):
            with open(self.source, "rb") as fh:
                before = os.fstat(fh.fileno())
                data = fh.read()
                after = os.fstat(fh.fileno())
            if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) and len(data) == after.st_size:
                return data, _Fingerprint(len(data), after.st_mtime_ns, hashlib.sha256(data).digest())
            time.sleep(0.2)
        raise BookError(f"工作簿正在被别的程序保存, 请稍后再运行: {self.name}",
                        f"the book is being saved by another program; run again in a moment: {self.name}", "busy")

    @property
    def sheet_names(self) -> list[str]:
        if self._names is None:
            try:
                self._names = sheet_names(self.data, label=self.name)
            except WorkbookReadError as exc:
                raise read_error(self.name, exc) from None
        return self._names

    def read(self, names, *, empty=None, keep_xml: bool = False) -> dict[str, Grid]:
        """Sheets as grids (see addin.workbook.files.reader.read_workbook), from the bytes read at open.
        keep_xml: keep the sheets' inflated XML for layout() and patch() (memory for time: the import,
        whose sheet XML is then read once; not the big-sheet commands)."""
        try:
            return read_workbook(self.data, names, empty=empty, label=self.name,
                                 cache=self._parts if keep_xml else None)
        except WorkbookReadError as exc:
            raise read_error(self.name, exc) from None
        except SheetNotFoundError as exc:
            raise BookError(f"找不到工作表「{exc.name}」: {self.name}; 现有: {', '.join(exc.available)}",
                            f"no sheet named {exc.name!r} in {self.name}; sheets: {', '.join(exc.available)}",
                            "no_sheet") from None

    def layout(self, sheet: str) -> SheetLayout:
        """Formula cells, the rightmost used column, merged ranges and Tables of `sheet` (from its XML)."""
        try:
            return read_layout(io.BytesIO(self.data), sheet, self._parts)
        except (PatchError, ValueError) as exc:
            raise self.patch_error(exc, sheet) from None

    def layout_deferred(self, sheet: str):
        """layout(), with the cell scan deferred until needed on a sheet without formulas (see
        xlsx_patch.scan.read_layout_deferred): for a caller that mostly needs formulas and Tables."""
        try:
            return read_layout_deferred(io.BytesIO(self.data), sheet, self._parts,
                                        lambda exc: self.patch_error(exc, sheet))
        except (PatchError, ValueError) as exc:
            raise self.patch_error(exc, sheet) from None

    # -- writing

    @property
    def book_id(self) -> str | None:
        """The identity stored in the book (addin.workbook.files.book_id), as read at open."""
        from addin.workbook.files.book_id import read_book_id
        return read_book_id(self.data)

    def patch(self, edits: dict[str, SheetEdit], *, full_calc_on_load: bool = False, styles=None,
              book_id: str | None = None) -> PatchReport:
        """Write `edits` (see addin.workbook.files.xlsx_patch) to the target atomically, only if the target on
        disk is still what it was when the book was read. Text longer than Excel's cell limit is cut
        (marked, and counted in report.texts_clipped). full_calc_on_load: mark the book for Excel to
        recalculate every formula on open (see xlsx_patch.patch.write_patched). `styles`: see write_patched
        (a streamed sheet's writer clipped its own texts: SheetEdit.streamed)."""
        if not self.write:
            raise RuntimeError("this book was opened with write=False")
        if self._written:
            raise RuntimeError("a book session writes once")
        clipped = _clip_long_texts(edits)
        target, shown = self.target, self.out_name or self.name
        existing = target.stat() if target.exists() else self.source.stat()
        try:
            written = write_patched(io.BytesIO(self.data), target, edits, mode=stat.S_IMODE(existing.st_mode),
                                    source_name=self.name, cache=self._parts, full_calc_on_load=full_calc_on_load,
                                    styles=styles, book_id=book_id)
            self._parts = {}
        except OSError as exc:
            raise write_error(shown, exc) from None
        except (PatchError, ValueError) as exc:
            raise self.patch_error(exc) from None
        if not written.report.changed_members and self.target == self.source:
            written.discard()                        # nothing to change: the book stays as it was (未改动)
            self._written = True
            return written.report
        try:
            self._check_target()                     # Excel may have opened it while we computed
            self._check_unchanged()
            _keep_owner(written.tmp, existing)
            written.commit()
        except OSError as exc:
            written.discard()
            raise write_error(shown, exc) from None
        except BaseException:
            written.discard()
            raise
        self._written = True
        written.report.texts_clipped = clipped
        return written.report

    def _check_unchanged(self) -> None:
        now = _fingerprint(self.target) if self.target.exists() else None
        if now != self._expected:
            shown = self.out_name or self.name
            raise BookError(f"计算期间工作簿已被修改 (别人保存了它), 未写入; 请重新运行: {shown}",
                            f"the book changed while computing (someone saved it); nothing was written; "
                            f"run again: {shown}", "changed")

    def patch_error(self, exc: Exception, sheet: str | None = None) -> BookError:
        where = f"「{sheet}」" if sheet else ""
        where_en = f" (sheet {sheet!r})" if sheet else ""
        detail = str(exc) if self.name in str(exc) else f"{self.name}: {exc}"
        if isinstance(exc, UnsupportedWorkbook):
            return BookError(f"不支持此类工作簿 (文件本身有效), 未写入: {detail}",
                             f"this kind of workbook is valid but not supported; nothing was written: {detail}",
                             "unsupported")
        return BookError(f"无法处理工作簿{where} (内容损坏, 或不是 .xlsx/.xlsm), 未写入: {detail}",
                         f"cannot process the workbook{where_en} (damaged, or not .xlsx/.xlsm); nothing was written: "
                         f"{detail}", "damaged")


# --------------------------------------------------------------------------- helpers

def resolve_path(path: str | os.PathLike) -> Path:
    """The file a path names once symlinks and `..` are resolved: what a write through it replaces. Checks
    such as "exists" must be made on this, never on the path as typed (see Book.open_new)."""
    return Path(os.path.realpath(os.path.abspath(os.fspath(path))))


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one file: equal once resolved (compared with normcase, so a case-only
    difference counts on Windows), or, both existing, the same inode (os.path.samefile: a hard link, or a
    case variant on a case-insensitive file system such as macOS's APFS, which normcase leaves alone)."""
    ra, rb = resolve_path(a), resolve_path(b)
    if os.path.normcase(ra) == os.path.normcase(rb):
        return True
    try:
        return os.path.samefile(ra, rb)
    except OSError:
        return False


def _existing_file(path: Path, shown: str) -> Path:
    if path.is_dir():
        raise BookError(f"这是文件夹, 不是工作簿: {shown}", f"this is a folder, not a workbook: {shown}", "folder")
    if not path.is_file():
        raise BookError(f"找不到文件: {shown}", f"file not found: {shown}", "missing")
    return path.resolve()


def _fingerprint(path: Path) -> _Fingerprint:
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return _Fingerprint(st.st_size, st.st_mtime_ns, h.digest())


def lock_holder(path: str | os.PathLike) -> dict | None:
    """The live lock of another run of ours on the book at `path` (what it records), or None. The buttons
    ask before they write, so a command-line run on the same book is said plainly."""
    if not path:
        return None
    target = Path(path)
    lock = target.with_name(".~" + target.name + LOCK_SUFFIX)
    if not lock.exists():
        return None
    holder = _read_lock(lock)
    return None if _is_stale(holder, lock) else (holder or {})


def _read_lock(lock: Path) -> dict | None:
    try:
        entry = json.loads(lock.read_bytes())
        return entry if isinstance(entry, dict) else None
    except (OSError, ValueError):
        return None


def _is_stale(holder: dict | None, lock: Path) -> bool:
    if holder is None:                     # empty or garbled: its writer was killed, unless it is writing now
        try:
            return time.time() - lock.stat().st_mtime > _LOCK_UNREADABLE_GRACE
        except FileNotFoundError:
            return True
    if time.time() - float(holder.get("time", 0)) > LOCK_STALE_AFTER:
        return True
    if holder.get("host") == socket.gethostname():
        return not _pid_alive(int(holder.get("pid", 0)))
    return False                           # another machine's run (shared drive): trust it until it is old


def _break_lock(lock: Path, holder: dict | None) -> None:
    """Remove a stale lock, unless another run replaced it meanwhile."""
    if _read_lock(lock) == holder:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":            # os.kill(pid, 0) would send Ctrl+C there
        import ctypes
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)      # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        try:
            code = ctypes.c_ulong()
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _busy(shown: str, holder: dict | None) -> BookError:
    if holder:
        since = time.strftime("%H:%M:%S", time.localtime(float(holder.get("time", 0))))
        who_zh = f"{holder.get('command', '?')} (进程 {holder.get('pid')} @ {holder.get('host')}, 开始于 {since})"
        who_en = f"{holder.get('command', '?')} (pid {holder.get('pid')} on {holder.get('host')}, since {since})"
    else:
        who_zh = who_en = "?"
    return BookError(f"另一个售后助手任务正在处理此工作簿: {who_zh}; 请等它结束后再运行: {shown}",
                     f"another AfterSales run is working on this book: {who_en}; run again when it has "
                     f"finished: {shown}", "busy")


def _keep_owner(tmp: str, original: os.stat_result) -> None:
    """Give the new file the old one's owner and group (matters when run as root or by an admin)."""
    if hasattr(os, "chown"):
        st = os.stat(tmp)
        if (st.st_uid, st.st_gid) != (original.st_uid, original.st_gid):
            with contextlib.suppress(OSError):
                os.chown(tmp, original.st_uid, original.st_gid)


def write_error(shown: str, exc: OSError) -> BookError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return BookError(f"磁盘已满, 未写入 (原文件未改动): {shown}",
                         f"the disk is full; nothing was written (the book is unchanged): {shown}", "write_failed")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return BookError(f"没有写入权限或文件被占用 (是否在Excel中打开?), 未写入: {shown}",
                         f"no permission to write, or the file is in use (open in Excel?); nothing was "
                         f"written: {shown}", "write_failed")
    return BookError(f"写入失败, 原文件未改动: {shown} ({exc.strerror or exc})",
                     f"writing failed; the book is unchanged: {shown} ({exc.strerror or exc})", "write_failed")


def read_error(shown: str, exc: WorkbookReadError) -> BookError:
    where_zh = f"工作表「{exc.sheet}」" if exc.sheet else "文件"
    where_en = f"sheet {exc.sheet!r}" if exc.sheet else "the file"
    return BookError(f"无法处理工作簿 ({where_zh}内容损坏), 未写入: {shown}: {exc.cause}",
                     f"cannot process the workbook ({where_en} is damaged); nothing was written: {shown}: {exc.cause}",
                     "damaged")


def _clip_long_texts(edits: dict[str, SheetEdit]) -> int:
    return sum(clip_long_texts(edit.cells) for edit in edits.values())


def clip_long_texts(cells: dict) -> int:
    """Cut text longer than Excel's cell limit (32,767 characters), marked at the end; returns how many."""
    clipped = 0
    for key, value in cells.items():
        if value.__class__ is str and len(value) > MAX_TEXT:
            cells[key] = value[: MAX_TEXT - len(CLIP_MARK)] + CLIP_MARK
            clipped += 1
    return clipped
