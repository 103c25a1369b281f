"""The one base of every error the add-in says to staff: a Chinese text, an English text, and a kind.

The command line prints both on one line (addin.cli), a row's 错误 cell the one the workbook's 显示语言
asks for (addin.core.display), the buttons the status bar's. `kind` names the cause for callers and tests
(e.g. a book's "locked" or "changed"); str() of the exception is the English text unless a subclass says
otherwise."""
from __future__ import annotations


class BilingualError(Exception):
    def __init__(self, zh: str, en: str, kind: str = "error", message: str | None = None):
        super().__init__(en if message is None else message)
        self.zh, self.en, self.kind = zh, en, kind
