"""How review routing reads real review texts: every text of a labelled corpus entered as a 5-star review,
routed by the add-in's own code (addin.messages.reviews.classify_review), counted against the labels.

    python bench/review_bench.py CORPUS.csv [--split all|dev|test] [--by-cat] [--show N] [--baseline COMMIT]

CORPUS.csv: a CSV with a ``label`` column (1 positive, 0 negative), a ``review`` column and optionally ``cat``;
e.g. online_shopping_10_cats.csv of SophonPlus/ChineseNlpCorpus (62,774 reviews of 10 categories, 京东/淘宝
style; https://github.com/SophonPlus/ChineseNlpCorpus/tree/master/datasets/online_shopping_10_cats).
The corpus stays out of the repository: pass its path.

--split: ``dev`` (texts whose MD5 is even: the half the cue lists were tuned on), ``test`` (the other half,
never looked at while tuning) or ``all``. --show N prints N examples of each kind of miss, to tune on
dev. --baseline COMMIT also routes with that commit's addin (extracted with git archive) for comparison.

Prints the confusion table (好评 / 人工确认 / 差评 against the labels) and the three goal figures of issue 23:
positive reviews routed 差评 (goal ≤ 2 %), positive reviews routed 人工确认 (≤ 10 %), negative reviews
routed 差评 or 人工确认 (≥ 60 %).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import importlib
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("好评", "人工确认", "差评")
GOALS = (("正面评价 → 差评", "≤ 2 %"), ("正面评价 → 人工确认", "≤ 10 %"), ("负面评价 → 差评或人工确认", "≥ 60 %"))


def read_corpus(path: str, split: str) -> list[tuple[str, int, str]]:
    """(text, label, category) rows of the chosen half."""
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for rec in csv.DictReader(f):
            text = (rec.get("review") or "").strip().lstrip("\ufeff")
            if not text or rec.get("label") not in ("0", "1"):
                continue
            if split != "all":
                odd = hashlib.md5(text.encode("utf-8")).digest()[-1] & 1
                if odd != (split == "test"):
                    continue
            rows.append((text, int(rec["label"]), rec.get("cat") or ""))
    return rows


def outcome(routing) -> str:
    return {"manual": "人工确认", "bad": "差评"}.get(routing.route, "好评")


def route_all(reviews_module, rows):
    Review, classify = reviews_module.Review, reviews_module.classify_review
    out = []
    for text, label, cat in rows:
        routing = classify(Review(5, text))
        out.append((outcome(routing), label, cat, text, routing))
    return out


def table(results, title: str) -> list[float]:
    counts = Counter((label, out) for out, label, *_ in results)
    pos, neg = sum(counts[1, o] for o in OUTCOMES), sum(counts[0, o] for o in OUTCOMES)
    print(f"\n{title}")
    print(f"{'':10}" + "".join(f"{o:>10}" for o in OUTCOMES) + f"{'合计':>8}")
    for label, name, n in ((1, "正面(1)", pos), (0, "负面(0)", neg)):
        print(f"{name:10}" + "".join(f"{counts[label, o]:>6} {100 * counts[label, o] / max(n, 1):4.1f}%"[-11:].rjust(12)
                                      for o in OUTCOMES) + f"{n:>8}")
    figures = [100 * counts[1, "差评"] / max(pos, 1), 100 * counts[1, "人工确认"] / max(pos, 1),
               100 * (counts[0, "差评"] + counts[0, "人工确认"]) / max(neg, 1)]
    for (name, goal), value in zip(GOALS, figures):
        ok = value <= float(goal.split()[1]) if goal.startswith("≤") else value >= float(goal.split()[1])
        print(f"  {name}: {value:5.1f} %  (目标 {goal}) {'达到' if ok else '未达到'}")
    return figures


def load_baseline(commit: str, tmp: str):
    data = subprocess.run(["git", "archive", commit, "addin"], cwd=ROOT, check=True, capture_output=True).stdout
    path = Path(tmp) / "addin.tar"
    path.write_bytes(data)
    with tarfile.open(path) as tar:
        tar.extractall(tmp, filter="data")
    for name in [m for m in sys.modules if m == "addin" or m.startswith("addin.")]:
        del sys.modules[name]
    sys.path.insert(0, tmp)
    return importlib.import_module("addin.messages.reviews")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--split", choices=("all", "dev", "test"), default="all")
    ap.add_argument("--by-cat", action="store_true", help="one table per category too")
    ap.add_argument("--show", type=int, default=0, help="print N examples of each kind of miss")
    ap.add_argument("--baseline", help="also route with this commit's addin")
    args = ap.parse_args(argv)
    rows = read_corpus(args.corpus, args.split)
    sys.path.insert(0, str(ROOT))
    from addin.messages import reviews
    results = route_all(reviews, rows)
    print(f"{args.corpus}: {len(rows)} 条 ({args.split}), 每条按5星评价处理")
    table(results, "本分支 (addin.messages.reviews)")
    if args.by_cat:
        by_cat = defaultdict(list)
        for r in results:
            by_cat[r[2]].append(r)
        for cat, rs in sorted(by_cat.items()):
            table(rs, f"类别 {cat}")
    if args.show:
        for label, out in ((1, "差评"), (1, "人工确认"), (0, "好评")):
            print(f"\n--- 标注 {label} 但 {out}:")
            for r in [r for r in results if r[1] == label and r[0] == out][:args.show]:
                notes = "; ".join(f.zh for f in r[4].findings if f.rule != "RV-5")
                print(f"  [{r[2]}] {r[3][:90]}  ⟶ {notes}")
    if args.baseline:
        with tempfile.TemporaryDirectory() as tmp:
            table(route_all(load_baseline(args.baseline, tmp), rows), f"基线 {args.baseline[:10]}")


if __name__ == "__main__":
    main()
