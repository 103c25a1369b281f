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

from addin.core.parse import CellError
from addin.core.status import STATUSES

from addin.workbook.commands.texts_rows import MESSAGE_TRIGGERS
from addin.workbook.files.xlsx_patch.refs import COL_BYTES
from addin.workbook.files.xlsx_patch.stream import cell_text, column_cells


class MessageScan:
    """feed(chunk) -> the chunk's candidate rows, ascending."""

    def __init__(self, header, prefix: bytes, sst, *, status: bool = True):
        self.prefix, self.sst, self.header_row = prefix, sst, header.row
        cols = {c for k, c in (*header.inputs.items(), *header.msg_inputs.items()) if k in MESSAGE_TRIGGERS}
        cols |= set(header.msg_outputs.values())
        self.cols = tuple(COL_BYTES[c] for c in sorted(cols))
        # 状态: only for texts (run's 状态 is recalc's, which reads every row anyway)
        self.status = COL_BYTES[header.outputs["status"]] if status and "status" in header.outputs else None
        p = prefix
        self._any_cell = (b"<" + p + b"c ", b"<" + p + b"c>", b"<" + p + b"c/>")
        self._placed_cell = b"<" + p + b'c r="'
        self._ours: dict[tuple[bytes, bytes], bool] = {}

    def feed(self, chunk) -> list[int]:
        body, first = chunk.xml, self.header_row
        if not chunk.rows or chunk.rows[-1] <= first:
            return []
        if sum(map(body.count, self._any_cell)) != body.count(self._placed_cell):
            return [r for r in chunk.rows if r > first]         # a cell the regex cannot place: every row
        columns = self.cols + ((self.status,) if self.status else ())
        if not columns:
            return []
        found = column_cells(body, self.prefix, columns)
        rows = {r for c in self.cols for r, _, content, _ in found[c] if content}
        if self.status:
            rows.update(r for r, attrs, content, _ in found[self.status]
                        if content and not self._our_word(attrs, content))
        return sorted(r for r in rows if r > first)

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


def cut_rows(chunk, rows: list[int], prefix: bytes) -> bytes:
    """The <row> elements of `rows` (ascending, all in `chunk`), cut from the chunk's XML: a chunk holds
    whole <row> elements and nothing else, so a row runs from its start to the next row's start."""
    if len(rows) == len(chunk.rows):
        return chunk.xml
    body = chunk.xml
    opener = b"<" + prefix + b'row r="'
    pieces = []
    at = 0
    for r in rows:                  # ascending: each row is looked for after the one before
        start = body.find(b"%s%d\"" % (opener, r), at)
        if start < 0:
            raise ValueError(f"row {r} is not in the chunk")
        end = body.find(opener, start + 1)
        at = end if end >= 0 else len(body)
        pieces.append(body[start:at])
    return b"".join(pieces)
