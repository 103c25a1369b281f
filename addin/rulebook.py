"""docs/rules.md, written from the code's own tables: every rule id, its numbers and its source.

    python -m addin.rulebook > docs/rules.md

:func:`markdown` is pure (no file I/O): it walks the tables the rules run on (the policy parameters,
the freight rows, the deadline kinds, the reason wordings, the SMS kinds and checks, the review routes,
the forbidden phrases, the vendor variables), so the document cannot drift from the code without
tests/test_rules_doc.py failing. It sits at the top of the package, beside cli.py, because it reads
both addin.core and addin.messages, and the core must not import upwards.
"""
from __future__ import annotations

from .core import case, deadlines, freight, reason_families, reasons, stage, status
from .core.policy import PARAMS, SOURCES
from .messages import reviews, sms, vendor_templates
from .messages.lint import LINT_RULES

# Rule ids the code cites in its outputs (Finding, Compensation, 赔偿规则) that have no table of their
# own: (id, what it decides, the policy rows' prefix or "", source ids as in rules.md). Every id cited
# in addin/ must be somewhere in the document; tests/test_rules_doc.py scans the code for them.
CITED: tuple[tuple[str, str, str], ...] = (
    ("COMP-TB", "Taobao late shipment: a share of the paid amount, with a minimum and a cap", "P6"),
    ("COMP-TM", "Tmall late shipment: a share of the paid amount, one cap per buyer for payments "
                "within COMP-TM.merge_hours", "S3, P7"),
    ("COMP-JD", "JD late shipment: only when the shop configures the rate", "U"),
    ("COMP-PDD", "Pinduoduo late shipment: only when the shop configures the rate", "U"),
    ("COMP-PROM", "the shop's own promise against the platform rule: Taobao pays the higher", "P3, P4"),
    ("COMP-DY", "抖店 late shipment: no public source, not computed; 提示 says so", "U"),
    ("RF-DY", "an open 抖店 refund without 超时时间: no public source for its time-outs, none computed; 提示 says so", "U"),
    ("COMP-DEF", "a platform whose late-shipment rate is not configured: the row says so", "U"),
    ("COMP-REF", "reference amounts from the seeds (price drop, a declined gift), through the ladder", "S1, S2, S3"),
    ("JD-COMP-1", "JD misdescribed listing (不当发布): a share of the paid amount, capped", "P5"),
    ("JD-COMP-2", "JD missing gift: its price capped by a share of the main item, or 京豆", "P5"),
    ("JD-PP", "JD price protection: the drop within the window from signing (or order)", "S0, P10"),
    ("CALC", "a row whose figures cannot be computed (an amount out of range): that row's error, never the batch", "U"),
    ("LAD-2", "staff authority: amounts above the limit need the shop manager, below the minimum a coupon", "S3"),
    ("LAD-3", "a 7-day no-reason return cannot be refused, only retained", "P1"),
    ("MANUAL", "a value typed into 赔偿金额(手工) wins; the approval check still applies", ""),
    ("F4", "overlay: shipping insurance pays the buyer's return leg (not after 确认收货 or 售后维权)", "S3, P9"),
    ("F13", "overlay: a return address other than the ship-from place: the seller pays the extra", "P3"),
    ("SMS-1", "signature in 【】 at the start, 2-12 characters, no symbols, not typed twice", "P16"),
    ("SMS-2", "length and parts with the signature; the maximum; no emoji", "P15"),
    ("SMS-3", "a payment reminder names the shop within its first characters", "S1"),
    ("SMS-4", "a payment reminder fits one SMS and names the shop or the item", "S1"),
    ("SMS-5", "opt-out wording where needed; opted-out numbers are not sent to", "P17, P18, P19, P20"),
    ("SMS-6", "the send window for non-notice SMS", "P17, S1"),
    ("SMS-7", "preferred times for payment reminders by customer type", "S1"),
    ("SMS-8", "frequency: reminders per order, the vendor's limit per number, template and day", "S1, P15"),
    ("SMS-9", "no promises the shop cannot keep; a delay notice gives an estimate", "S0, S2"),
    ("SMS-10", "no SMS asking the buyer to act on a finished or closed case (STAGE_BLOCKED, addin/messages/sms.py)", ""),
    ("TPL-1", "an approved vendor template's variable names", "P15"),
    ("TPL-2", "an approved vendor template has a TemplateCode and a signature, and no 【signature】 inside", "P16"),
    ("VAR-1", "a vendor variable's value is at most SMS-VAR.max_chars characters (a phone number 15)", "P15"),
    ("VAR-2", "no link, domain, IP address, phone number, QQ or WeChat id inside a variable's value", "P15"),
    ("VAR-3", "a vendor variable's value has the form its property (变量属性) requires", "P15"),
    ("RV-1", "every review gets a reply; a long or pictured review gets more than thanks", "S4"),
    ("RV-2", "a reply quoting a specification is checked before it is posted", "S4"),
    ("RV-3", "a good rating with negative text is answered as a bad review", "S4"),
    ("RV-4", "star ratings to routes; medium and bad replies apologise", "S4, U"),
    ("RV-5", "bad-review replies are written or checked by a supervisor", "S4"),
    ("RV-6", "how long a buyer may edit a review; the system's default good review", "S1, P12"),
    ("RV-7", "no insulting, mocking or accusing wording, no rewards for reviews", "S4, S0"),
    ("JD-HAR", "JD 骚扰他人: abusive wording, review replies included (12 / 25 / 100 points)", "S0"),
    ("CAL", "the holiday calendar: a year no source knows, or one counted on 推算 holidays", "P13"),
    ("FIELD", "a field a template or check needs is missing or unreadable", ""),
    ("TPL", "a template that cannot be rendered, or a text starting with = + - @", ""),
    ("ROW", "a row the program could not process (reported, the batch goes on)", ""),
    ("ST-UNKNOWN", "a platform status wording no PS-* row knows: today's clocks run, 提示 names the wording", ""),
    ("OUTCOME", "the case's stage as staff typed it in 处理结果 (wins over the platform's status)", ""),
)


def _cell(value) -> str:
    """A table cell: pipes escaped, line breaks flattened, blank as a dash."""
    text = str(value).replace("|", "\\|").replace("\n", " ").strip()
    return text or "–"


def _table(header: tuple[str, ...], rows) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _params_of(rule_id: str) -> str:
    """The policy rows whose id starts with the rule id ('COMP-TB' -> COMP-TB.rate, COMP-TB.min ...)."""
    return ", ".join(f"`{p.id}`" for p in PARAMS if p.id.split(".")[0] == rule_id)


def _sources() -> list[str]:
    return ["## Sources", "", "Source ids as the 规则 sheet's 来源编号 column shows them (`SOURCES`, "
            "addin/core/policy.py); S0-S4 are the seed documents, P1-P20 public sources, U unverified.", "",
            *_table(("id", "source"), SOURCES.items())]


def _policy() -> list[str]:
    rows = [(f"`{p.id}`", p.zh, p.text(), p.source or "–", p.source_text() or "–",
             " / ".join(x for x in (p.alternative, p.alternative_en) if x)) for p in PARAMS]
    return ["## Policy parameters (the 规则 sheet)", "",
            f"Every number the rules use, {len(PARAMS)} rows (`PARAMS`, addin/core/policy.py). The 规则 sheet "
            "shows them; a value typed into its 值 column overrides the default for that workbook. Where "
            "the sources disagree, the alternative is the other reading a shop may type.", "",
            *_table(("id", "名称", "default", "source ids", "source", "alternative"), rows)]


def _cited() -> list[str]:
    rows = [(f"`{rid}`", what, src or "–", _params_of(rid) or "–") for rid, what, src in CITED]
    return ["## Rule ids cited in the outputs", "",
            "The ids 赔偿规则, 提示, 错误, 规则编号 and the check verdicts cite, with the policy rows each reads. "
            "Deadline kinds, freight rows, reason wordings and lint rules have their own tables below.", "",
            *_table(("id", "what it decides", "source ids", "the rule's policy rows"), rows)]


def _freight() -> list[str]:
    payer = {**freight.PAYER_ZH, freight.AS_PAID: "按原付"}
    rows = []
    for order, r in enumerate(freight.FREIGHT_RULES, 1):
        when = ", ".join(f"{k}={'/'.join(v) if isinstance(v, tuple) else v}" for k, v in r.when.items())
        rows.append((order, f"`{r.id}`", when, payer[r.out], payer[r.ret], payer[r.re], r.zh, r.source))
    return ["## Freight: who pays each leg (F1-F16)", "",
            "`FREIGHT_RULES` (addin/core/freight.py), in the order they are tried: the first row whose "
            "conditions all hold decides the outbound (去程), return (退回) and reship (补发) payers. F4 and "
            "F13 are overlays applied after it (above); F5's exchange split is `F5.exchange`, a blank 包邮 "
            "is `FREE.default`.", "",
            *_table(("order", "id", "when", "去程", "退回", "补发", "meaning", "source"), rows)]


def _deadlines() -> list[str]:
    rows = [(f"`{k.id}`", k.zh, k.en, k.level, _params_of(k.id.split(".")[0]) or "–")
            for k in deadlines.DEADLINE_KINDS.values()]
    return ["## Deadline kinds", "",
            "`DEADLINE_KINDS` (addin/core/deadlines.py). Only `action` and `alert` deadlines count as due "
            "(下一截止, 状态); `bound` is the legal outer limit (民法典 §203), `penalty` the penalty line.", "",
            *_table(("id", "截止事项", "meaning", "level", "the rule's policy rows"), rows)]


def _status() -> list[str]:
    rows = [(n, word) for n, word in enumerate(status.STATUSES, 1)]
    return ["## 状态 words", "",
            "`STATUSES` (addin/core/status.py), in order of precedence: a row gets the first that applies "
            "(an error, a passed next deadline, one within 24 h, an approval, else normal).", "",
            *_table(("precedence", "状态"), rows)]


def _reasons() -> list[str]:
    names = {code: words[0] for code, words in case.REASONS.items()}
    types = reasons.AFTER_SALES_TYPE_ZH
    codes = [(f"`{code}`", words[0], ", ".join(words[1:]), f"`RC-{code}`") for code, words in case.REASONS.items()]
    rows = [(f"`{r.id}`", r.text, names[r.reason], types.get(r.after_sales_type, "any"), r.platform or "any",
             r.source) for r in reasons.REASON_RULES]
    return ["## Reasons", "",
            "The engine's reasons (`REASONS`, addin/core/case.py): the first word is the 售后原因 drop-down, "
            "the others are accepted too; each word matches as rule `RC-<code>`.", "",
            *_table(("code", "售后原因", "also accepted", "rule id"), codes),
            "The platforms' wordings (`REASON_RULES`, addin/core/reasons.py). Source classes: Q the 千牛 "
            "export or Taobao's seller dispute list, A the buyer-side reason lists, U our reading. A row "
            "with a 售后类型 or a platform applies only with it; the 原因对照 sheet's rows win over these.", "",
            *_table(("id", "wording", "reason", "售后类型", "platform", "source"), rows),
            *_families()]


def _families() -> list[str]:
    names = {code: words[0] for code, words in case.REASONS.items()}
    rows = [(f"`{f.id}`", names[f.reason], "、".join(f.words)) for f in reason_families.FAMILIES]
    return ["A wording no row above knows is read by its words (`FAMILIES`, addin/core/reason_families.py): "
            "the first family with one of its words decides, and 提示 says 按关键词归为「…」.", "",
            *_table(("id", "售后原因", "words"), rows)]


def _stages() -> list[str]:
    stages = [(f"`{s.id}`", s.zh, s.en, "是" if s.open else "否 (no clock runs)",
               ", ".join(f"`{k}`" for k in sorted(stage.STAGE_DROPS.get(s.id, ()))) or "–",
               f"`{stage.TIMEOUT_KIND.get(s.id, '–')}`" if s.open else "–") for s in stage.STAGES.values()]
    statuses = [(f"`{r.id}`", platform, r.text, stage.STAGES[r.stage].zh if r.stage else "–", r.source)
                for platform, rules in stage.STATUS_RULES.items() for r in rules]
    outcomes = [(stage.STAGES[s].zh, "、".join(words)) for s, words in stage.OUTCOME_WORDS.items()]
    shipped = [(f"`{r.id}`", r.text, {True: "是", False: "否", None: "–"}[r.shipped], r.source)
               for r in stage.SHIPPED_RULES]
    sources = list(stage.SOURCES.items())
    return ["## The case's stage", "",
            "`STAGES` (addin/core/stage.py): where the after-sales case stands. A finished or closed case "
            "runs no clock and reads 已完结 / 已关闭; an open stage drops the clocks of steps already passed, "
            "and the platform's 超时时间 is a deadline of the kind shown.", "",
            *_table(("id", "阶段", "meaning", "open", "clocks dropped", "超时时间 kind"), stages),
            "The platforms' status wordings (`STATUS_RULES`), matched ignoring width, case, spaces and "
            "punctuation:", "",
            *_table(("id", "platform", "wording", "阶段", "source"), statuses),
            "What staff may type in 处理结果 (`OUTCOME_WORDS`), which wins over the platform's status:", "",
            *_table(("阶段", "words"), outcomes),
            "货物状态 / 订单状态 -> 退款时已发货 when that cell is blank (`SHIPPED_RULES`):", "",
            *_table(("id", "wording", "已发货", "source"), shipped),
            *_table(("source", "where"), sources)]


def _sms() -> list[str]:
    def flag(value):
        return f"`{value}`" if isinstance(value, str) else ("是" if value else "否")
    kinds = [(f"`{k.id}`", k.zh, "是" if k.transactional else "否", flag(k.window), flag(k.opt_out))
             for k in sms.KINDS]
    promises = [(f"`{pid}`", zh, en) for pid, _, zh, en in sms.PROMISE_RULES]
    props = [(f"`{r.attr}`", r.zh, f"`{r.max_chars}`" if isinstance(r.max_chars, str) else r.max_chars,
              r.pattern_zh or "any text") for r in vendor_templates.VAR_RULES.values()]
    variables = [(f"`${{{v.name}}}`", ", ".join(v.aliases) or "–", f"`{v.attr}`", v.zh)
                 for v in vendor_templates.VARIABLES]
    return ["## SMS", "",
            "The kinds (`KINDS`, addin/messages/sms.py): 通知类 needs no opt-out; the send window and the "
            "opt-out apply as shown (a policy id: as that 规则 row says).", "",
            *_table(("id", "短信类型", "通知类", "send window", "opt-out"), kinds),
            "Promises SMS-9 flags (`PROMISE_RULES`):", "",
            *_table(("id", "note", "meaning"), promises),
            "Approved vendor templates: the variable properties (`VAR_RULES`, addin/messages/vendor_templates.py) "
            "with their length limit (a policy id or a number) and form, and the variables a template may use "
            "(`VARIABLES`).", "",
            *_table(("property", "名称", "max characters", "form"), props),
            *_table(("variable", "also accepted", "property", "meaning"), variables)]


def _reviews() -> list[str]:
    routes = [(f"`{r}`", reviews.ROUTE_ZH[r]) for r in (*reviews.ROUTES, reviews.MANUAL)]
    cues = [(f"`{cid}`", zh, "strong" if weight >= 2 else "mild") for cid, zh, weight, _ in reviews.NEGATIVE_CUES]
    sarcasm = [(f"`{sid}`", level, zh, en) for sid, _, level, zh, en in reviews.SARCASM_RULES]
    return ["## Review replies", "",
            "Routes (`ROUTES`, addin/messages/reviews.py; stars by `RV-4.*`, negative text by `RV-3.min_stars`):", "",
            *_table(("route", "回复类型"), routes),
            "Negative cues (RV-3, `NEGATIVE_CUES`, addin/messages/review_text.py), not counted when negated "
            "within their clause: a good rating with clearly negative text (a strong cue, no praise) gets the "
            "bad-review reply, mixed text or one mild cue goes to 人工确认:", "",
            *_table(("cue", "note", "weight"), cues),
            "Wording a reply must not use (RV-7, `SARCASM_RULES`):", "",
            *_table(("id", "level", "note", "meaning"), sarcasm)]


def _lint() -> list[str]:
    rows = [(f"`{r.id}`", r.level, r.zh, r.en, r.source, "是" if r.harassment else "",
             "replies only" if r.scope == "reply" else "all") for r in LINT_RULES]
    return ["## Forbidden phrases (禁忌用语)", "",
            "`LINT_RULES` (addin/messages/lint.py), checked on every reply and SMS; a row marked JD-HAR also "
            "raises the JD harassment risk.", "",
            *_table(("id", "level", "what to write instead", "meaning", "source", "JD-HAR", "scope"), rows)]


def markdown() -> str:
    """The whole of docs/rules.md."""
    head = ["# Rules: every id, its numbers and its source", "",
            "Generated from the code's tables by `python -m addin.rulebook > docs/rules.md`; do not edit by "
            "hand (tests/test_rules_doc.py fails when this file and the code differ). Money rounds half "
            "away from zero, as Excel's ROUND; a percentage is rounded first, then the minimum and the cap "
            "apply. Every output cites the id that produced it: 赔偿规则, 运费规则 and 规则编号 on the 案件 sheet.",
            "", "Contents: [Sources](#sources) · [Policy parameters](#policy-parameters-the-规则-sheet) · "
            "[Rule ids cited](#rule-ids-cited-in-the-outputs) · [Freight](#freight-who-pays-each-leg-f1-f16) · "
            "[Deadline kinds](#deadline-kinds) · [状态](#状态-words) · [Stage](#the-cases-stage) · [Reasons](#reasons) · [SMS](#sms) · "
            "[Review replies](#review-replies) · [Forbidden phrases](#forbidden-phrases-禁忌用语)", ""]
    parts = (_sources(), _policy(), _cited(), _freight(), _deadlines(), _status(), _stages(), _reasons(), _sms(),
             _reviews(), _lint())
    return "\n".join(head + [line for part in parts for line in part]).rstrip("\n") + "\n"


if __name__ == "__main__":
    import sys
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write(markdown())
