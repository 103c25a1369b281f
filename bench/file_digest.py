"""SHA-256 of the files recalc, texts and run write on bench/recalc_bench.py's books: the byte-level guard
of speed work (bench/compute_digest.py guards compute_sheet; this guards the streamed writer and the
commands around it). Each member of each written zip is hashed decompressed, with its name, so the
digest does not depend on zip timestamps, and the book's random id is masked; the outbox files of `run`
are hashed too.

    python bench/file_digest.py [--rows 10000] [--chunk-bytes N] [--workers N]

Prints one line per (rows, case, command) and an ALL line; compare the output before and after a change.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import re
import hashlib
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NOW = "2026-10-01T12:00"


# The book's id (addin.workbook.files.book_id), a random uuid set at the first 发送记录 write, is masked.
_BOOK_ID = re.compile(rb"(name=\"AfterSalesBookId\"[^>]*>\s*<(?:[\w.-]+:)?lpwstr>)[0-9a-f]{32}")


def zip_digest(path: Path) -> str:
    h = hashlib.sha256()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == "docProps/custom.xml":
                data = _BOOK_ID.sub(rb"\1<id>", data)
            h.update(info.filename.encode() + b"\0" + data + b"\0")
    return h.hexdigest()[:16]


def dir_digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode() + b"\0")
        h.update(zip_digest_or_bytes(f).encode())
    return h.hexdigest()[:16]


def zip_digest_or_bytes(f: Path) -> str:
    if zipfile.is_zipfile(f):
        return zip_digest(f)
    return hashlib.sha256(f.read_bytes()).hexdigest()[:16]


def quiet(fn, argv):
    with contextlib.redirect_stdout(io.StringIO()):
        fn(argv)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000])
    parser.add_argument("--chunk-bytes", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    from bench.recalc_bench import OUT, make_book
    from addin.cli import main as cli
    from addin.workbook.commands.recalc import recalc
    from addin.cli import now_arg as parse_now

    total = hashlib.sha256()
    for n in args.rows:
        src = OUT / f"cases_{n}.xlsx"
        if not src.exists():
            make_book(src, n)
        with tempfile.TemporaryDirectory(prefix="aftersales-digest-") as tmp:
            tmp = Path(tmp)
            fresh = tmp / "fresh.xlsx"
            shutil.copy(src, fresh)
            again = tmp / "again.xlsx"
            recalc(fresh, again, now=parse_now(NOW), workers=args.workers, chunk_bytes=args.chunk_bytes)
            for case, book in (("fresh", fresh), ("again", again)):
                lines = []
                out = tmp / f"{case}_recalc.xlsx"
                recalc(book, out, now=parse_now(NOW), workers=args.workers, chunk_bytes=args.chunk_bytes)
                lines.append(("recalc", zip_digest(out)))
                out = tmp / f"{case}_texts.xlsx"
                quiet(cli, ["texts", str(book), "--out", str(out), "--now", NOW])
                lines.append(("texts", zip_digest(out)))
                out = tmp / f"{case}_run.xlsx"
                box = tmp / f"{case}_outbox"
                quiet(cli, ["run", str(book), "--out", str(out), "--now", NOW, "--outbox", str(box), "--quiet"])
                lines.append(("run", zip_digest(out)))
                lines.append(("outbox", dir_digest(box) if box.exists() else "-"))
                for command, d in lines:
                    total.update(d.encode())
                    print(f"{n:>8} {case:5} {command:7} {d}", flush=True)
    print(f"ALL {total.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
