"""How the add-in's results read in a cell: the one layer that turns a (zh, en) pair, a Finding, a
verdict, a review route or a deadline into text, in the workbook's display language.

The 规则 sheet's ``UI.language`` (显示语言) chooses it:

* ``中文`` (the default, and what a workbook without the setting gets): short plain Chinese, no English
  words and no rule ids;
* ``中文+English``: the Chinese, then `` / `` and the English.

Rule ids never go into these texts: they stay in their own columns (赔偿规则, 运费规则, 规则编号), so a
line can be traced without cluttering what staff read. Every writer (recalc, the mail merge, the send
log, the buttons, the worksheet functions) takes a :class:`Display` and calls it; nothing else joins
Chinese and English. The command line prints both languages whatever the setting.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .deadlines import DEADLINE_KINDS, PROVISIONAL_NOTE, Deadline
from .findings import Finding
from .policy import LANG_ZH, LANG_ZH_EN
from .timeparts import fmt_instant

ZH, ZH_EN = LANG_ZH, LANG_ZH_EN          # the two values of 显示语言 (other spellings: policy.LANGUAGE_ALIASES)

# A finding's level as a word in front of its text. Both languages use the Chinese word first, so a
# line read back from a cell starts the same way whatever the setting was (see error_lines()).
LEVEL_WORDS = {"ERROR": ("错误", "error"), "WARN": ("提醒", "warning"), "INFO": ("提示", "note")}
VERDICT_WORDS = {"PASS": ("通过", "PASS"), "WARN": ("提醒", "WARN"), "ERROR": ("错误", "ERROR")}
ROUTE_WORDS = {"good": ("好评", "good review"), "good_long": ("好评(长评/带图)", "good review, detailed"),
               "medium": ("中评", "medium review"), "bad": ("差评", "bad review"),
               "manual": ("人工确认", "check by a person")}


@dataclass(frozen=True)
class Display:
    lang: str = ZH

    @property
    def english(self) -> bool:
        return self.lang == ZH_EN

    def pair(self, zh: str, en: str) -> str:
        """The text of a message that exists in both languages."""
        return f"{zh} / {en}" if self.english else zh

    # A batch shows the same findings and deadlines on many rows (they are frozen, so their fields are
    # the key); the caches are bounded, as a worker goes through every row of a big sheet.
    @lru_cache(maxsize=10_000)
    def finding(self, f: Finding, level: bool = True) -> str:
        """One line: '提醒: 需店长审批' (with `level`) or '需店长审批'; never the rule id."""
        text = self.pair(_line(f.zh), _line(f.en))
        return f"{LEVEL_WORDS[f.level][0]}: {text}" if level else text

    def findings(self, findings, level: bool = True) -> str | None:
        """One line per finding, or None when there are none (the cell stays blank)."""
        return "\n".join(self.finding(f, level) for f in findings) or None

    def verdict(self, code: str | None) -> str | None:
        """PASS / WARN / ERROR as staff read it: 通过 / 提醒 / 错误."""
        return None if code is None else self.pair(*VERDICT_WORDS[code])

    def route(self, code: str | None) -> str | None:
        """The review route: 好评, 好评(长评/带图), 中评, 差评, 人工确认."""
        return None if code is None else self.pair(*ROUTE_WORDS[code])

    def deadline_name(self, kind: str) -> str:
        info = DEADLINE_KINDS[kind]
        return self.pair(info.zh, info.en)

    @lru_cache(maxsize=10_000)
    def deadline(self, d: Deadline) -> str:
        """'七天无理由退货截止 2026-10-12 24:00 (签收次日起算)': name, time and notes, no rule id."""
        notes = [n for n in (d.note, PROVISIONAL_NOTE if d.provisional_years else "") if n]
        return f"{self.deadline_name(d.kind)} {fmt_instant(d.at)}" + (f" ({'; '.join(notes)})" if notes else "")


def _line(text: str) -> str:
    """A finding is one line in a cell (the 错误 column reads lines back)."""
    return " ".join(text.split("\n"))


def display_of(policy) -> Display:
    """The Display a policy (the 规则 sheet) asks for."""
    return Display(policy["UI.language"])


def is_error_verdict(value) -> bool:
    """Whether a 回复校验/短信校验 cell says the check failed, in any language it was written in
    (错误, 错误 / ERROR, or the ERROR of workbooks written before the setting existed)."""
    if not isinstance(value, str):
        return False
    word = value.strip().split("/")[0].strip().upper()
    return word in ("错误", "ERROR")


def error_lines(reasons) -> list[str]:
    """The texts of the error lines in a 校验说明 cell, without their level word: '错误: X' gives X.
    Cells written before the display setting ('[ERROR] SMS-3: X') are read too."""
    if not isinstance(reasons, str):
        return []
    out = []
    prefix = LEVEL_WORDS["ERROR"][0] + ":"
    for line in reasons.split("\n"):
        line = line.strip()
        if line.startswith(prefix):
            out.append(line[len(prefix):].strip())
        elif line.startswith("[ERROR]"):
            out.append(line.split(":", 1)[1].strip() if ":" in line else line[len("[ERROR]"):].strip())
    return out
