"""compute_sheet (the per-row path recalc, texts, run and the buttons share) on 10k rows, against a baseline.

    python bench/compute_bench.py [--rows 10000] [--rounds 5] [--repeat 3] [--baseline COMMIT]

The books are bench/recalc_bench.py's generated book ("fresh") and the same book after one recalc
("again"), both built by bench/compute_digest.py (in bench/out/digest/). The baseline's `addin` package
is extracted with `git archive` (bench/merge_bench.py's extract); each side runs in a fresh interpreter,
the sides alternating round by round so both see the same load on a shared machine, and times
`compute_sheet` `--repeat` times per book (CPU time; the fastest counts). Each side also prints the
outputs digest of bench/compute_digest.py, which must be the same for both.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "bab27f0"          # main when issue 12 part C started


def worker(rows: int, repeat: int) -> None:
    import datetime as dt
    sys.path.append(str(ROOT))                    # bench.* from this tree; addin from PYTHONPATH, before it
    import addin
    from addin.workbook.commands.compute import compute_sheet
    from addin.workbook.files.session import open_book
    from bench.compute_digest import OUT_DIR, digest

    now = dt.datetime(2026, 10, 1, 12, 0)
    out = {"package": str(Path(addin.__file__).parent)}
    for case, path in (("fresh", ROOT / "bench" / "out" / f"cases_{rows}.xlsx"), ("again", OUT_DIR / "bench_again.xlsx")):
        with open_book(path, write=False) as book:
            grid, layout = book.read(["案件"], empty="")["案件"], book.layout("案件")
        times = []
        for _ in range(repeat):
            t = time.process_time()
            result = compute_sheet(grid, now=now, layout=layout)
            times.append(time.process_time() - t)
        out[case] = min(times)
        out[case + "_digest"] = digest(result)[0]
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.rows, args.repeat)
        return
    sys.path.insert(0, str(ROOT))
    from bench.compute_digest import OUT_DIR
    from bench.merge_bench import extract, run_side
    if not (OUT_DIR / "bench_again.xlsx").exists():
        raise SystemExit("run python bench/compute_digest.py first (it builds the books)")
    with tempfile.TemporaryDirectory(prefix="compute_bench_") as tmp:
        base_dir = extract(args.baseline, Path(tmp))
        sides = {"baseline": base_dir, "current": ROOT}
        runs: dict[str, list[dict]] = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name, path in sides.items():              # alternate, so both see the same load
                runs[name].append(run_side(path, args.rows, args.repeat, Path(__file__).resolve()))
    print(f"compute_sheet on {args.rows:,} rows, CPU seconds, best of {args.rounds} rounds x {args.repeat} runs "
          f"(baseline {args.baseline}):")
    for case in ("fresh", "again"):
        best = {name: min(r[case] for r in rs) for name, rs in runs.items()}
        median = {name: statistics.median(r[case] for r in rs) for name, rs in runs.items()}
        same = len({r[case + "_digest"] for rs in runs.values() for r in rs}) == 1
        print(f"  {case}: baseline {best['baseline']:.3f} s (median {median['baseline']:.3f}), current "
              f"{best['current']:.3f} s (median {median['current']:.3f}) -> {best['baseline'] / best['current']:.2f}x "
              f"best against best, {median['baseline'] / median['current']:.2f}x median; outputs "
              f"{'identical' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
