"""A literal pre-check in front of a regular expression: most texts are clean, and proving that with a
few substring tests (``"稍等" in text``) is much cheaper than letting the regex engine try every
alternative at every character.

:func:`required_literals` reads a pattern (with Python's own regex parser) and finds a set of strings
such that every match contains at least one of them, e.g. ``(?:对不起|不好意思|抱歉)呢`` needs one of
对不起呢 / 不好意思呢 / 抱歉呢, and ``不行(?!的话)|不可以`` needs 不行 or 不可以. When no such set can be
proved (a pattern made of classes and repeats, such as ``^[\\W\\d_]+$``), the answer is None and the
regex always runs. The check is therefore only ever a shortcut to "no match": :class:`Prefiltered`
gives exactly the results of the plain regex (tests/test_messages_lint.py compares them on a corpus).

Pure Python (no automaton library), so it runs in xlwings Lite (Pyodide) as well.
"""
from __future__ import annotations

import re

try:                                  # Python 3.11+: the parser behind the re module
    from re import _constants as _c, _parser as _p
except ImportError:                   # pragma: no cover - Python 3.10
    import sre_constants as _c        # type: ignore[no-redef]
    import sre_parse as _p            # type: ignore[no-redef]

_MAX_STRINGS = 48       # a run of alternatives larger than this is not worth testing one by one
_MAX_CLASS = 8          # a character class of more characters than this ends a literal run
_ZERO_WIDTH = {_c.ASSERT, _c.ASSERT_NOT, _c.AT}


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` contains (case-folded when `flags` has
    re.IGNORECASE), or None when no such set is found. Never wrong: when in doubt, None."""
    try:
        parsed = _p.parse(pattern, flags)
    except Exception:                 # noqa: BLE001 - re.compile reports bad patterns; here: no shortcut
        return None
    fold = bool(flags & re.IGNORECASE)
    try:
        found = _sequence(list(parsed), fold)
    except (TypeError, ValueError, AttributeError):   # an opcode shape we do not know: no shortcut
        return None
    if not found or "" in found:
        return None
    return frozenset(found)


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective of two sufficient sets: longer shortest string, then fewer strings."""
    if not b or "" in b:
        return a
    if not a:
        return b
    ka, kb = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
    return b if kb > ka else a


def _sequence(items, fold: bool) -> set[str] | None:
    best: set[str] | None = None
    run = {""}                        # the strings the current stretch of fixed text can be

    def close():
        nonlocal best, run
        best = _better(best, run)
        run = {""}

    for op, av in items:
        if op in _ZERO_WIDTH:         # lookarounds and anchors consume nothing: the run goes on
            continue
        fixed = _fixed([(op, av)], fold)
        if fixed is not None and len(run) * len(fixed) <= _MAX_STRINGS:
            run = {s + f for s in run for f in fixed}
            continue
        close()
        best = _better(best, _required(op, av, fold))
    close()
    return best


def _required(op, av, fold: bool) -> set[str] | None:
    """What one non-fixed item requires on its own."""
    if op is _c.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _sequence(list(alternative), fold)
            if not found or "" in found:
                return None
            union |= found
        return union
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE and not fold:
            return None
        return _sequence(list(sub), fold)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        return _sequence(list(sub), fold) if low >= 1 else None
    return None


def _fixed(items, fold: bool) -> set[str] | None:
    """Every string `items` can match, when that is a small finite set of fixed strings; else None."""
    out = {""}
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        if op is _c.LITERAL:
            options = {_case(chr(av), fold)}
        elif op is _c.IN:
            options = _class(av, fold)
        elif op is _c.BRANCH:
            options = set()
            for alternative in av[1]:
                sub = _fixed(list(alternative), fold)
                if sub is None:
                    return None
                options |= sub
        elif op is _c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & re.IGNORECASE and not fold:
                return None
            options = _fixed(list(sub), fold)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == av[1] == 1:
            options = _fixed(list(av[2]), fold)
        else:
            return None
        if options is None or len(out) * len(options) > _MAX_STRINGS:
            return None
        out = {s + o for s in out for o in options}
    return out


def _class(items, fold: bool) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(_case(chr(av), fold))
        elif op is _c.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.update(_case(chr(c), fold) for c in range(av[0], av[1] + 1))
        else:                          # NEGATE, CATEGORY, wide ranges
            return None
    return chars if 0 < len(chars) <= _MAX_CLASS else None


def _case(text: str, fold: bool) -> str:
    return text.casefold() if fold else text


class Prefiltered:
    """A compiled regex whose ``search`` first checks the required literals (see the module docstring).
    Same results as ``re.compile(pattern, flags).search``."""

    __slots__ = ("pattern", "rx", "needs", "fold")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self.rx = re.compile(pattern, flags)
        self.needs = required_literals(pattern, self.rx.flags)      # with inline flags such as (?i)
        self.fold = bool(self.rx.flags & re.IGNORECASE)

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
        return f"Prefiltered({self.pattern!r}, needs={sorted(self.needs) if self.needs else None})"
