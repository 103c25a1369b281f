"""Merge + lint 10k generated rows with the default templates: this checkout against a baseline commit,
in the same run, and print both times and the ratio.

    python bench/merge_bench.py [--rows 10000] [--rounds 7] [--repeat 3] [--baseline COMMIT]

The baseline's `addin` package is extracted with `git archive` into a temp folder; each side runs in
its own fresh interpreter (this script with --worker, `addin` imported from the folder given), on the
same generated rows, and the rounds alternate baseline / current so both see the same machine load.
Each interpreter times --repeat cold runs (every cache of addin.messages cleared before each, a new
TemplateSet built inside the timing) and reports the fastest, in CPU time (steadier than wall time on a
shared machine) and wall time, with a digest of every result (texts, verdicts, findings), so the table
also says whether both sides agree.

Rows mix every SMS kind and every review route, with some rows that trip checks (opted-out numbers,
duplicates, missing fields, forbidden words in buyer text), so the slow paths are exercised too.
Issue 12's goal: at least 3x faster than the baseline (c56d2fe, main before the issue).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "c56d2fe41be6634630f04c4f8e18644b67944f21"    # main before issue 12 (merge + lint as measured there)

ITEMS = ["北欧布艺沙发三人位", "304不锈钢电热水壶1.7L", "纯棉四件套1.8m床", "儿童安全座椅", "无线蓝牙耳机降噪款",
         "北欧布艺沙发三人位客厅小户型现代简约科技布网红款", "天猫TMALL精选收纳箱"]
REVIEWS = ["很好用，物流也快", "物流快,但是用了两天就漏水", "不错，和图片一样", "一般般", "质量太差了，申请退货",
           "沙发坐着很舒服，颜色正，安装师傅也很耐心，" * 3, "不客气地说，这是我买过最好的", ""]


def make_rows(n: int, seed: int = 7) -> tuple[list[dict], set[str]]:
    from addin.messages.sms import KINDS

    rnd = random.Random(seed)
    kinds = [k.id for k in KINDS]
    rows = []
    for i in range(n):
        row = dict(shop_name="小美家居", platform=rnd.choice(["天猫", "淘宝", "京东", "拼多多"]),
                   phone=f"1{rnd.randint(3, 9)}{rnd.randint(0, 10**9 - 1):09d}", buyer_nick=f"tb_{i}",
                   order_id=str(3_800_000_000_000_000_000 + i), item_name=rnd.choice(ITEMS),
                   paid_amount=round(rnd.uniform(9.9, 2999), 2), customer_type=rnd.choice(["上班族", "学生", "其他"]),
                   ship_eta="10月9日前", refund_amount=round(rnd.uniform(9.9, 999), 2),
                   return_address="浙江省杭州市余杭区文一西路1号 小美家居售后收 0571-88886666",
                   promo_text="国庆全场满199减20", deadline_text="10月4日 11:00前", payer="buyer")
        if i % 2 == 0:
            row.update(stars=rnd.choice([5, 5, 5, 4, 3, 2, 1]), review_text=rnd.choice(REVIEWS),
                       has_photos=rnd.random() < 0.2)
        if i % 3 != 2:
            row["sms_kind"] = rnd.choice(kinds)
            row["send_at"] = dt.datetime(2026, 10, 8, rnd.randint(6, 23), rnd.randint(0, 59)) if i % 4 == 0 else None
        if i % 97 == 0:
            row["item_name"] = None                     # missing field -> row ERROR
        rows.append(row)
    opted_out = {rows[i]["phone"] for i in range(0, n, 50)}
    return rows, opted_out


def digest(results) -> str:
    """Everything a result shows, hashed: equal digests mean the same texts, verdicts and findings."""
    h = hashlib.sha256()
    for r in results:
        h.update(repr((r.review_route, r.reply_text, r.reply_verdict, [tuple(vars(f).values()) for f in r.reply_reasons],
                       r.sms_kind, r.sms_text, r.sms_chars, r.sms_parts, r.sms_verdict,
                       [tuple(vars(f).values()) for f in r.sms_reasons], r.planned_send_at, r.ok_to_send)).encode())
    return h.hexdigest()[:16]


def clear_caches() -> None:
    """Forget what an earlier run in this interpreter remembered (lint results, fingerprints, compiled
    templates: every functools cache in addin.messages), so each timed run starts cold."""
    import addin.messages as package

    for name, module in list(sys.modules.items()):
        if name.startswith(package.__name__):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def worker(n: int, repeat: int) -> None:
    """`repeat` timed merges in this interpreter, each cold (caches cleared, a new TemplateSet built inside
    the timing, as each workbook run builds one), after a warm-up merge of 50 other rows that loads the
    modules; prints the fastest."""
    import addin
    from addin.core.policy import DEFAULT_POLICY
    from addin.messages import TemplateSet, merge_rows

    rows, opted_out = make_rows(n)
    now = dt.datetime(2026, 10, 8, 12, 10)
    merge_rows(make_rows(50, seed=99)[0], TemplateSet.defaults(), DEFAULT_POLICY, now=now)   # imports, regexes
    best = None
    for _ in range(repeat):
        clear_caches()
        cpu, wall = time.process_time(), time.perf_counter()
        results = merge_rows(rows, TemplateSet.defaults(), DEFAULT_POLICY, now=now, opted_out=opted_out)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if best is None or cpu < best[0]:
            best = (cpu, wall)
    sms = Counter(r.sms_verdict for r in results if r.sms_verdict)
    replies = Counter(r.reply_verdict for r in results if r.reply_verdict)
    print(json.dumps({"cpu": best[0], "wall": best[1], "digest": digest(results),
                      "package": str(Path(addin.__file__).parent),
                      "sms": dict(sorted(sms.items())), "replies": dict(sorted(replies.items())),
                      "ready": sum(r.ok_to_send for r in results)}))


def extract(commit: str, into: Path) -> Path:
    """The `addin` package of `commit`, unpacked into `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit, "addin"],
                             check=True, capture_output=True).stdout
    tar = into / "addin.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as fh:
        fh.extractall(into)
    return into


def run_side(path: Path, n: int, repeat: int, script: Path | None = None) -> dict:
    """One side's worker (`script --worker`, this script by default) with `path`'s addin first on the
    path; its last output line, a JSON object naming the package it timed."""
    env = {**os.environ, "PYTHONPATH": str(path)}
    out = subprocess.run([sys.executable, str(script or Path(__file__).resolve()), "--worker", "--rows", str(n),
                          "--repeat", str(repeat)], env=env,
                         cwd=path, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if Path(result["package"]).resolve() != (path / "addin").resolve():     # the editable install won
        raise SystemExit(f"timed the wrong package: {result['package']} (expected {path / 'addin'})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs in each interpreter (the fastest counts)")
    parser.add_argument("--baseline", default=BASELINE, help="commit to compare with (default: main before issue 12)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.rows, args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="merge_bench_") as tmp:
        try:
            base_dir = extract(args.baseline, Path(tmp))
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SystemExit(f"cannot extract the baseline {args.baseline} with git archive: {exc}") from None
        sides = {"baseline": base_dir, "current": ROOT}
        runs: dict[str, list[dict]] = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name, path in sides.items():              # alternate, so both see the same load
                runs[name].append(run_side(path, args.rows, args.repeat))
    print(f"merge + lint of {args.rows:,} rows, CPU seconds: {args.rounds} rounds, each a fresh interpreter per side "
          f"timing {args.repeat} cold runs (baseline {args.baseline[:10]}):")
    best = {name: min(r["cpu"] for r in rs) for name, rs in runs.items()}
    for name, rs in runs.items():
        r = rs[0]
        rounds = ", ".join(f"{x['cpu']:.3f}" for x in rs)
        print(f"  {name:<9} CPU {best[name]:.3f} s ({best[name] / args.rows * 1e6:.0f} µs/row), "
              f"wall {min(x['wall'] for x in rs):.3f} s; rounds CPU {rounds} s")
        print(f"            replies {r['replies']}, sms {r['sms']}, ready {r['ready']}, digest {r['digest']}")
    same = len({r["digest"] for rs in runs.values() for r in rs}) == 1
    median = {name: statistics.median(r["cpu"] for r in rs) for name, rs in runs.items()}
    print(f"speed-up: {best['baseline'] / best['current']:.1f}x best against best, "
          f"{median['baseline'] / median['current']:.1f}x median against median (goal: at least 3x); "
          f"results {'identical' if same else 'DIFFER'} (texts, verdicts and findings)")


if __name__ == "__main__":
    main()
