"""Merge + lint 10k generated rows with the default templates and print the compute time.

    /tmp/venv/bin/python bench/merge_bench.py [rows]

Rows mix every SMS kind and every review route, with some rows that trip checks (opted-out numbers,
duplicates, missing fields, forbidden words in buyer text), so the slow paths are exercised too.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import Counter

from addin.core.policy import DEFAULT_POLICY
from addin.messages import TemplateSet, merge_rows
from addin.messages.sms import KINDS

ITEMS = ["北欧布艺沙发三人位", "304不锈钢电热水壶1.7L", "纯棉四件套1.8m床", "儿童安全座椅", "无线蓝牙耳机降噪款",
         "北欧布艺沙发三人位客厅小户型现代简约科技布网红款", "天猫TMALL精选收纳箱"]
REVIEWS = ["很好用，物流也快", "物流快,但是用了两天就漏水", "不错，和图片一样", "一般般", "质量太差了，申请退货",
           "沙发坐着很舒服，颜色正，安装师傅也很耐心，" * 3, "不客气地说，这是我买过最好的", ""]


def make_rows(n: int, seed: int = 7) -> tuple[list[dict], set[str]]:
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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rows, opted_out = make_rows(n)
    now = dt.datetime(2026, 10, 8, 12, 10)
    merge_rows(rows[:50], TemplateSet.defaults(), DEFAULT_POLICY, now=now, opted_out=opted_out)  # imports, regexes
    times = []
    for _ in range(3):
        templates = TemplateSet.defaults()      # fresh set: compiling the templates is part of the timing
        t0 = time.perf_counter()
        results = merge_rows(rows, templates, DEFAULT_POLICY, now=now, opted_out=opted_out)
        times.append(time.perf_counter() - t0)
    elapsed = min(times)
    replies = Counter(r.reply_verdict for r in results if r.reply_verdict)
    sms = Counter(r.sms_verdict for r in results if r.sms_verdict)
    print(f"merged+linted {n} rows in {elapsed:.3f} s ({elapsed / n * 1e6:.0f} µs/row); "
          f"runs: {', '.join(f'{t:.3f}' for t in times)} s")
    print(f"  replies: {sum(replies.values())} {dict(sorted(replies.items()))}")
    print(f"  sms:     {sum(sms.values())} {dict(sorted(sms.items()))}, ok_to_send={sum(r.ok_to_send for r in results)}")


if __name__ == "__main__":
    main()
