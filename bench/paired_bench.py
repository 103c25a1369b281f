"""recalc, texts and run of this tree against a baseline commit, in paired rounds (issue 22).

    python bench/paired_bench.py [--baseline COMMIT] [--rows 100000] [--rounds 3] [--commands recalc texts run]

The baseline's `addin` package is extracted with `git archive` (bench/merge_bench.py's extract). Each
round runs every command on bench/recalc_bench.py's book ("fresh") and on its recalculated copy
("again"), baseline then this tree, each in a fresh process (recalc_bench.measure: CPU of the whole
process tree, wall, peak summed PSS). The ratio of each pair is taken within its round, so both sides
see the same load on a shared machine; the median ratio over the rounds is printed with its range.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.merge_bench import extract          # noqa: E402
from bench.recalc_bench import NOW, OUT, make_book, measure   # noqa: E402

BASELINE = "cbc8173"          # main when issue 22 started


def command(tree: Path, name: str, book: Path, out: Path) -> list[str]:
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); import addin; "
            f"assert addin.__file__.startswith({str(tree)!r}), addin.__file__; "
            "from addin.cli import main; sys.exit(main(sys.argv[1:]))")
    extra = ["--quiet"] if name in ("recalc", "run") else []
    if name == "run":
        extra += ["--outbox", str(out) + "_outbox"]
    return [sys.executable, "-c", code, name, str(book), "--out", str(out), "--now", NOW, *extra]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--commands", nargs="*", default=["recalc", "texts", "run"])
    args = parser.parse_args()
    src = OUT / f"cases_{args.rows}.xlsx"
    if not src.exists():
        make_book(src, args.rows)
    with tempfile.TemporaryDirectory(prefix="aftersales-paired-") as tmp:
        tmp = Path(tmp)
        (tmp / "base").mkdir()
        base = extract(args.baseline, tmp / "base")
        again = tmp / "again.xlsx"
        subprocess.run(command(ROOT, "recalc", src, again), check=True, capture_output=True)
        sides = {"base": base, "new": ROOT}
        got: dict = {}
        for rnd in range(args.rounds):
            for case, book in (("fresh", src), ("again", again)):
                for name in args.commands:
                    for side, tree in sides.items():
                        out = tmp / f"{side}_{case}_{name}.xlsx"
                        m = measure(command(tree, name, book, out))
                        got.setdefault((case, name), {}).setdefault(side, []).append(m)
                        out.unlink(missing_ok=True)
                        shutil.rmtree(str(out) + "_outbox", ignore_errors=True)
            print(f"(round {rnd + 1} of {args.rounds} done)", file=sys.stderr, flush=True)
    print(f"{args.rows:,} rows, {args.rounds} paired rounds, baseline {args.baseline}; "
          "CPU s of the process tree (median), peak MB (max)")
    print("| case | command | base CPU | new CPU | new ÷ base (median, range) | base MB | new MB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for (case, name), by in got.items():
        ratios = [n["cpu"] / b["cpu"] for b, n in zip(by["base"], by["new"])]
        med = lambda side: statistics.median(m["cpu"] for m in by[side])   # noqa: E731
        peak = lambda side: max(m["mb"] for m in by[side])                 # noqa: E731
        print(f"| {case} | {name} | {med('base'):.2f} | {med('new'):.2f} | {statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}–{max(ratios):.2f}) | {peak('base'):.0f} | {peak('new'):.0f} |")


if __name__ == "__main__":
    main()
