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

from .case import PLATFORM_ZH
from .parse import (CellError, quote, one_of, optional, to_bool, to_clock, to_date_list, to_int, to_money,
                    to_platform, to_rate, to_text)
from .errors import BilingualError


class PolicyError(BilingualError, ValueError):
    """A 规则 sheet value that cannot be used; carries a bilingual message."""

    def __init__(self, param_id: str, zh: str, en: str):
        super().__init__(zh, en, "policy", message=f"{param_id}: {zh} / {en}")
        self.param_id = param_id


# Values are read by the same parsers as the case cells (addin.core.parse).
_optional_rate, _optional_money = optional(to_rate), optional(to_money)


# Where the numbers come from (rules.md's source list): id -> the name the 规则 sheet shows.
SOURCES: dict[str, str] = {
    "S0": "京东618大促客服资料(派代培训资料)",
    "S1": "张攀客服课程(培训资料)",
    "S2": "投诉处理(培训资料)",
    "S3": "淘宝天猫流程与话术(培训资料)",
    "S4": "京东售后(培训资料)",
    "P1": "网络购买商品七日无理由退货暂行办法",
    "P2": "消费者权益保护法",
    "P3": "淘宝平台争议处理规则",
    "P4": "京东开放平台交易纠纷处理总则",
    "P5": "京东开放平台商品类问题纠纷处理标准",
    "P6": "淘宝延迟发货规则(网页)",
    "P7": "天猫延迟发货规则(网页)",
    "P8": "淘宝退款超时规则(网页)",
    "P9": "运费险理赔说明(网页)",
    "P10": "京东价保说明(网页)",
    "P11": "京东催单处罚说明(网页)",
    "P12": "淘宝网评价规范",
    "P13": "国务院办公厅节假日安排通知",
    "P14": "民法典 第二百零一至二百零三条",
    "P15": "短信字数与模板规则(阿里云、华为云)",
    "P16": "阿里云短信签名规范",
    "P17": "华为云短信常见问题",
    "P18": "腾讯云短信常见问题",
    "P19": "通信短信息服务管理规定(工信部令第31号)",
    "P20": "阿里云营销短信说明",
    "U": "未经核实",
}

# The display language (显示语言) of every text the add-in writes into cells (addin.core.display).
LANG_ZH, LANG_ZH_EN = "中文", "中文+English"
LANGUAGE_ALIASES = {"zh": LANG_ZH, "chinese": LANG_ZH, "简体中文": LANG_ZH, "中文+英文": LANG_ZH_EN, "中英": LANG_ZH_EN,
                    "中英文": LANG_ZH_EN, "双语": LANG_ZH_EN, "zh+en": LANG_ZH_EN, "bilingual": LANG_ZH_EN,
                    "chinese+english": LANG_ZH_EN}


@dataclass(frozen=True)
class Param:
    id: str
    default: Any
    parse: Callable[[Any], Any]
    zh: str                      # label staff see on the 规则 sheet
    source: str = ""             # source ids (SOURCES), comma-separated
    alternative: str = ""        # the spec's alternative where sources disagree, in Chinese
    note: str = ""               # where in the source (第十一条), or how we read it, in Chinese
    alternative_en: str = ""     # the alternative in English (README, 中文+English)

    def text(self, value=None) -> str:
        """A value as the 规则 sheet shows it (a switch by its word: calendar -> 自然日)."""
        value = self.default if value is None else value
        if isinstance(value, tuple):
            return ", ".join(d.isoformat() for d in value)
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        if isinstance(value, bool):
            return "是" if value else "否"
        if value is None:
            return "未配置"
        labels = getattr(self.parse, "labels", None)
        return labels.get(value, str(value)) if labels else str(value)

    def source_text(self) -> str:
        """The sources by name, then the note: '京东开放平台商品类问题纠纷处理标准 第十一条'."""
        names = "、".join(SOURCES[s.strip()] for s in self.source.split(",") if s.strip())
        return " ".join(part for part in (names, self.note) if part)


D = Decimal
P = Param
_SWITCH_WORDS = {"JD-PP.basis": {"signing": "签收后", "order": "下单后"},
                 "R7-2.basis": {"calendar": "自然日", "hours": "168小时"},
                 "F5.exchange": {"buyer": "买家承担", "split": "各付一程"},
                 "FREE.default": {"ask": "逐行填写", "yes": "包邮", "no": "不包邮"},
                 "SMS-3.scope": {"received": "含签名", "body": "仅正文"}}


# Other spellings staff may type for a switch (the option and its word above always work).
_SWITCH_ALIASES = {"FREE.default": {"询问": "ask", "每行填写": "ask", "逐行": "ask", "留空": "ask", "不设置": "ask",
                                    "是": "yes", "全部包邮": "yes", "默认包邮": "yes", "全店包邮": "yes",
                                    "否": "no", "非包邮": "no", "不包": "no", "全部不包邮": "no"}}


def _switch(param_id: str, *options: str):
    return one_of(*options, labels=_SWITCH_WORDS[param_id], aliases=_SWITCH_ALIASES.get(param_id))


# What a blank 包邮 cell means for the freight rules (F1/F2/F5/F15): ask (the row asks for it), or
# the shop-wide answer. The exports carry no 包邮 column, so a shop where every item is 包邮 sets it once.
FREE_DEFAULT = "FREE.default"
FREE_DEFAULT_NAME = "包邮未填时"      # the start of its 名称 on the 规则 sheet; messages name the row by it

# One shop, set once (new-workbook asks for them): the exports carry neither. 店铺名 fills a blank 店铺名
# cell where a rule needs one (the SMS signature, the payment reminder's shop name: addin.messages.merge);
# 默认平台 is the platform of an export that does not say (a 千牛 file is 淘宝 or 天猫: the importer).
SHOP_NAME, SHOP_PLATFORM = "SHOP.name", "SHOP.platform"
SHOP_NAME_LABEL, SHOP_PLATFORM_LABEL = "店铺名", "默认平台"
_optional_text = optional(to_text)
_optional_platform = optional(to_platform)
_optional_platform.labels = PLATFORM_ZH         # the 规则 sheet shows 天猫, not TM

_OUR_CLOCK = "具体时刻为本工具的理解"
_JD_STARS = "参照京东: 4-5星好评, 2-3星中评, 1星差评"
PARAMS: tuple[Param, ...] = (
    # 0. display --------------------------------------------------------------------------------
    P("UI.language", LANG_ZH, one_of(LANG_ZH, LANG_ZH_EN, aliases=LANGUAGE_ALIASES),
      "显示语言: 中文 / 中文+English (表格里写出的说明、提示和错误)", note="本工具设置"),
    P("ARCH-1.days", 30, to_int, "结案归档: 已完结/已关闭且最后一次记录超过这么多天的案件移到「归档」表", note="本工具设置"),
    P("REP-1.refunds", 3, to_int, "重复退款提醒: 同一买家或手机号在下面的天数内退款达到这么多次(0=不提醒)", note="本工具设置"),
    P("REP-1.days", 30, to_int, "重复退款提醒: 统计的天数", note="本工具设置"),
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
      "仅见网页标题称30%", alternative_en="only a page title says 30%"),
    P("COMP-JD.min", None, _optional_money, "京东延迟发货最低赔付(元)", "U"),
    P("COMP-JD.cap", None, _optional_money, "京东延迟发货封顶(元)", "U"),
    P("COMP-PDD.rate", None, _optional_rate, "拼多多延迟发货赔付比例(需配置)", "U",
      "据称5%, 最低3元, 封顶100元, 以优惠券发放", alternative_en="reportedly 5%, min 3, cap 100, as a coupon"),
    P("COMP-PDD.min", None, _optional_money, "拼多多延迟发货最低赔付(元)", "U"),
    P("COMP-PDD.cap", None, _optional_money, "拼多多延迟发货封顶(元)", "U"),
    P("LAD-2.min", D("5"), to_money, "客服自主赔偿下限(元), 低于则提示用优惠券", "S3"),
    P("LAD-2.approval_above", D("30"), to_money, "超过此金额需店长审批(元)", "S3"),
    P("JD-COMP-1.rate", D("0.10"), to_rate, "京东不当发布赔付比例", "P5", note="第十一条"),
    P("JD-COMP-1.cap", D("200"), to_money, "京东不当发布封顶(元)", "P5", note="第十一条"),
    P("JD-COMP-2.sku_cap_ratio", D("0.30"), to_rate, "京东赠品(有单独编码)封顶占主商品比例", "P5", note="第二十四条"),
    P("JD-COMP-2.beans", 500, to_int, "京东赠品(无单独编码、无价值)最少京豆", "P5", note="第二十四条"),
    P("JD-COMP-2.beans_cap_ratio", D("0.50"), to_rate, "京东赠品(无单独编码)封顶占主商品比例", "P5", note="第二十四条"),
    P("JD-PP.basis", "signing", _switch("JD-PP.basis", "signing", "order"),
      "京东价保起算: 签收后(默认) / 下单后(第三方店铺)", "S0, P10",
      "下单后: 第三方店铺按商品页7/15/30/90天, 从下单起按小时计",
      alternative_en="order: POP 7/15/30/90 days from order submission, as hours"),
    P("JD-PP.days", 30, to_int, "京东价保天数(商品页未写明时)", "S0"),
    # B. deadlines ----------------------------------------------------------------------------
    P("R7-1.days", 7, to_int, "七天无理由退货天数", "P1", note="第六条"),
    P("R7-2.basis", "calendar", _switch("R7-2.basis", "calendar", "hours"),
      "七天无理由计算: 自然日=签收次日起7个自然日 / 168小时=签收起168小时", "P1",
      "168小时: 淘宝按签收起168小时计算的做法", alternative_en="hours: Taobao 168 h practice"),
    P("R7-3.days", 7, to_int, "收到退货后退款天数", "P1", note="第十三条"),
    P("R7-3.penalty_days", 15, to_int, "退款超期处罚线(天)", "P1", note="第三十一条"),
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
    P("SLA-3.reply_hours", 24, to_int, "京东纠纷商家回复(小时)", "P4", note="第九条"),
    P("SLA-3.evidence_hours", 4, to_int, "京东举证(时钟小时)", "P4", note="第十六条"),
    P("SLA-3.clock_start", dt.time(9, 0), to_clock, "京东举证时钟开始", "P4"),
    P("SLA-3.clock_end", dt.time(18, 0), to_clock, "京东举证时钟结束", "P4"),
    P("SLA-3.appeal_days", 7, to_int, "京东申诉(自然日)", "P4"),
    P("SLA-4.hours", 48, to_int, "京东质量问题售后单审核(小时)", "P5", note="第十六条"),
    P("P3-83.workdays", 7, to_int, "淘宝起诉凭证(工作日)", "P3", note="第八十三条"),
    P("PROMISE.workdays", 3, to_int, "承诺发货(工作日), 订单未写明时", note="本工具时限表的默认值"),
    P("RV-6.edit_days", 30, to_int, "中差评可修改期限(天)", "S1, P12"),
    P("RV-6.default_good_days", 15, to_int, "交易成功后默认好评(天)", "P12"),
    P("CAL.extra_holidays", (), to_date_list, "额外法定假日(逗号分隔日期, 用于2027年起)", "P13"),
    P("CAL.extra_workdays", (), to_date_list, "额外调休上班日(逗号分隔日期)", "P13"),
    # 2. freight ------------------------------------------------------------------------------
    P("F5.exchange", "buyer", _switch("F5.exchange", "buyer", "split"),
      "无理由换货运费: 买家承担=来回都由买家付 / 各付一程=买家付退回, 卖家付补发", "P3",
      "各付一程: 卖家包邮款式各自承担一半(淘宝天猫流程与话术)", note="第五十四条",
      alternative_en="split: S3, seller-paid-shipping styles split the cost"),
    P(FREE_DEFAULT, "ask", _switch(FREE_DEFAULT, "ask", "yes", "no"),
      f"{FREE_DEFAULT_NAME}: 逐行填写=该行报错请填 / 包邮 / 不包邮 (全店默认, 用于运费; 行内填写的优先)",
      note="本工具设置; 平台导出表没有包邮列"),
    P(SHOP_NAME, None, _optional_text, f"{SHOP_NAME_LABEL}: 「案件」店铺名未填时用它 (短信签名、催付短信的店铺名)",
      note="本工具设置; 平台导出表没有店铺名列"),
    P(SHOP_PLATFORM, None, _optional_platform,
      f"{SHOP_PLATFORM_LABEL}: 导入的文件看不出平台时用它 (淘宝/天猫/京东/拼多多/抖店; 千牛的报表淘宝天猫一样)",
      note="本工具设置"),
    # 4. messages -----------------------------------------------------------------------------
    P("SMS-2.single", 70, to_int, "单条短信字数", "P15"),
    P("SMS-2.part", 67, to_int, "长短信每条字数", "P15"),
    P("SMS-2.max", 500, to_int, "短信最多字数", "P15"),
    P("SMS-3.chars", 7, to_int, "催付短信的店铺名须出现在开头这么多字内", "S1"),
    P("SMS-3.scope", "received", _switch("SMS-3.scope", "received", "body"), "催付短信开头的字数怎么数: 含签名 / 仅正文", "S1"),
    P("SMS-5.reminder_optout", True, to_bool, "催付短信也须带退订", "P19"),
    P("SMS-6.start", dt.time(8, 0), to_clock, "非通知类短信最早发送", "P17"),
    P("SMS-6.end", dt.time(21, 0), to_clock, "非通知类短信最晚发送", "P17, S1",
      "22:00 (华为云短信常见问题、张攀客服课程)", alternative_en="22:00 (P17, S1)"),
    P("SMS-8.large_order", D("500"), to_money, "大单金额(可二次催付)(元)", "S1"),
    P("SMS-8.daily_per_number", 50, to_int, "每号码每模板每日上限", "P15"),
    P("SMS-VAR.max_chars", 35, to_int, "短信模板变量每个最多字数(通知类)", "P15", note="阿里云: 通知类模板变量1-35个字符"),
    P("RV-1.long_chars", 50, to_int, "长评字数(不可只回谢谢)", "S4"),
    P("SMS-5.optout_blocks_notices", True, to_bool, "已退订号码也不发通知类短信(否=仅提醒)", "P19",
      "否: 工信部规定只管商业性短信息, 通知类短信只提醒",
      alternative_en="否: P19 covers 商业性短信息 only; notices get a WARN"),
    P("SMS-6.reminder_window", True, to_bool, "催付短信也受发送时段限制", "S1, P17"),
    P("SMS-7.lunch_start", dt.time(11, 30), to_clock, "上班族催付: 午休开始", "S1", note=_OUR_CLOCK),
    P("SMS-7.lunch_end", dt.time(13, 30), to_clock, "上班族催付: 午休结束", "S1", note=_OUR_CLOCK),
    P("SMS-7.evening_start", dt.time(17, 0), to_clock, "上班族催付: 下班前开始", "S1", note=_OUR_CLOCK),
    P("SMS-7.evening_end", dt.time(18, 30), to_clock, "上班族催付: 下班前结束", "S1", note=_OUR_CLOCK),
    P("SMS-7.other_end", dt.time(22, 0), to_clock, "学生及其他催付: 最晚", "S1", note="「晚上10点前」"),
    P("SMS-8.reminders", 1, to_int, "每单催付次数", "S1"),
    P("SMS-8.reminders_large", 2, to_int, "大单催付次数", "S1", note="「大单可二次催付」"),
    P("RV-1.min_reply_chars", 10, to_int, "长评/带图评价的回复最少字数(否则提示)", "S4", note="阈值为本工具设定"),
    P("RV-3.min_stars", 4, to_int, "按差评处理负面内容的最低星级(4=所有好评)", "S4",
      "5: 只看5星好评(京东售后培训资料原文)", alternative_en="5: only 5-star reviews (literal S4)"),
    P("RV-4.good_min_stars", 4, to_int, "好评最低星级", "U", note=_JD_STARS),
    P("RV-4.medium_min_stars", 2, to_int, "中评最低星级(以下为差评)", "U", note=_JD_STARS),
)
del P, D, _OUR_CLOCK, _JD_STARS

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
