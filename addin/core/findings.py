"""A check's outcome, cited by rule id, worded in Chinese and English for the staff sheet."""
from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("INFO", "WARN", "ERROR")


@dataclass(frozen=True)
class Finding:
    rule: str       # rules.md id, e.g. "SMS-3" or "LAD-2"
    level: str      # INFO | WARN | ERROR
    zh: str
    en: str

    def text(self) -> str:
        return f"[{self.level}] {self.rule}: {self.zh} / {self.en}"


def verdict(findings) -> str:
    """PASS when nothing above INFO, else the worst level."""
    levels = {f.level for f in findings}
    return "ERROR" if "ERROR" in levels else "WARN" if "WARN" in levels else "PASS"
