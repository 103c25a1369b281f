"""Benchmark (issue 12): the command line's start-up, in CPU seconds of a fresh process.

    python bench/startup_bench.py [--rounds 7]

Each line is a fresh interpreter, run `rounds` times (interleaved); it prints the best and the median
CPU time (user + system) and how many modules the process had imported. "recalc's imports" loads what
`aftersales recalc` loads before it reads the book (the CLI, recalc and the streamed writer), and says
whether Jinja2 was among them (it must not be: only texts, run, outbox, send and demo need the mail merge).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = "import sys; print(len(sys.modules), 'jinja2' in sys.modules)"
CASES = {
    "python -c pass (the interpreter alone)": ["-c", "pass"],
    "aftersales --help": ["-c", "import sys; from addin.cli import main\ntry: main(['--help'])\n"
                                "except SystemExit: pass\n" + REPORT],
    "import addin.cli": ["-c", "import addin.cli; " + REPORT],
    "recalc's imports (cli, recalc, streamed)": [
        "-c", "import addin.cli, addin.workbook.commands.recalc, addin.workbook.commands.recalc_stream; " + REPORT],
    "texts' imports (cli, texts, outbox)": ["-c", "import addin.cli, addin.workbook.commands.texts, addin.workbook.commands.outbox; "
                                                  + REPORT],
}


def cpu_of(argv: list[str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "COLUMNS": "100"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    last: dict[str, str] = {}
    for _ in range(args.rounds):
        for name, argv in CASES.items():
            cpu, last[name] = cpu_of(argv)
            times[name].append(cpu)
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; CPU seconds of a fresh process, "
          f"{args.rounds} rounds interleaved.\n")
    print("| start-up | CPU best | CPU median | modules | jinja2 |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, values in times.items():
        modules, jinja = (last[name].split() + ["–", "–"])[:2]
        jinja = {"True": "yes", "False": "no"}.get(jinja, "–")
        print(f"| {name} | {min(values):.3f} s | {statistics.median(values):.3f} s | {modules} | {jinja} |")


if __name__ == "__main__":
    main()
