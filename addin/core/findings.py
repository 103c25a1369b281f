"""A check's outcome, cited by rule id, worded in Chinese and English.

How a finding reads in a cell (which language, the level word, never the rule id) is decided in one
place, :mod:`addin.core.display`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str       # rules.md id, e.g. "SMS-3" or "LAD-2"
    level: str      # INFO | WARN | ERROR
    zh: str
    en: str


def verdict(findings) -> str:
    """PASS when nothing above INFO, else the worst level."""
    levels = {f.level for f in findings}
    return "ERROR" if "ERROR" in levels else "WARN" if "WARN" in levels else "PASS"
