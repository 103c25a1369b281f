"""Every number the rules use, with the spec's defaults and alternatives.

The table :data:`PARAMS` is the single source: the rules read values from a :class:`Policy`,
and the workbook's 规则 sheet is built from it and overrides values by id. Ids start with the rule
id of rules.md they belong to, so an output that cites ``COMP-TB`` can be traced to the ``COMP-TB.*``
rows here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from .parse import CellError, quote, one_of, optional, to_bool, to_clock, to_date_list, to_int, to_money, to_rate


class PolicyError(ValueError):
    """A 规则 sheet value that cannot be used; carries a bilingual message."""

    def __init__(self, param_id: str, zh: str, en: str):
        super().__init__(f"{param_id}: {zh} / {en}")
        self.param_id, self.zh, self.en = param_id, zh, en


# Values are read by the same parsers as the case cells (addin.core.parse).
_optional_rate, _optional_money = optional(to_rate), optional(to_money)


@dataclass(frozen=True)
class Param:
    id: str
    default: Any
    parse: Callable[[Any], Any]
    zh: str                      # label staff see on the 规则 sheet
    source: str = ""             # rules.md sources
    alternative: str = ""        # the spec's alternative, where sources disagree

    def text(self, value=None) -> str:
        value = self.default if value is None else value
        if isinstance(value, tuple):
            return ", ".join(d.isoformat() for d in value)
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        if isinstance(value, bool):
            return "是" if value else "否"
        if value is None:
            return "未配置"
        return str(value)


D = Decimal
P = Param
PARAMS: tuple[Param, ...] = (
    # A. compensation -----------------------------------------------------------------------
    P("COMP-TB.rate", D("0.05"), to_rate, "淘宝延迟发货赔付比例", "P6"),
    P("COMP-TB.min", D("5"), to_money, "淘宝延迟发货最低赔付(元)", "P6"),
    P("COMP-TB.min_special", D("1"), to_money, "淘宝特殊类目最低赔付(元)", "P6"),
    P("COMP-TB.cap", D("30"), to_money, "淘宝延迟发货封顶(元)", "P6"),
    P("COMP-TM.rate", D("0.30"), to_rate, "天猫延迟发货赔付比例", "S3, P7"),
    P("COMP-TM.min", D("5"), to_money, "天猫延迟发货最低赔付(元)", "P7"),
    P("COMP-TM.cap", D("500"), to_money, "天猫同一买卖家封顶(元)", "S3, P7"),
    P("COMP-TM.merge_hours", 24, to_int, "天猫合并计算的付款间隔(小时)", "P7"),
    P("COMP-JD.rate", None, _optional_rate, "京东延迟发货赔付比例(需配置)", "U",
      "only a page title says 30%"),
    P("COMP-JD.min", None, _optional_money, "京东延迟发货最低赔付(元)", "U"),
    P("COMP-JD.cap", None, _optional_money, "京东延迟发货封顶(元)", "U"),
    P("COMP-PDD.rate", None, _optional_rate, "拼多多延迟发货赔付比例(需配置)", "U",
      "reportedly 5%, min 3, cap 100, as a coupon"),
    P("COMP-PDD.min", None, _optional_money, "拼多多延迟发货最低赔付(元)", "U"),
    P("COMP-PDD.cap", None, _optional_money, "拼多多延迟发货封顶(元)", "U"),
    P("LAD-2.min", D("5"), to_money, "客服自主赔偿下限(元), 低于则提示用优惠券", "S3"),
    P("LAD-2.approval_above", D("30"), to_money, "超过此金额需店长审批(元)", "S3"),
    P("JD-COMP-1.rate", D("0.10"), to_rate, "京东不当发布赔付比例", "P5 第十一条"),
    P("JD-COMP-1.cap", D("200"), to_money, "京东不当发布封顶(元)", "P5 第十一条"),
    P("JD-COMP-2.sku_cap_ratio", D("0.30"), to_rate, "京东赠品(有SKU)封顶占主商品比例", "P5 第二十四条"),
    P("JD-COMP-2.beans", 500, to_int, "京东赠品(无SKU无价值)最少京豆", "P5 第二十四条"),
    P("JD-COMP-2.beans_cap_ratio", D("0.50"), to_rate, "京东赠品(无SKU)封顶占主商品比例", "P5 第二十四条"),
    P("JD-PP.basis", "signing", one_of("signing", "order"), "京东价保起算: signing=签收后(S0) order=下单后(POP)",
      "S0, P10", "order: POP 7/15/30/90 days from order submission, as hours"),
    P("JD-PP.days", 30, to_int, "京东价保天数(商品页未写明时)", "S0"),
    # B. deadlines ----------------------------------------------------------------------------
    P("R7-1.days", 7, to_int, "七天无理由退货天数", "P1 第六条"),
    P("R7-2.basis", "calendar", one_of("calendar", "hours"),
      "七天无理由计算: calendar=签收次日起7个自然日(P1) hours=签收起168小时", "P1", "hours: Taobao 168 h practice"),
    P("R7-3.days", 7, to_int, "收到退货后退款天数", "P1 第十三条"),
    P("R7-3.penalty_days", 15, to_int, "退款超期处罚线(天)", "P1 第三十一条"),
    P("RF-TB.unshipped_hours", 48, to_int, "淘宝未发货退款自动退款(小时)", "P8"),
    P("RF-TB.shipped_days", 5, to_int, "淘宝已发货退款自动同意(天)", "P8"),
    P("RF-TB.virtual_days", 3, to_int, "淘宝虚拟商品退款自动同意(天)", "P8"),
    P("RF-TB.alert_days", 3, to_int, "退款内部预警(天)", "S1, S3"),
    P("RF-RET.receive_days", 10, to_int, "买家寄回后卖家收货期限(天)", "S3"),
    P("RF-RET.refused_days", 15, to_int, "拒绝后自动关闭(天)", "S3"),
    P("RF-RET.no_tracking_days", 2, to_int, "未填单号跟进(天)", "S3"),
    P("RF-RET.no_movement_days", 10, to_int, "物流无更新核查(天)", "S3"),
    P("RF-RET.unreachable_days", 20, to_int, "联系不上视为未退回(天)", "S3"),
    P("INS-1.hours", 72, to_int, "运费险理赔到账(小时)", "S3, P9"),
    P("PAY-TM.hours", 72, to_int, "天猫未付款关闭(小时)", "S3"),
    P("PAY-TM.promo_minutes", 30, to_int, "聚划算/双11未付款关闭(分钟)", "S3"),
    P("SLA-1.followup_hours", 24, to_int, "解决后回访(小时)", "S2"),
    P("SLA-1.offline_hours", 1, to_int, "线下投诉回复(小时)", "S2"),
    P("SLA-3.reply_hours", 24, to_int, "京东纠纷商家回复(小时)", "P4 第九条"),
    P("SLA-3.evidence_hours", 4, to_int, "京东举证(时钟小时)", "P4 第十六条"),
    P("SLA-3.clock_start", dt.time(9, 0), to_clock, "京东举证时钟开始", "P4"),
    P("SLA-3.clock_end", dt.time(18, 0), to_clock, "京东举证时钟结束", "P4"),
    P("SLA-3.appeal_days", 7, to_int, "京东申诉(自然日)", "P4"),
    P("SLA-4.hours", 48, to_int, "京东质量问题售后单审核(小时)", "P5 第十六条"),
    P("P3-83.workdays", 7, to_int, "淘宝起诉凭证(工作日)", "P3 第八十三条"),
    P("PROMISE.workdays", 3, to_int, "承诺发货(工作日), 订单未写明时", "deadline table"),
    P("RV-6.edit_days", 30, to_int, "中差评可修改期限(天)", "S1, P12"),
    P("RV-6.default_good_days", 15, to_int, "交易成功后默认好评(天)", "P12"),
    P("CAL.extra_holidays", (), to_date_list, "额外法定假日(逗号分隔日期, 用于2027年起)", "P13"),
    P("CAL.extra_workdays", (), to_date_list, "额外调休上班日(逗号分隔日期)", "P13"),
    # 2. freight ------------------------------------------------------------------------------
    P("F5.exchange", "buyer", one_of("buyer", "split"), "无理由换货运费: buyer=买家承担来回 split=各承担一半",
      "P3 第五十四条", "split: S3 卖家包邮款式各自承担一半"),
    # 4. messages -----------------------------------------------------------------------------
    P("SMS-2.single", 70, to_int, "单条短信字数", "P15"),
    P("SMS-2.part", 67, to_int, "长短信每条字数", "P15"),
    P("SMS-2.max", 500, to_int, "短信最多字数", "P15"),
    P("SMS-3.chars", 7, to_int, "催付短信店铺名须出现在前N个字", "S1"),
    P("SMS-3.scope", "received", one_of("received", "body"), "前N字计算: received=含签名 body=仅正文", "S1"),
    P("SMS-5.reminder_optout", True, to_bool, "催付短信也须带退订", "P19"),
    P("SMS-6.start", dt.time(8, 0), to_clock, "非通知类短信最早发送", "P17"),
    P("SMS-6.end", dt.time(21, 0), to_clock, "非通知类短信最晚发送", "P17, S1", "22:00 (P17, S1)"),
    P("SMS-8.large_order", D("500"), to_money, "大单金额(可二次催付)(元)", "S1"),
    P("SMS-8.daily_per_number", 50, to_int, "每号码每模板每日上限", "P15"),
    P("SMS-VAR.max_chars", 35, to_int, "短信模板变量每个最多字数(通知类)", "P15 (Aliyun: 通知类模板变量1-35个字符)"),
    P("RV-1.long_chars", 50, to_int, "长评字数(不可只回谢谢)", "S4"),
    P("SMS-5.optout_blocks_notices", True, to_bool,
      "已退订号码也不发通知类短信(否=仅警告)", "SMS-5, P19", "否: P19 covers 商业性短信息 only; notices get a WARN"),
    P("SMS-6.reminder_window", True, to_bool, "催付短信也受发送时段限制", "S1, P17"),
    P("SMS-7.lunch_start", dt.time(11, 30), to_clock, "上班族催付: 午休开始", "S1 (clock times: our reading)"),
    P("SMS-7.lunch_end", dt.time(13, 30), to_clock, "上班族催付: 午休结束", "S1 (clock times: our reading)"),
    P("SMS-7.evening_start", dt.time(17, 0), to_clock, "上班族催付: 下班前开始", "S1 (clock times: our reading)"),
    P("SMS-7.evening_end", dt.time(18, 30), to_clock, "上班族催付: 下班前结束", "S1 (clock times: our reading)"),
    P("SMS-7.other_end", dt.time(22, 0), to_clock, "学生及其他催付: 最晚", "S1 \"晚上10点前\""),
    P("SMS-8.reminders", 1, to_int, "每单催付次数", "S1"),
    P("SMS-8.reminders_large", 2, to_int, "大单催付次数", "S1 \"大单可二次催付\""),
    P("RV-1.min_reply_chars", 10, to_int, "长评/带图评价的回复最少字数(否则提示)", "S4 (threshold: ours)"),
    P("RV-3.min_stars", 4, to_int, "按差评处理负面内容的最低星级(4=所有好评)", "S4", "5: only 5-star reviews (literal S4)"),
    P("RV-4.good_min_stars", 4, to_int, "好评最低星级", "U (JD: 4-5★ 好评, 2-3★ 中评, 1★ 差评)"),
    P("RV-4.medium_min_stars", 2, to_int, "中评最低星级(以下为差评)", "U (JD: 4-5★ 好评, 2-3★ 中评, 1★ 差评)"),
)
del P, D

PARAMS_BY_ID: dict[str, Param] = {p.id: p for p in PARAMS}


class Policy(Mapping[str, Any]):
    """An immutable set of parameter values: defaults, then any overrides from a 规则 sheet."""

    def __init__(self, values: Mapping[str, Any] | None = None):
        merged = {p.id: p.default for p in PARAMS}
        if values:
            unknown = set(values) - set(merged)
            if unknown:
                raise KeyError(f"unknown policy ids: {sorted(unknown)}")
            merged.update(values)
        self._values = merged

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self):  # usable as a cache key
        return hash(tuple(sorted((k, repr(v)) for k, v in self._values.items())))

    def __eq__(self, other):
        return isinstance(other, Policy) and self._values == other._values

    def changed(self) -> dict[str, Any]:
        """The values that differ from the defaults (for logs and the summary)."""
        return {k: v for k, v in self._values.items() if v != PARAMS_BY_ID[k].default}

    def with_raw(self, raw: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple["Policy", list[PolicyError]]:
        """Apply raw cell values by id. Bad or unknown entries are reported and skipped, never fatal."""
        items = raw.items() if isinstance(raw, Mapping) else raw
        values = dict(self._values)
        errors: list[PolicyError] = []
        for key, value in items:
            key = str(key).strip()
            param = PARAMS_BY_ID.get(key)
            if param is None:
                errors.append(PolicyError(key, "未知参数ID, 已忽略", "unknown parameter id, ignored"))
                continue
            if value is None or (isinstance(value, str) and not value.strip() and param.default not in (None, ())):
                continue  # blank cell: keep the default
            try:
                values[key] = param.parse(value)
            except CellError as exc:
                errors.append(PolicyError(key, f"{exc.zh}, 使用默认值 {param.text()}",
                                          f"{exc.en}; using default {param.text()}"))
            except (ValueError, TypeError, ArithmeticError) as exc:
                errors.append(PolicyError(key, f"值无法识别({quote(value)}), 使用默认值 {param.text()}",
                                          f"cannot read {quote(value)} ({exc}); using default {param.text()}"))
        return Policy(values), errors


DEFAULT_POLICY = Policy()
