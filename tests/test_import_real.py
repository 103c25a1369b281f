"""Real cases end to end (issue 18): a day's export of each platform, in its own shape, into a new workbook
made with the shop's settings (new-workbook --shop --platform --free-shipping), imported and recalculated.

Each export has at least 30 rows, every wording of its platform's status table (addin.core.stage.STATUS_RULES),
reason wordings from the platforms' public lists (addin.core.reasons.REASON_RULES, rows whose source is that
platform's list) and the platform's 超时时间, some already past at NOW. The shapes:

* 千牛 退款报表: a GBK csv of 41 columns. The headers are TB1/TB2's (docs/admin/导入.md); the columns no
  public source names (商品属性 …) only stand for the rest of the real report, which the import ignores.
* 京麦 服务单: its JD1 headers plus 超时时间 (our assumption, as in formats.py).
* 拼多多 售后单: an .xlsx whose rows are on the sheet 售后信息 (PD4), with 订单状态 and the refund dates.
* 抖店 售后单: an .xlsx with the DY1 headers and the assumed 退款金额/商品名称/超时时间.
"""
from __future__ import annotations

import builtins
import csv
import datetime as dt
import io
import itertools
import shutil
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.core.case import PLATFORM_ZH
from addin.core.policy import DEFAULT_POLICY
from addin.core.reasons import REASON_RULES
from addin.core.stage import STAGES, STATUS_RULES, status_rule
from addin.messages.merge import merge_rows
from addin.messages.render import TemplateSet
from addin.workbook.commands.importer import import_exports
from addin.workbook.commands.recalc import recalc
from addin.workbook.files.reader import read_workbook

NOW = dt.datetime(2026, 10, 12, 10, 0)
ROWS = 36
# 超时时间 relative to NOW, cycled over the rows (None: the export's cell is blank)
TIMEOUTS = (-50, -3, 2, 20, 72, None, 140, -1)

# --------------------------------------------------------------------------- reasons and statuses

# The reasons each platform's export carries: wordings of REASON_RULES whose source is that platform's list
# (L-*), or the 千牛 export and buyer lists (Q, A) for 淘宝/天猫. Price protection needs 降价金额 (in no export)
# and late shipment on 京东/拼多多 needs the shop's own rate: the exports of a day with those are another test.
REASON_SOURCES = {"TM": ("Q", "A", "L-TB"), "JD": ("L-JD", "A"), "PDD": ("L-PDD", "A"), "DY": ("L-DY",)}
DY_ALSO = ("少件/漏发", "商家发错货", "大小/尺寸/重量与商品描述不符", "其他")     # 抖店's list, rows of other lists


def reasons_of(platform: str) -> list:
    skip = {"price_protection"} | ({"late_shipment"} if platform in ("JD", "PDD") else set())
    rules = [r for r in REASON_RULES if r.source in REASON_SOURCES[platform] and r.reason not in skip
             and r.platform in (None, platform) and r.after_sales_type != "exchange"]
    if platform == "DY":
        rules += [r for r in REASON_RULES if r.text in DY_ALSO and r.after_sales_type is None]
    return list(dict.fromkeys(rules))


def statuses_of(platform: str) -> list[str]:
    return [r.text for r in STATUS_RULES[platform]]


def timeout_at(i: int) -> dt.datetime | None:
    hours = TIMEOUTS[i % len(TIMEOUTS)]
    return None if hours is None else NOW + dt.timedelta(hours=hours)


def fmt(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")


def plan(platform: str) -> list[dict]:
    """ROWS cases (more when the status table is longer): every status, the reasons cycled."""
    statuses = statuses_of(platform)
    reasons = itertools.cycle(reasons_of(platform))
    n = max(ROWS, len(statuses))
    out = []
    for i in range(n):
        asked = NOW - dt.timedelta(hours=30 + 7 * i)
        out.append({"i": i, "status": statuses[i % len(statuses)], "reason": next(reasons), "asked": asked,
                    "paid": f"{59 + 10 * i}.00", "timeout": timeout_at(i)})
    return out


# --------------------------------------------------------------------------- the four exports

QN_HEAD = [  # TB1 (the 天猫 export in Django), TB2 (the 淘宝 export's migration and 42-column list), then filler
    "订单编号", "退款编号", "支付宝交易号", "订单付款时间", "商品编码", "退款完结时间", "买家实际支付金额", "宝贝标题",
    "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间", "退款状态", "货物状态",
    "发货物流信息", "客服介入状态", "卖家真实姓名", "买家退款原因", "买家退款说明", "部分退款/全部退款",
    "买家会员名称", "退货物流单号", "退货物流公司", "买家退货时间", "售中或售后", "商家备注", "退款原因标签",
    "卖家退货地址", "退货物流信息", "责任方",
    "商品属性", "宝贝数量", "订单状态说明", "退款类型", "退款版本", "完结类型", "是否闲鱼", "申请人", "店铺类型",
    "数据导出时间"]
assert len(QN_HEAD) == 41


def qianniu_csv(path: Path, cases: list[dict], *, drop: tuple[str, ...] = ()) -> Path:
    head = [h for h in QN_HEAD if h not in drop]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(head)
    for c in cases:
        done = STAGES.get(status_rule("TM", c["status"]).stage) if status_rule("TM", c["status"]) else None
        line = {"订单编号": f'="{3000212300000000000 + c["i"]}"', "退款编号": f'="{187600000000000000 + c["i"]}"',
                "订单付款时间": fmt(c["asked"] - dt.timedelta(days=3)), "买家实际支付金额": c["paid"],
                "宝贝标题": "加厚保暖袜 5双装", "买家退款金额": c["paid"], "是否需要退货": "是" if c["i"] % 2 else "否",
                "退款的申请时间": fmt(c["asked"]), "超时时间": fmt(c["timeout"]), "退款状态": c["status"],
                "货物状态": ("买家已收到货", "买家未收到货", "买家已退货")[c["i"] % 3],
                "买家退款原因": c["reason"].text, "买家会员名称": f"tb_buyer{c['i'] % 7}", "售中或售后": "售后",
                "退款完结时间": fmt(c["asked"] + dt.timedelta(hours=5)) if done and not done.open else "",
                "数据导出时间": fmt(NOW)}
        w.writerow([line.get(h, "") for h in head])
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path


JM_HEAD = ["服务单号", "申请单号", "订单号", "商品编号", "商品名称", "客户期望", "服务单状态", "申请时间", "客户账号",
           "实付金额", "退款金额", "退款原因", "问题描述", "店铺名称", "超时时间"]


def jingmai_rows(cases: list[dict]) -> list[list]:
    rows = [["京麦 服务单导出"], JM_HEAD]
    for c in cases:
        line = {"服务单号": f"15300{c['i']:05d}", "订单号": f"29000000{c['i']:04d}", "商品名称": "电热水壶",
                "客户期望": ("退货", "换货", "维修")[c["i"] % 3] if c["reason"].reason != "no_reason_return" else "退货",
                "服务单状态": c["status"], "申请时间": c["asked"].strftime("%Y/%m/%d %H:%M"), "客户账号": f"jd_{c['i']}",
                "实付金额": c["paid"], "退款金额": c["paid"], "退款原因": c["reason"].text, "问题描述": "买家的话",
                "店铺名称": "小美京东旗舰店", "超时时间": fmt(c["timeout"])}
        rows.append([line.get(h, "") for h in JM_HEAD])
    return rows


PDD_HEAD = ["售后编号", "订单编号", "商品名称", "售后类型", "售后原因", "售后状态", "订单状态", "退款金额(元)",
            "用户实付金额(元)", "申请时间", "同意退款时间", "退款成功时间", "售后完成时间", "发货时间", "退货运单号",
            "超时时间"]
PDD_TYPES = ("仅退款", "退货退款", "拦截退货")


def pinduoduo_xlsx(path: Path, cases: list[dict]) -> Path:
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "导出说明"                       # another sheet first: the rows are on 售后信息
    cover.append(["售后编号", "订单编号", "说明"])
    cover.append(["PA-说明", "000000-000000000000000", "本文件由商家后台导出"])
    ws = wb.create_sheet("售后信息")
    ws.append(PDD_HEAD)
    for c in cases:
        order_state = ("未发货", "已发货", "已签收")[c["i"] % 3]
        line = {"售后编号": f"PA26101{c['i']:05d}", "订单编号": f"261010-1234567890{c['i']:05d}", "商品名称": "收纳盒",
                "售后类型": PDD_TYPES[c["i"] % 3], "售后原因": c["reason"].text, "售后状态": c["status"],
                "订单状态": order_state, "退款金额(元)": c["paid"], "用户实付金额(元)": c["paid"],
                "申请时间": fmt(c["asked"]), "超时时间": fmt(c["timeout"]),
                "发货时间": "" if order_state == "未发货" else fmt(c["asked"] - dt.timedelta(days=1)),
                "同意退款时间": fmt(c["asked"] + dt.timedelta(hours=2)) if c["i"] % 4 == 0 else "",
                "退款成功时间": fmt(c["asked"] + dt.timedelta(hours=6)) if c["i"] % 4 == 1 else ""}
        ws.append([line.get(h, "") or None for h in PDD_HEAD])
    wb.save(path)
    return path


DY_HEAD = ["订单号", "商品单号", "售后单号", "售后类型", "售后申请时间", "售后原因", "售后状态", "退货物流单号",
           "退货发货时间", "同意售后申请时间", "商家退款时间", "售后关闭时间", "售后完结时间", "商品名称", "退款金额",
           "超时时间"]


def doudian_xlsx(path: Path, cases: list[dict]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "售后单"
    ws.append(DY_HEAD)
    for c in cases:
        line = {"订单号": f"69{c['i']:017d}", "商品单号": f"69{c['i']:017d}", "售后单号": f"7{c['i']:018d}",
                "售后类型": ("仅退款", "退货退款", "拦截退货")[c["i"] % 3], "售后申请时间": fmt(c["asked"]),
                "售后原因": c["reason"].text, "售后状态": c["status"], "商品名称": "蓝牙耳机", "退款金额": c["paid"],
                "超时时间": fmt(c["timeout"])}
        ws.append([line.get(h, "") or None for h in DY_HEAD])
    wb.save(path)
    return path


# --------------------------------------------------------------------------- the workbook

SHOP_OPTIONS = ["--shop", "小美家居", "--platform", "天猫", "--free-shipping", "包邮"]


@pytest.fixture(scope="module")
def shop_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("real") / "master.xlsm"
    assert main(["new-workbook", str(path), *SHOP_OPTIONS]) == 0
    return path


@pytest.fixture
def book(shop_book, tmp_path) -> Path:
    return Path(shutil.copy(shop_book, tmp_path / "售后.xlsm"))


def case_rows(path: Path) -> list[dict]:
    grid = read_workbook(path, ["案件"])["案件"]
    head = [h.rstrip("*") if isinstance(h, str) else h for h in grid[0]]
    return [{h: v for h, v in zip(head, row) if v not in (None, "")} for row in grid[1:]
            if any(v not in (None, "") for v in row)]


def as_time(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


EXPORTS = {
    "TM": lambda tmp, cases: qianniu_csv(tmp / "退款报表.csv", cases),
    "JD": lambda tmp, cases: _write_csv(tmp / "京麦服务单.csv", jingmai_rows(cases), "gbk"),
    "PDD": lambda tmp, cases: pinduoduo_xlsx(tmp / "拼多多售后.xlsx", cases),
    "DY": lambda tmp, cases: doudian_xlsx(tmp / "抖店售后单.xlsx", cases),
}


def _write_csv(path: Path, rows: list[list], encoding: str) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# --------------------------------------------------------------------------- a day of each platform

@pytest.mark.parametrize("platform", ["TM", "JD", "PDD", "DY"])
def test_a_days_export_imports_and_recalcs_as_the_platform_sees_it(book, tmp_path, platform):
    cases = plan(platform)
    report = import_exports(book, [EXPORTS[platform](tmp_path, cases)])
    assert report.files[0].platform == platform          # 千牛: the 规则 sheet's 默认平台 (天猫) decided
    assert report.added == len(cases) >= 30 and not report.refused
    summary = recalc(book, now=NOW)
    rows = {str(r["订单号"]): r for r in case_rows(book)}
    assert len(rows) == len(cases)
    assert {r["平台"] for r in rows.values()} == {PLATFORM_ZH[platform]}
    assert sum("超时时间" in r for r in rows.values()) == sum(c["timeout"] is not None for c in cases)

    overdue = due_today = 0
    end_of_day = dt.datetime.combine(NOW.date(), dt.time(23, 59, 59))
    for row in rows.values():
        status, due = row["状态"], row.get("下一截止")
        assert "包邮" not in row.get("错误", "") and "店铺名" not in row.get("错误", ""), row   # day one: no wall of red
        assert "错误" not in row, (row["退款状态"], row["售后原因"], row.get("错误"))
        rule = status_rule(platform, row["退款状态"])
        assert rule is not None, row["退款状态"]
        stage = STAGES.get(rule.stage)
        if stage is not None and not stage.open:                 # finished or closed: said so, no deadline
            assert status == stage.zh and due is None, row
            continue
        if due is not None:
            overdue += as_time(due) < NOW
            due_today += NOW <= as_time(due) <= end_of_day
        if "超时时间" in row:                                     # the platform's clock, or an earlier one of ours
            timeout = as_time(row["超时时间"])
            assert due is not None and as_time(due) <= timeout, row
            if timeout < NOW:
                assert status == "已逾期", row
    assert summary.overdue == overdue > 0                        # finished and closed rows are in no count
    assert summary.due_today == due_today
    finished = [r for r in rows.values() if r["状态"] in ("已完结", "已关闭")]
    assert finished and all("下一截止" not in r for r in finished)

    wordings = [r["售后原因"] for r in rows.values()]
    unread = [r["售后原因"] for r in rows.values() if "判定原因" not in r]
    assert len(unread) * 50 <= len(wordings), unread             # at most 1 wording in 50 unrecognised


def test_qianniu_fills_the_platform_state_so_the_tmall_clocks_start(book, tmp_path):
    cases = plan("TM")
    import_exports(book, [qianniu_csv(tmp_path / "退款报表.csv", cases)])
    rows = case_rows(book)
    assert all("超时时间" in r for r in rows if r["订单号"] and timeout_at(int(str(r["订单号"])[-2:])) is not None)
    assert {r["货物状态"] for r in rows} == {"买家已收到货", "买家未收到货", "买家已退货"}
    recalc(book, now=NOW)
    waiting = [r for r in case_rows(book) if r["退款状态"] == "买家已经申请退款，等待卖家同意"]
    assert waiting and all("RF-TB" in r["规则编号"] or "PLAT-TIMEOUT" in r["规则编号"] for r in waiting)


def test_pinduoduo_reads_the_after_sales_sheet_order_state_and_refund_dates(book, tmp_path):
    cases = plan("PDD")
    report = import_exports(book, [pinduoduo_xlsx(tmp_path / "拼多多售后.xlsx", cases)])
    assert report.files[0].name.endswith("[售后信息]") and report.added == len(cases)
    rows = {r["退款编号"]: r for r in case_rows(book)}
    assert {r["订单状态"] for r in rows.values()} == {"未发货", "已发货", "已签收"}
    agreed = rows[f"PA26101{0:05d}"]                             # only 同意退款时间: the refund's date
    assert as_time(agreed["退款完成时间"]) == cases[0]["asked"] + dt.timedelta(hours=2)
    assert {r["售后类型"] for r in rows.values()} == set(PDD_TYPES)


def test_doudian_computes_only_what_is_sourced_and_says_so(book, tmp_path):
    cases = plan("DY")
    for c in cases[:3]:
        c["timeout"] = None
    statuses = statuses_of("DY")
    cases[0]["status"] = statuses[1]                             # 售后申请: open, no 超时时间
    cases[1]["status"] = "待商家同意"
    late = next(r for r in REASON_RULES if r.reason == "late_shipment" and r.platform is None)
    cases[2]["reason"] = late
    import_exports(book, [doudian_xlsx(tmp_path / "抖店售后单.xlsx", cases)])
    recalc(book, now=NOW)
    rows = {r["退款编号"]: r for r in case_rows(book)}
    first, second, third = (rows[f"7{i:018d}"] for i in range(3))
    assert "RF-DY" in first["规则编号"] and "抖店退款超时规则无公开来源" in first["提示"]
    assert "RF-DY" in second["规则编号"]
    assert "COMP-DY" in third["规则编号"] and "抖店延迟发货赔付" in third["提示"] and "赔偿金额" not in third
    assert "错误" not in third
    with_timeout = [r for r in rows.values() if "超时时间" in r]
    assert with_timeout and all("RF-DY" not in r.get("规则编号", "") for r in with_timeout)


# --------------------------------------------------------------------------- the platform trap

def test_importing_again_under_another_platform_updates_and_says_so(book, tmp_path, capsys):
    cases = plan("TM")
    src = qianniu_csv(tmp_path / "退款报表.csv", cases)
    first = import_exports(book, [src])
    assert first.files[0].platform == "TM" and "默认平台" in first.files[0].note
    before = len(case_rows(book))
    assert main(["import", str(book), str(src), "--platform", "淘宝"]) == 0
    out = capsys.readouterr().out
    assert f"平台已更改 platform changed: 天猫 → 淘宝 {len(cases)} 行" in out
    assert "新增 added: 0" in out
    rows = case_rows(book)
    assert len(rows) == before and {r["平台"] for r in rows} == {"淘宝"}
    again = import_exports(book, [src], platform="天猫")
    assert again.added == 0 and again.platform_changes == {("TB", "TM"): len(cases)}


def test_the_same_refund_twice_in_a_file_is_reported_and_one_order_may_have_two_refunds(book, tmp_path):
    cases = plan("TM")[:4]
    twice = dict(cases[0])
    second_refund = dict(cases[1], i=cases[1]["i"])
    rows = jingmai_rows(cases) + jingmai_rows([twice])[2:]
    extra = jingmai_rows([second_refund])[2]
    extra[JM_HEAD.index("服务单号")] = "1530099999"                 # same order, another service order
    rows.append(extra)
    report = import_exports(book, [_write_csv(tmp_path / "京麦服务单.csv", rows, "gbk")])
    assert report.added == 5
    assert len(report.refused) == 1 and "重复" in report.refused[0].zh and "订单号+退款编号" in report.refused[0].zh


# --------------------------------------------------------------------------- what import could not do

def test_an_export_without_its_reason_column_names_it_as_not_found(book, tmp_path, capsys):
    src = qianniu_csv(tmp_path / "退款报表.csv", plan("TM")[:5], drop=("买家退款原因",))
    assert main(["import", str(book), str(src)]) == 0
    out = capsys.readouterr().out
    assert "「售后原因」未找到来源列" in out
    ignored = next(line for line in out.splitlines() if "忽略的列 ignored columns" in line)
    assert "支付宝交易号" in ignored and "商品属性" in ignored and "退款状态" not in ignored
    assert all("售后原因" not in r for r in case_rows(book))


def test_an_html_table_saved_as_xls_imports(book, tmp_path):
    cases = plan("JD")[:6]
    rows = jingmai_rows(cases)
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in rows[1:])
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
            f'<table border="1"><tr><td colspan="{len(JM_HEAD)}">京麦 服务单导出</td></tr>{cells}</table></body></html>')
    src = tmp_path / "服务单.xls"
    src.write_bytes(page.encode("gbk"))
    report = import_exports(book, [src])
    assert report.files[0].format.id == "JM" and report.added == 6 and not report.refused
    got = {r["退款编号"]: r for r in case_rows(book)}
    assert got["1530000000"]["商品名称"] == "电热水壶" and got["1530000000"]["退款状态"] == cases[0]["status"]


# --------------------------------------------------------------------------- one shop, set once

def test_new_workbook_asks_once_in_a_terminal_and_never_elsewhere(tmp_path, monkeypatch, capsys):
    def refuse(prompt=""):
        raise AssertionError("asked without a terminal")

    monkeypatch.setattr(builtins, "input", refuse)
    assert main(["new-workbook", str(tmp_path / "a.xlsm")]) == 0        # pytest's stdin is no terminal
    answers = iter(["快手", "拼多多", "不包邮"])                       # a word it cannot read is asked again
    asked = []
    monkeypatch.setattr(builtins, "input", lambda prompt="": asked.append(prompt) or next(answers))
    monkeypatch.setattr("sys.stdin", type("Tty", (), {"isatty": lambda self: True})())
    assert main(["new-workbook", str(tmp_path / "b.xlsm"), "--shop", "小美家居"]) == 0
    assert len(asked) == 3 and "默认平台" in asked[0] == asked[1] and "包邮" in asked[2]   # not the shop: given
    assert "未知平台 '快手'" in capsys.readouterr().out
    policy = {r[0]: r[2] for r in read_workbook(tmp_path / "b.xlsm", ["规则"])["规则"][1:]}
    assert (policy["SHOP.name"], policy["SHOP.platform"], policy["FREE.default"]) == ("小美家居", "拼多多", "不包邮")


def test_a_blank_shop_name_cell_takes_the_shop_of_the_rules_sheet():
    policy, errors = DEFAULT_POLICY.with_raw([("SHOP.name", "小美家居")])
    assert not errors
    row = {"sms_kind": "催付", "phone": "13800138000", "order_id": "1", "item_name": "保暖袜", "customer_type": "学生"}
    [without] = merge_rows([dict(row)], TemplateSet.defaults(), DEFAULT_POLICY, now=NOW)
    [with_shop] = merge_rows([dict(row)], TemplateSet.defaults(), policy, now=NOW)
    assert without.sms_verdict == "ERROR" and any("店铺名" in f.zh for f in without.sms_reasons)
    assert not any("店铺名" in f.zh or f.rule in ("SMS-1", "SMS-3") for f in with_shop.sms_reasons), with_shop.sms_reasons
    assert with_shop.sms_text.startswith("【小美家居】")             # the signature, and the reminder names the shop
