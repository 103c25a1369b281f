"""Pass 0's list of the rows the streamed texts and run may have mail-merge work on, read straight from
the sheet XML (as the Tmall pre-pass reads its columns), so that the merge's passes hand calamine and
the rules only those rows instead of every row of a chunk (on a daily sheet most rows carry no message).

A row is listed when a cell of a message trigger column (评价星级, 评价内容, 短信类型) or of a text column
(texts to refresh or clear) has any content at all, or when its 状态 cell holds something that is not one
of recalc's words (staff's own column: texts then leaves 状态 alone). The list may hold more rows than
have work (a cell of spaces, an empty string): the passes apply texts' own tests on what calamine reads.
It must never hold fewer, so a chunk where a cell does not start with r="..." (no common writer does
that, but the regex could not place it) is listed whole.
"""
from __future__ import annotations

import re

from addin.core.parse import CellError
from addin.core.status import STATUSES

from addin.workbook.commands.texts_rows import MESSAGE_TRIGGERS
from addin.workbook.files.xlsx_patch.refs import COL_BYTES
from addin.workbook.files.xlsx_patch.stream import cell_text, column_cells


class MessageScan:
    """feed(chunk) -> (the chunk's candidate rows ascending, whether one of them was listed for its 状态)."""

    def __init__(self, header, prefix: bytes, sst, *, status: bool = True):
        self.prefix, self.sst, self.header_row = prefix, sst, header.row
        cols = {c for k, c in (*header.inputs.items(), *header.msg_inputs.items()) if k in MESSAGE_TRIGGERS}
        cols |= set(header.msg_outputs.values())
        self.cols = tuple(COL_BYTES[c] for c in sorted(cols))
        # 状态: only for texts (run's 状态 is recalc's, which reads every row anyway)
        self.status = COL_BYTES[header.outputs["status"]] if status and "status" in header.outputs else None
        self.scan_columns = self.cols + ((self.status,) if self.status else ())
        cell = b"<" + prefix + b"c"
        self._unplaced = re.compile(re.escape(cell) + rb'(?=[\s/>])(?! r=")')
        self._ours: dict[tuple[bytes, bytes], bool] = {}

    def feed(self, chunk, found: dict | None = None) -> tuple[list[int], bool]:
        """`found`: column_cells' answer for at least scan_columns (pass 0 scans the chunk once for all)."""
        body, first = chunk.xml, self.header_row
        if not chunk.rows or chunk.rows[-1] <= first:
            return [], False
        # Every cell must carry r="..." first, as xlsx_patch.scan checks it: one regex search (about half
        # the CPU of the two counts that would settle it where no other <c...> tag is about).
        if self._unplaced.search(body):
            return [r for r in chunk.rows if r > first], self.status is not None   # every row (and 状态 unknown)
        if not self.scan_columns:
            return [], False
        if found is None:
            found = column_cells(body, self.prefix, self.scan_columns)
        rows = {r for c in self.cols for r, _, content, _ in found[c] if content}
        staff = False
        if self.status:
            odd = {r for r, attrs, content, _ in found[self.status] if content and not self._our_word(attrs, content)}
            staff = any(r > first for r in odd)
            rows |= odd
        return sorted(r for r in rows if r > first), staff

    def _our_word(self, attrs: bytes, content: bytes) -> bool:
        """Whether a 状态 cell holds one of recalc's words (the usual case, remembered per distinct cell)."""
        key = (attrs, content)
        ours = self._ours.get(key)
        if ours is None:
            try:
                ours = cell_text(attrs, content, self.sst).strip() in STATUSES
            except (CellError, ValueError):
                ours = False
            if len(self._ours) < 4096:
                self._ours[key] = ours
        return ours
