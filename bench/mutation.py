"""Mutation testing of the rules core, one module at a time: killed / mutants with tests / score.

    pip install -e .[mutation]           # mutmut 3 (Linux/macOS: it forks)
    nice python bench/mutation.py                       # all six modules of [tool.mutmut] only_mutate
    nice python bench/mutation.py money freight         # some of them (by file stem)
    python bench/mutation.py --report                   # the scores of the last run, without running
    python bench/mutation.py money --survivors          # ... and the names of the survivors

mutmut copies the package into mutants/ (git-ignored), mutates the six modules of pyproject.toml's
[tool.mutmut] and runs, for each mutant, only the tests of pytest_add_cli_args_test_selection that
reach the mutated function. `mutmut show <name>` prints one mutant's diff. Results are cached in
mutants/: a second run only re-checks what changed. docs/dev/mutation.md has the scores and the
survivors judged equivalent.

Score = killed / mutants with tests (a timeout counts as killed: the mutant made a test hang).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3}                        # pytest failed / errored
TIMEOUT = {36, -24, 24, 152, 255}
NO_TESTS = {5, 33}
SKIPPED = {34}


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return list(config["only_mutate"])


def run(module: str, jobs: int) -> int:
    """mutmut run on one module's mutants (their names start with the dotted module path)."""
    pattern = module.removesuffix(".py").replace("/", ".") + ".*"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # the mutated copy must win
    log = ROOT / "mutants" / f"run-{Path(module).stem}.log"              # mutmut's spinner, kept out of sight
    log.parent.mkdir(exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        return subprocess.call([sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), pattern],
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def tally(module: str) -> dict:
    meta = ROOT / "mutants" / (module + ".meta")
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    out = {"mutants": len(codes), "killed": 0, "timeout": 0, "survived": [], "no_tests": 0, "not_checked": 0,
           "other": 0}
    for name, code in codes.items():
        if code in KILLED:
            out["killed"] += 1
        elif code in TIMEOUT:
            out["timeout"] += 1
        elif code == 0:
            out["survived"].append(name)
        elif code in NO_TESTS or code in SKIPPED:
            out["no_tests"] += 1
        elif code is None:
            out["not_checked"] += 1
        else:
            out["other"] += 1           # suspicious / segfault: counted as tested, not killed
    return out


def report(selected: list[str], survivors: bool) -> None:
    print(f"{'module':32} {'killed':>7} {'tested':>7} {'score':>7} {'no tests':>9} {'unchecked':>9}")
    for module in selected:
        t = tally(module)
        if not t:
            print(f"{module:32} (not run)")
            continue
        killed = t["killed"] + t["timeout"]
        tested = killed + len(t["survived"]) + t["other"]
        score = f"{100 * killed / tested:.1f}%" if tested else "-"
        print(f"{module:32} {killed:>7} {tested:>7} {score:>7} {t['no_tests']:>9} {t['not_checked']:>9}")
        if survivors:
            for name in sorted(t["survived"]):
                print(f"    survived: {name}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="module stems (money, freight, sms ...); default: all six")
    parser.add_argument("--jobs", type=int, default=2, help="mutmut --max-children (default 2)")
    parser.add_argument("--report", action="store_true", help="print the last run's scores, run nothing")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    args = parser.parse_args(argv)
    selected = [m for m in modules() if not args.only or Path(m).stem in args.only]
    if not selected:
        parser.error(f"no module among {args.only}; choose from {[Path(m).stem for m in modules()]}")
    if not args.report:
        for module in selected:                 # one at a time: each run is CPU-heavy
            print(f"== {module}", flush=True)
            code = run(module, args.jobs)
            if code not in (0, None):
                print(f"mutmut exited with {code} on {module}: see mutants/run-{Path(module).stem}.log",
                      file=sys.stderr)
    report(selected, args.survivors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
