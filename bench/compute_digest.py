"""A correctness guard for speed work on the per-row path: SHA-256 digests of what compute_sheet gives.

    python bench/compute_digest.py [--rows 10000]

For each book it runs `compute_sheet` (the code recalc, texts, run and the buttons share) and prints one
digest of every cell it would write, every problem and check line, every row's 状态 and the whole
summary (the tally's figures by status, platform, reason, shop and day), and a second digest of the
per-row results (CaseResult). A change that makes the rules faster must leave both lines unchanged.

The books: bench/recalc_bench.py's 10k book (generated into bench/out/ if missing) as generated
("fresh") and after one `recalc` ("again"), both also read as Excel hands values to the buttons (None
for an empty cell); a new workbook with the template's settings sheets and generated cases (fresh and
again); rules.md's acceptance examples 1-33 with their policy overrides (tests/examples.py); the bad
rows of tests/test_recalc_workbook.py, in Chinese and with the English display setting. The books are
built once into bench/out/digest/ (delete it to rebuild), so every later run reads the same inputs.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.workbook.commands.compute import compute_sheet
from addin.workbook.commands.recalc import recalc  # noqa: E402
from addin.workbook.files.session import open_book  # noqa: E402
from addin.workbook.sheets.settings import load_settings, settings_sheets  # noqa: E402

NOW = dt.datetime(2026, 10, 1, 12, 0)
OUT_DIR = ROOT / "bench" / "out" / "digest"
NOWS = (NOW, dt.datetime(2026, 10, 8, 9, 30))      # a second clock moves rows between the 状态 words


def _canon(value) -> str:
    """A stable text for any value compute_sheet returns (type included: 5 and 5.0 and Decimal differ)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__ + "(" + ", ".join(f"{f.name}={_canon(getattr(value, f.name))}"
                                                      for f in dataclasses.fields(value)) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_canon(k)}: {_canon(v)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_canon(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(_canon(v) for v in value)) + "}"
    if hasattr(value, "__slots__") and not isinstance(value, (str, int, float)):
        return type(value).__name__ + "(" + ", ".join(f"{s}={_canon(getattr(value, s, None))}"
                                                      for s in value.__slots__) + ")"
    return f"{type(value).__name__}:{value!r}"


def digest(result) -> tuple[str, str]:
    """(outputs digest, results digest) of a SheetResult."""
    out = hashlib.sha256()
    for part in (result.new_columns, result.out_columns, result.cells, result.problems, result.checks,
                 result.summary, result.table_columns):
        out.update(_canon(part).encode())
        out.update(b"\x00")
    res = hashlib.sha256(_canon(result.results).encode())
    return out.hexdigest()[:16], res.hexdigest()[:16]


def compute_book(path: Path, *, none_for_empty: bool = False, now: dt.datetime = NOW):
    """compute_sheet on the book's case sheet with its settings and layout, as recalc reads them."""
    from addin.workbook.sheets.case_sheet import require_case_sheet
    with open_book(path, write=False) as book:
        names = book.sheet_names
        case = require_case_sheet(names)
        sheets = settings_sheets(names)
        grids = book.read([s for s in sheets.values() if s], empty="")
        settings = load_settings(sheets, grids.__getitem__)
        grid = book.read([case], empty=None if none_for_empty else "")[case]
        layout = book.layout(case)
    return compute_sheet(grid, settings.policy, cal=settings.cal, now=now, reasons=settings.reasons, layout=layout)


def books(tmp: Path, rows: int) -> dict[str, Path]:
    from addin.demo import bulk_rows
    from addin.workbook.sheets.new_book import build_workbook
    from bench.recalc_bench import OUT, make_book
    from tests.helpers.books import make_book as plain_book
    from tests.test_recalc_workbook import BAD_HEADER, BAD_ROWS

    OUT.mkdir(parents=True, exist_ok=True)
    bench = OUT / f"cases_{rows}.xlsx"
    if not bench.exists():
        make_book(bench, rows)
    found = {"bench fresh": bench, "bench again": tmp / "bench_again.xlsx", "template fresh": tmp / "template.xlsx",
             "template again": tmp / "template_again.xlsx", "bad rows": tmp / "bad.xlsx",
             "bad rows, English": tmp / "bad_en.xlsx"}
    if not found["bad rows, English"].exists():
        recalc(bench, found["bench again"], now=NOW, workers=1)
        build_workbook(found["template fresh"], bulk_rows(3000))
        recalc(found["template fresh"], found["template again"], now=NOW, workers=1)
        plain_book(found["bad rows"], BAD_HEADER, BAD_ROWS)
        plain_book(found["bad rows, English"], BAD_HEADER, BAD_ROWS, rules={"UI.language": "中文+English"})
    return found


def example_books(tmp: Path) -> dict[str, Path]:
    from tests.examples import EXAMPLES
    from tests.test_examples_workbook import build
    return {f"example {ex_id}": tmp / f"ex{ex_id}.xlsx" if (tmp / f"ex{ex_id}.xlsx").exists()
            else build(tmp / f"ex{ex_id}.xlsx", rows, policy_raw) for ex_id, policy_raw, rows, _ in EXAMPLES}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    total_out, total_res = hashlib.sha256(), hashlib.sha256()
    tmp = OUT_DIR
    tmp.mkdir(parents=True, exist_ok=True)
    found = books(tmp, args.rows)
    examples = example_books(tmp)
    for label, path in found.items():
        for now in NOWS:
            for none_for_empty in (False, True):
                if none_for_empty and not label.startswith(("bench", "template")):
                    continue
                d_out, d_res = digest(compute_book(path, none_for_empty=none_for_empty, now=now))
                total_out.update(d_out.encode())
                total_res.update(d_res.encode())
                empty = "None" if none_for_empty else '""  '
                print(f"{label:<18} {now:%m-%d %H:%M} {empty}  "
                      f"outputs {d_out}  results {d_res}")
    ex_out, ex_res = hashlib.sha256(), hashlib.sha256()
    for label, path in examples.items():
        for now in NOWS:
            d_out, d_res = digest(compute_book(path, now=now))
            ex_out.update(d_out.encode())
            ex_res.update(d_res.encode())
    print(f"{'examples 1-33':<18} both clocks         outputs {ex_out.hexdigest()[:16]}  "
          f"results {ex_res.hexdigest()[:16]}")
    total_out.update(ex_out.hexdigest().encode())
    total_res.update(ex_res.hexdigest().encode())
    print(f"ALL  outputs {total_out.hexdigest()[:16]}  results {total_res.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
