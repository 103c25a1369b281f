"""The columnar experiment of issue 22: input columns parsed and the most common rule computed over whole
columns with numpy, against the per-row path (compute.compute_rows' parse and the engine) on the bench book.

    python bench/columnar_bench.py [--rows 100000] [--repeat 3]

What it times (CPU, best of --repeat, on the grid calamine read; the read itself is left out):
  per-row parse     each row's filled input cells picked and read into a Case (compute.py's _filled_inputs
                    and case_rows.case_from_row with the batch memo), as recalc does
  columnar parse    each input column turned into a numpy object array, its distinct values found
                    (numpy.unique where the column sorts; a dict where it mixes types), each read once,
                    and the readings spread back over the rows (numpy take); Cases are not built
  per-row rule      compensation_for on every clean late-shipment row of 淘宝 and 天猫 (COMP-TB and
                    COMP-TM, the rule most rows of the bench take), from the per-row Cases
  columnar rule     the same amounts over the whole column: 实付金额 in fen as int64, times the rate,
                    rounded half away from zero, then minimum and cap, with numpy; no notes
The columnar amounts are compared cell by cell with the per-row ones (all must agree), and what the
per-row rule also gives (the note 补偿说明 shows, findings) is not computed by the columnar one.
"""
from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from bench.recalc_bench import OUT, make_book
    from addin.core.compensation import MissingInput, compensation_for
    from addin.core.parse import CellError, PARSERS
    from addin.core.policy import DEFAULT_POLICY as policy
    from addin.workbook.commands.compute import _filled_inputs
    from addin.workbook.files.session import open_book
    from addin.workbook.sheets.case_rows import _KIND_OF, case_from_row
    from addin.workbook.sheets.case_sheet import find_case_header

    src = OUT / f"cases_{args.rows}.xlsx"
    if not src.exists():
        make_book(src, args.rows)
    with open_book(src, write=False) as book:
        grid = book.read(["案件"], empty="")["案件"]
    header = find_case_header(grid)
    body = grid[header.row:]
    input_cols = [(key, c - 1) for key, c in header.inputs.items()]
    pick = _filled_inputs(input_cols)

    def per_row_parse():
        memo: dict = {}
        return [case_from_row(pick(values), None, memo) for values in body]

    def columnar_parse():
        width = max(len(r) for r in body)
        table = np.array([r + [""] * (width - len(r)) for r in body], dtype=object)
        read = {}
        for key, i in input_cols:
            kind = _KIND_OF.get(key)
            col = table[:, i]
            try:
                uniq, inverse = np.unique(col, return_inverse=True)
            except TypeError:                  # a column mixing texts and numbers does not sort
                index: dict = {}
                inverse = np.fromiter((index.setdefault((v.__class__, v), len(index)) for v in col), dtype=np.int64,
                                      count=len(col))
                uniq = [v for _, v in index]
            values = []
            for v in uniq:
                if v == "" or kind in (None, "text", "reason"):
                    values.append(v)
                    continue
                try:
                    values.append(PARSERS[kind](v))
                except CellError as exc:
                    values.append(exc)
            read[key] = np.array(values + [None], dtype=object)[:-1].take(inverse)
        return read

    t_row_parse, parsed = best(per_row_parse, args.repeat)
    t_col_parse, columns = best(columnar_parse, args.repeat)

    late = [i for i, p in enumerate(parsed) if not p.blank and not p.problems and p.case.reason == "late_shipment"
            and p.case.platform in ("TB", "TM") and p.case.paid is not None and p.case.promise_rate is None
            and p.case.override is None]

    def per_row_rule():
        out = []
        for i in late:
            try:
                out.append(compensation_for(parsed[i].case, policy).amount)
            except MissingInput:
                out.append(None)
        return out

    def columnar_rule():
        idx = np.array(late, dtype=np.int64)
        paid = np.array([parsed[i].case.paid for i in late], dtype=object)
        # fen as int64; the rate in 1/10,000: exact for the bench's amounts (at most 2 decimals)
        fen = np.array([int(p * 100) for p in paid], dtype=np.int64)
        tm = np.array([parsed[i].case.platform == "TM" for i in late])
        special = np.array([parsed[i].case.special_category for i in late])
        rate = np.where(tm, int(policy["COMP-TM.rate"] * 10000), int(policy["COMP-TB.rate"] * 10000))
        raw = fen * rate                                        # fen / 10,000
        amount = (raw + 5000) // 10000                          # half away from zero (amounts are >= 0)
        minimum = np.where(tm, int(policy["COMP-TM.min"] * 100),
                           np.where(special, int(policy["COMP-TB.min_special"] * 100), int(policy["COMP-TB.min"] * 100)))
        cap = np.where(tm, int(policy["COMP-TM.cap"] * 100), int(policy["COMP-TB.cap"] * 100))
        amount = np.minimum(np.maximum(amount, minimum), cap)
        return idx, amount

    t_row_rule, row_amounts = best(per_row_rule, args.repeat)
    t_col_rule, (_, col_amounts) = best(columnar_rule, args.repeat)
    mismatches = sum(1 for a, b in zip(row_amounts, col_amounts) if a is None or a != Decimal(int(b)).scaleb(-2))
    # the parse compared for the money column: every reading the same
    paid_key = "paid"
    diff = 0
    for p, v in zip(parsed, columns[paid_key]):
        if not p.blank and not p.problems and not isinstance(v, CellError) and v != "" and p.case.paid != v:
            diff += 1
    print(f"{len(body):,} rows; {len(late):,} late-shipment rows of 淘宝/天猫 (CPU s, best of {args.repeat})")
    print("| part | per-row | columnar (numpy) | columnar ÷ per-row |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| parse the input columns | {t_row_parse:.3f} | {t_col_parse:.3f} | {t_col_parse / t_row_parse:.2f}× |")
    print(f"| COMP-TB/COMP-TM amounts | {t_row_rule:.3f} | {t_col_rule:.3f} | {t_col_rule / t_row_rule:.2f}× |")
    print(f"amounts that differ: {mismatches} of {len(late)}; 实付金额 readings that differ: {diff}")


if __name__ == "__main__":
    main()
