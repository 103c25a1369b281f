"""A literal pre-check in front of a regular expression: most texts are clean, and proving that with a
few substring tests (``"稍等" in text``) is much cheaper than letting the regex engine try every
alternative at every character.

Each pattern declares, next to it, the strings one of which every match contains (``needs``), e.g.
``(?:对不起|不好意思|抱歉)呢`` needs one of 对不起呢 / 不好意思呢 / 抱歉呢, and ``不行(?!的话)|不可以`` needs
不行 or 不可以. A pattern made of classes and repeats (``^[\\W\\d_]+$``) declares nothing and its regex
always runs. The check is only ever a shortcut to "no match", so :class:`Prefiltered` gives exactly the
results of the plain regex as long as each declaration is true: tests/test_messages_lint.py checks that
no text lacking the declared strings matches (the rules' own examples, the seed documents, random
texts) and compares the gated and plain regexes on a corpus.

Written by hand rather than read from the compiled pattern: the only parser that could do that is
CPython's private ``re._parser``, which may change with any Python release. Pure Python, so it runs
in xlwings Lite (Pyodide) as well.
"""
from __future__ import annotations

import re
from collections.abc import Iterable


class Prefiltered:
    """A compiled regex whose ``search`` first checks the declared strings (see the module docstring).
    Same results as ``re.compile(pattern, flags).search`` when every match contains one of `needs`."""

    __slots__ = ("pattern", "rx", "needs", "fold")

    def __init__(self, pattern: str, flags: int = 0, needs: Iterable[str] | None = None):
        self.pattern = pattern
        self.rx = re.compile(pattern, flags)
        self.fold = bool(self.rx.flags & re.IGNORECASE)                # with inline flags such as (?i)
        self.needs = None if needs is None else tuple(needs)
        if self.needs is not None:
            # An empty string is in every text, and an ignore-case pattern is checked against
            # text.casefold(), so a declared string must be case-folded already to ever be found.
            if not self.needs or any(not s or (self.fold and s != s.casefold()) for s in self.needs):
                raise ValueError(f"needs of {pattern!r}: non-empty strings, case-folded when the pattern "
                                 f"ignores case, got {self.needs!r}")

    def possible(self, text: str, folded: str | None = None) -> bool:
        """False only when no match can exist. `folded`: text.casefold(), if the caller has it."""
        needs = self.needs
        if needs is None:
            return True
        if self.fold:
            text = folded if folded is not None else text.casefold()
        for s in needs:
            if s in text:
                return True
        return False

    def search(self, text: str, folded: str | None = None):
        return self.rx.search(text) if self.possible(text, folded) else None

    def __repr__(self) -> str:
        return f"Prefiltered({self.pattern!r}, needs={list(self.needs) if self.needs else None})"
