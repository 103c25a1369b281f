"""`aftersales texts` and `aftersales run` against `aftersales recalc` on the same book, in one run.

    python bench/texts_bench.py [--rows 100000] [--rounds 1] [--keep DIR]

Each command runs as staff run it (the CLI, a fresh interpreter, --out so the input stays the same),
interleaved round by round so all see the same machine load. CPU is user + system time of the command
and its worker processes (steadier than wall time on a shared machine); wall time is printed too.

* fresh: a generated book with empty outputs (bench/recalc_bench.py's book; 18 % of the rows carry a
  review or an SMS). `recalc` on it, `texts` on recalc's output (the 重新计算 then 生成回复与短信 flow is
  the two in a row), and `run` on it (recalc + texts + outbox in one read and one write).
* again: the same commands on the book a `run` wrote (the daily re-run).

Issue 12's goals: texts at most half of recalc; recalc + texts together, here as `run`, less than 1.3x
recalc. The line for `recalc then texts` shows the two commands one after the other, for comparison.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

NOW = "2026-10-01T12:00"


def cli(*args: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of `aftersales ARGS` in a fresh interpreter, its workers included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run([sys.executable, "-m", "addin.cli", *args], cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def main() -> None:
    from recalc_bench import make_book

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", help="keep the generated files in this folder")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="texts_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    fresh = folder / f"cases_{args.rows}.xlsx"
    if not fresh.exists():
        make_book(fresh, args.rows)
    again = folder / f"again_{args.rows}.xlsx"
    cli("run", str(fresh), "--out", str(again), "--outbox", str(folder / "seed_outbox"), "--now", NOW, "--quiet")

    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for case, book in (("fresh", fresh), ("again", again)):
            recalced = folder / f"{case}_recalc.xlsx"
            steps = {
                "recalc": ("recalc", str(book), "--out", str(recalced), "--now", NOW, "--quiet"),
                "texts": ("texts", str(recalced), "--out", str(folder / f"{case}_texts.xlsx"), "--now", NOW),
                "run": ("run", str(book), "--out", str(folder / f"{case}_run.xlsx"), "--now", NOW, "--quiet",
                        "--outbox", str(folder / f"{case}_outbox")),
            }
            for step, command in steps.items():
                shutil.rmtree(folder / f"{case}_outbox", ignore_errors=True)
                times.setdefault((case, step), []).append(cli(*command))

    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.rows:,} rows; CPU (and wall) seconds, "
          f"best of {args.rounds} round(s); each command in a fresh interpreter")
    print(f"{'case':>6} {'recalc':>15} {'texts':>15} {'recalc+texts':>15} {'run':>15}   "
          f"{'texts/recalc':>12} {'(recalc+texts)/recalc':>21} {'run/recalc':>10}")
    for case in ("fresh", "again"):
        best = {step: min(times[(case, step)]) for step in ("recalc", "texts", "run")}
        both = (best["recalc"][0] + best["texts"][0], best["recalc"][1] + best["texts"][1])

        def cell(t):
            return f"{t[0]:6.1f} ({t[1]:5.1f})"

        print(f"{case:>6} {cell(best['recalc']):>15} {cell(best['texts']):>15} {cell(both):>15} {cell(best['run']):>15}   "
              f"{best['texts'][0] / best['recalc'][0]:>12.2f} {both[0] / best['recalc'][0]:>21.2f} "
              f"{best['run'][0] / best['recalc'][0]:>10.2f}")
    print("goals: texts/recalc at most 0.5; run (recalc + texts in one go) under 1.3x recalc (CPU ratios above; "
          "wall ratios from the figures in brackets)")


if __name__ == "__main__":
    main()
