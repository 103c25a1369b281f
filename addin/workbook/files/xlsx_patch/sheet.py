"""One worksheet's XML, patched as bytes: cells written into rows, styles kept, shared formulas mended."""
from __future__ import annotations

import datetime as dt
import functools
import numbers
import operator
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from .edits import CellValue, Formula, PatchError, PatchReport, SheetEdit, UnsupportedWorkbook
from .formulas import SharedGroup, shift_formula
from addin.core.gcpause import gc_paused
from .refs import COL_BYTES, COL_INDEX, MAX_COL, MAX_ROW, cell_ref, cells_beyond, parse_range, parse_ref
from .styles import Styles
from .cellxml import excel_serial, inline_string_tail, number_text
from .xmlbytes import CLIP_MARK, MAX_TEXT, text_xml, column_styles, get_attr, root_prefix, set_attr, xml_escape, xml_unescape

_MISSING = object()
_first = operator.itemgetter(0)


@functools.lru_cache(maxsize=8)
def _col_keys(cell_open: bytes) -> list[bytes]:
    """`<c r="A`, `<c r="B`, ... for every column: built once per namespace prefix."""
    return [cell_open + letters for letters in COL_BYTES]


@functools.lru_cache(maxsize=256)
def _span_bounds(spans: bytes) -> tuple[int, int]:
    """First and last column of a row's spans attribute ("1:20" or "1:5 7:9")."""
    nums = [int(x) for x in re.findall(rb"\d+", spans)] or [MAX_COL, 0]
    return nums[0], nums[-1]


def _merge_plan(letters: list[bytes], cols: tuple[int, ...]) -> list | bool:
    """How a row whose cells have the column `letters` (in order) takes edits in the columns `cols`
    (ascending): the pieces of the new row, in order. A slice keeps those old pieces as they were
    (1 is the first cell); (i, k) is edit i, whose old piece is k (0: it has none). False when the
    old columns are not strictly ascending (the run path handles such a row as it always did)."""
    old = [COL_INDEX.get(x, 0) for x in letters]
    if not all(a < b for a, b in zip([0, *old], old)):
        return False
    plan: list = []
    k, n = 0, len(old)
    for i, col in enumerate(cols):
        a = k
        while k < n and old[k] < col:
            k += 1
        if k > a:
            plan.append(slice(a + 1, k + 1))
        if k < n and old[k] == col:
            plan.append((i, k + 1))
            k += 1
        else:
            plan.append((i, 0))
    if k < n:
        plan.append(slice(k + 1, n + 1))
    return plan


class SheetPatcher:
    """Rewrites one worksheet's XML. The output is built by splicing: `out` collects unchanged
    slices of the sheetData body and new pieces, `last` is the body offset copied so far."""

    def __init__(self, xml: bytes, name: str, edit: SheetEdit, styles: Styles, date1904: bool,
                 report: PatchReport, by_row: dict[int, list[tuple[int, CellValue]]] | None = None):
        self.xml, self.name, self.edit = xml, name, edit
        self.styles, self.date1904, self.report = styles, date1904, report
        self.p = p = root_prefix(xml, b"worksheet")
        self.ps = p.decode()
        self.cell_re = re.compile(
            rb"<" + p + rb"c(?=[\s/>])(?:\s+r=\"([A-Z]{1,3})[0-9]+\")?([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self.f_re = re.compile(rb"<" + p + rb"f(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"f>)", re.S)
        self.cell_tag, self.cell_open, self.cell_close = b"<" + p + b"c", b"<" + p + b'c r="', b"</" + p + b"c>"
        self.f_tag = b"<" + p + b"f"
        self.v_open, self.v_close = b"><" + p + b"v>", b"</" + p + b"v></" + p + b"c>"
        self.col_keys = _col_keys(self.cell_open)
        self.letters_re = re.compile(re.escape(self.cell_tag) + rb'(?: r="([A-Z]{1,3})(?=[0-9]))?')
        self.plans: dict[tuple, list[int] | bool] = {}  # a row's shape -> how it merges (_merge_plan)
        self.rests: dict[tuple, bytes] = {}           # (style, type, value) -> what follows `<c r="A1"`
        self.styles_of: dict[bytes, bytes | None] = {}  # cell attributes -> s value (few distinct)
        self.formula_changed = False
        self.broken: dict[bytes, SharedGroup] = {}
        self.zone_end = 0  # last row that may hold a dependent of a broken shared formula
        self.skipped = 0  # None edits of cells that do not exist: nothing to write
        self._col_style_cache: dict[int, bytes | None] = {}
        self.clip = False           # cut texts over Excel's limit here (for_rows; else the session did)
        self.clipped = 0
        if by_row is not None:      # row -> [(col, value)], already in column order (the streamed recalc)
            self.by_row = by_row
            self.n_cells = sum(map(len, by_row.values()))
        else:
            self.by_row = defaultdict(list)
            self.n_cells = len(edit.cells)
            with gc_paused():  # 100k+ small tuples would trigger full collections over the caller's data too
                by_row = self.by_row
                for (row, col), value in edit.cells.items():
                    by_row[row].append((col, value))
            for cells in self.by_row.values():
                cells.sort()  # (row, col) keys are unique, so values are never compared
        # Bounding box of the edits, for <dimension> (None edits included: harmless).
        self.box = None
        for row, cells in self.by_row.items():
            if not (1 <= row <= MAX_ROW and 1 <= cells[0][0] and cells[-1][0] <= MAX_COL):
                raise ValueError(f"sheet {name!r}: a cell in row {row} is outside the sheet")
        if self.by_row:
            self.box = (min(self.by_row), min(c[0][0] for c in self.by_row.values()),
                        max(self.by_row), max(c[-1][0] for c in self.by_row.values()))

    def run(self, emit: Callable[[bytes], None]) -> bool:
        """Feed the new sheet XML to `emit` in chunks; False if nothing changed (then what was
        emitted is to be discarded)."""
        xml, p = self.xml, self.p
        m = re.search(rb"<" + p + rb"sheetData(?=[\s/>])[^>]*?(/?)>", xml)
        if m is None:
            raise PatchError(f"sheet {self.name!r} has no <sheetData>")
        if m.group(1):
            start = end = m.end()
            head = xml[: m.start()] + m.group(0)[:-2].rstrip() + b">"
            tail_tag = b"</" + p + b"sheetData>"
        else:
            start = m.end()
            end = xml.find(b"</" + p + b"sheetData>", start)
            if end < 0:
                raise PatchError(f"sheet {self.name!r}: unterminated <sheetData>")
            head, tail_tag = xml[:start], b""
        body = xml[start:end]
        if re.search(rb"<[!?]", body):
            raise UnsupportedWorkbook(f"sheet {self.name!r}: comments/CDATA inside <sheetData> are not supported")
        self._check_arrays(body)
        self.col_styles = self._col_styles(xml[: m.start()])
        emit(self._update_dimension(head))
        if not self._patch_rows(body, emit):
            return False
        emit(tail_tag + xml[end:])
        self.report.cells_written += self.n_cells - self.skipped
        return True

    # -- rows

    def _patch_rows(self, body: bytes, emit: Callable[[bytes], None]) -> bool:
        """Emit the new sheetData body; returns whether anything changed."""
        p = self.p
        out: list[bytes] = []
        emitted = False
        row_open, row_close = b"<" + p + b"row", b"</" + p + b"row>"
        pending = sorted(self.by_row)
        pi, npending = 0, len(pending)
        clear = self.edit.clear_rows_from
        last = pos = prev_row = 0
        while True:
            i = body.find(row_open, pos)
            if i < 0:
                break
            a = i + len(row_open)
            j = body.find(b">", a)
            if j < 0 or body[a:a + 1] not in b" \t\r\n/>":
                raise PatchError(f"sheet {self.name!r}: malformed <row> at offset {i}")
            attrs = body[a:j]
            if attrs.endswith(b"/"):
                attrs, cs, ce = attrs[:-1], None, None
                end = j + 1
            else:
                cs = j + 1
                ce = body.find(row_close, cs)
                if ce < 0 or body.find(row_open, cs, ce) >= 0:
                    raise PatchError(f"sheet {self.name!r}: a <row> is not closed (after row {prev_row})")
                end = ce + len(row_close)
            if attrs[:4] == b' r="':  # the usual form; _attr handles the rest
                rownum = int(attrs[4:attrs.index(b'"', 4)])
            else:
                r = get_attr(attrs, b"r")
                rownum = int(r) if r else prev_row + 1
            if rownum <= prev_row:
                raise PatchError(f"sheet {self.name!r}: rows are not in ascending order at row {rownum}")
            if clear is not None and rownum >= clear:
                self._clear_rows(body, i)
                out.append(body[last:i])
                last = len(body)
                break
            prev_row = rownum
            while pi < npending and pending[pi] < rownum:
                new = self._new_row(pending[pi])
                if new:
                    out.append(body[last:i])
                    out.append(new)
                    last = i
                pi += 1
            if pi < npending and pending[pi] == rownum:
                edits = self.by_row[rownum]
                pi += 1
            elif self.broken and rownum <= self.zone_end:
                edits = []
            else:
                pos = end
                continue
            if cs is None:  # an empty <row/>
                new = self._new_row(rownum, attrs) if edits else b""
                if new:
                    out.append(body[last:i])
                    out.append(new)
                    last = end
            else:
                last = self._patch_row(rownum, attrs, body, a, j, cs, ce, edits, out, last)
            pos = end
            if len(out) > 32768:  # hand over to the compressor as we go (big chunks: fewer GIL hand-offs)
                emit(b"".join(out))
                out.clear()
                emitted = True
        new_rows = [new for new in map(self._new_row, pending[pi:]) if new]
        if new_rows:
            out.append(body[last:])
            last = len(body)
            out.extend(new_rows)
        if not out and not emitted:
            return False
        out.append(body[last:])
        emit(b"".join(out))
        return True

    def _clear_rows(self, body: bytes, start: int) -> None:
        dropped = body[start:]
        self.report.rows_cleared += len(re.findall(rb"<" + self.p + rb"row(?=[\s/>])", dropped))
        if self.f_re.search(dropped):
            self.formula_changed = True

    def _new_row(self, rownum: int, attrs: bytes | None = None) -> bytes:
        """A row holding the edits of `rownum` (attrs: of an existing empty <row/>)."""
        row_style = self._row_style(attrs) if attrs else None
        cells = []
        for col, value in self.by_row[rownum]:
            if value is None or value == "":
                self.skipped += 1
            else:
                cells.append(self.cell_open + b'%s%d"' % (COL_BYTES[col], rownum)
                             + self._cell_rest(rownum, col, value, self._new_cell_style(row_style, col)))
        if not cells:
            return b""
        if attrs is None:
            attrs = b' r="%d"' % rownum
        else:
            attrs = self._widen_spans(attrs, self.by_row[rownum][0][0], self.by_row[rownum][-1][0])
        return b"<" + self.p + b"row" + attrs + b">" + b"".join(cells) + b"</" + self.p + b"row>"

    def _patch_row(self, rownum: int, attrs: bytes, body: bytes, a: int, j: int, cs: int, ce: int,
                   edits: list[tuple[int, CellValue]], out: list[bytes], last: int) -> int:
        """Splice the edits of one row (attributes at body[a:j], cells at body[cs:ce])."""
        row_style = self._row_style(attrs) if b"customFormat" in attrs else None
        if edits and b"spans" in attrs:
            new_attrs = self._widen_spans(attrs, edits[0][0], edits[-1][0])
            if new_attrs is not attrs:
                out.append(body[last:a])
                out.append(new_attrs)
                last = j
        # The fast paths need every cell to start with `<c r="`, and must not meet a shared-formula
        # master (ref=): overwriting one turns later cells of the same row into survivors to fix.
        if not (self.broken and rownum <= self.zone_end) and body.find(b"ref=", cs, ce) < 0:
            new = self._spliced_row(rownum, body[cs:ce], edits, row_style)
            if new is not None:
                out.append(body[last:cs])
                out.append(new)
                return ce
            if body.count(self.cell_tag, cs, ce) == body.count(self.cell_open, cs, ce):
                return self._edit_cells_runs(rownum, body, cs, ce, edits, row_style, out, last)
        return self._edit_cells_scanning(rownum, body, cs, ce, edits, row_style, out, last)

    def _spliced_row(self, rownum: int, content: bytes, edits: list[tuple[int, CellValue]],
                     row_style: bytes | None) -> bytes | None:
        """The common case, in one piece: the row's cells (`content`, every one starting with `<c r="`)
        are cut at each `<c r="` (in C), and the new content is the old pieces of the cells not edited,
        each with what follows it, merged by column with the edited cells' new XML; an edited cell's old
        piece (and the whitespace after it) goes. The bytes are exactly _edit_cells_runs'. How a row of
        a given shape (its cells' columns, the edited columns, the row's style) merges is planned once
        per shape, and a value's XML once per style. None (the caller takes the run path) when the
        references are not plain ascending A1 ones."""
        letters = self.letters_re.findall(content)     # every `<c`: its column, or b"" when not plain
        if b"" in letters:
            return None
        cell_open = self.cell_open
        pieces = content.split(cell_open)
        if len(pieces) != len(letters) + 1:
            return None
        key = (tuple(letters), tuple(map(_first, edits)), row_style)
        plan = self.plans.get(key)
        if plan is None:
            if len(self.plans) >= 4096:        # rows of too many shapes: keep the memory bounded
                self.plans.clear()
            plan = self.plans[key] = self._plan(letters, edits, row_style)
        if plan is False:
            return None
        row_key = b'%d"' % rownum
        new = [pieces[0]]
        append = new.append
        styles_of, rests, f_tag = self.styles_of, self.rests, self.f_tag
        for op in plan:
            if op.__class__ is slice:            # old cells that stay, as they were
                new += pieces[op]
                continue
            i, k, letters_of, style = op
            value = edits[i][1]
            if k:                                # the style of the cell it replaces
                piece = pieces[k]
                gt = piece.find(b">")
                attrs = piece[piece.find(b'"') + 1:gt - 1 if piece[gt - 1] == 0x2F else gt]
                if f_tag in piece:
                    self._formula_overwritten(rownum, edits[i][0], piece)
                style = styles_of.get(attrs, _MISSING)
                if style is _MISSING:
                    style = styles_of[attrs] = get_attr(attrs, b"s")
            elif value is None or (value.__class__ is str and not value):
                self.skipped += 1
                continue
            # Equal values of one type give the same XML (a date's may take a new date style: not kept).
            rkey = (style, value.__class__, value)
            try:
                rest = rests.get(rkey)
            except TypeError:                    # unhashable (a signalling NaN): _cell_rest says what is wrong
                rest = rkey = None
            if rest is None:
                rest = self._cell_rest(rownum, edits[i][0], value, style)
                if rkey is not None and not isinstance(value, dt.date) and len(rests) < 65536 \
                        and not (self.clip and value.__class__ is str and len(value) > MAX_TEXT):
                    rests[rkey] = rest
            append(letters_of + row_key + rest)
        return cell_open.join(new)

    def _plan(self, letters: list[bytes], edits: list[tuple[int, CellValue]], row_style: bytes | None):
        """_merge_plan with each edit as (i, k, its column's letters, the style of a new cell)."""
        plan = _merge_plan(letters, tuple(map(_first, edits)))
        if plan is False:
            return False
        return [op if op.__class__ is slice else
                (op[0], op[1], COL_BYTES[edits[op[0]][0]], self._new_cell_style(row_style, edits[op[0]][0]))
                for op in plan]

    def _edit_cells_runs(self, rownum, body, cs, ce, edits, row_style, out, last) -> int:
        """Fast path, for rows whose cells all start with `<c r="`. The edits come in runs of adjacent
        columns (computed columns sit in a few blocks), and each run replaces the row's cells in its
        columns with one piece: two regex searches find where the run's columns start and end, the old
        cells between them give their styles, and the new cells are joined. Kept lean: it runs for
        every edited row."""
        p, row_key, n, i, pos = self.p, b'%d"' % rownum, len(edits), 0, cs
        col_keys, styles_of, f_tag, cell_rest = self.col_keys, self.styles_of, self.f_tag, self._cell_rest
        while i < n:
            j = i
            while j + 1 < n and edits[j + 1][0] == edits[j][0] + 1:
                j += 1
            lo, hi = edits[i][0], edits[j][0]
            m = cells_beyond(p, lo - 1).search(body, pos, ce)
            start = m.start() if m else ce
            m = cells_beyond(p, hi).search(body, start, ce) if m else None
            end = m.start() if m else ce
            old = {}
            if start < end:
                for cm in self.cell_re.finditer(body, start, end):
                    col = COL_INDEX[cm.group(1)]
                    inner = cm.group(3)
                    if inner and f_tag in inner:
                        self._formula_overwritten(rownum, col, inner)
                    old[col] = cm.group(2)
            if start > last:
                out.append(body[last:start])
            for col, value in edits[i:j + 1]:
                attrs = old.get(col)
                if attrs is None:
                    if value is None or (value.__class__ is str and not value):
                        self.skipped += 1
                        continue
                    style = self._new_cell_style(row_style, col)
                else:
                    style = styles_of.get(attrs, _MISSING)
                    if style is _MISSING:
                        style = styles_of[attrs] = get_attr(attrs, b"s")
                out.append(col_keys[col] + row_key + cell_rest(rownum, col, value, style))
            last = pos = max(end, last)
            i = j + 1
        return last

    def _edit_cells_scanning(self, rownum, body, cs, ce, edits, row_style, out, last) -> int:
        """General path: walk every cell of the row (cells without r, attributes in any order,
        dependents of a broken shared formula)."""
        n, k = len(edits), 0
        next_col = edits[0][0] if n else MAX_COL + 1
        zone = bool(self.broken) and rownum <= self.zone_end
        prev = 0
        for m in self.cell_re.finditer(body, cs, ce):
            letters = m.group(1)
            col = COL_INDEX.get(letters) if letters else self._cell_col(m.group(2), prev)
            if col is None:
                raise PatchError(f"sheet {self.name!r}: bad cell reference in row {rownum}")
            prev = col
            if col < next_col and not zone:
                continue
            while col > next_col:  # edited cells missing before this one
                value = edits[k][1]
                if value is None or value == "":
                    self.skipped += 1
                else:
                    out.append(body[last:m.start()])
                    out.append(self._new_cell(rownum, next_col, value, row_style))
                    last = m.start()
                k += 1
                next_col = edits[k][0] if k < n else MAX_COL + 1
            if col == next_col:
                out.append(body[last:m.start()])
                out.append(self.cell_open + b'%s%d"' % (COL_BYTES[col], rownum)
                           + self._replacement_rest(rownum, col, edits[k][1], m.group(2), m.group(3)))
                last = m.end()
                k += 1
                next_col = edits[k][0] if k < n else MAX_COL + 1
                zone = bool(self.broken) and rownum <= self.zone_end
            elif zone:
                new = self._survivor(rownum, col, body, m)
                if new is not None:
                    out.append(body[last:m.start()])
                    out.append(new)
                    last = m.end()
        tail = []
        for col, value in edits[k:]:  # after the last existing cell
            if value is None or value == "":
                self.skipped += 1
            else:
                tail.append(self._new_cell(rownum, col, value, row_style))
        if tail:
            out.append(body[last:ce])
            out.append(b"".join(tail))
            last = ce
        return last

    # -- cells

    def _cell_col(self, attrs: bytes, prev: int) -> int | None:
        r = get_attr(attrs, b"r")
        return parse_ref(r)[1] if r else prev + 1

    def _new_cell(self, rownum: int, col: int, value: CellValue, row_style: bytes | None) -> bytes:
        return (self.cell_open + b'%s%d"' % (COL_BYTES[col], rownum)
                + self._cell_rest(rownum, col, value, self._new_cell_style(row_style, col)))

    def _replacement_rest(self, rownum: int, col: int, value: CellValue, attrs: bytes, inner: bytes | None) -> bytes:
        """What follows `<c r="..."` in the new XML of an existing cell: same style (s), new value.
        Other attributes (t, cm, vm of the old value) are dropped."""
        if inner and self.f_tag in inner:
            self._formula_overwritten(rownum, col, inner)
        return self._cell_rest(rownum, col, value, get_attr(attrs, b"s"))

    def _formula_overwritten(self, rownum: int, col: int, inner: bytes) -> None:
        fm = self.f_re.search(inner)
        if fm:
            self.formula_changed = True
            self._break_shared(rownum, col, fm)

    def _cell_rest(self, row: int, col: int, value: CellValue, style: bytes | None) -> bytes:
        """What follows `<c r="..."` for a new value: style attribute, type, value.
        The most common types are tested first, by exact type, because this runs for every cell."""
        kind = type(value)
        if kind is str and value:
            if self.clip and len(value) > MAX_TEXT:      # as session.clip_long_texts cuts it
                value = value[: MAX_TEXT - len(CLIP_MARK)] + CLIP_MARK
                self.clipped += 1
            tail = inline_string_tail(self.p, value)
        elif kind is float:
            if value - value != 0:  # inf or nan
                raise ValueError(f"cannot write {value} to cell {self.name}!{cell_ref(row, col)}")
            text = b"%d" % value if value.is_integer() and -1e16 < value < 1e16 else repr(value).encode()
            tail = self.v_open + text + self.v_close
        elif kind is int:
            tail = self.v_open + b"%d" % value + self.v_close
        elif kind is Decimal:
            tail = self.v_open + number_text(value).encode() + self.v_close
        elif value is None or kind is str:  # None and "" clear the value, keep the style
            return b' s="' + style + b'"/>' if style else b"/>"
        elif kind is bool:
            tail = b' t="b"' + self.v_open + (b"1" if value else b"0") + self.v_close
        elif isinstance(value, dt.date):
            if not self.styles.is_date(style):
                style = self.styles.date_style(style, "datetime" if isinstance(value, dt.datetime) else "date")
            tail = self.v_open + excel_serial(value, self.date1904).encode() + self.v_close
        elif kind is Formula:
            self.formula_changed = True     # calcChain and fullCalcOnLoad: Excel computes it on open
            tail = (b' t="str"><' + self.p + b'f>' + text_xml(value).encode() + b'</' + self.p + b'f><' + self.p
                    + b'v>' + text_xml(value.cached).encode() + self.v_close)
        elif isinstance(value, str):
            return self._cell_rest(row, col, str(value), style)
        elif isinstance(value, numbers.Real):
            tail = self.v_open + number_text(value).encode() + self.v_close
        else:
            raise TypeError(f"cannot write {type(value).__name__} value {value!r} to cell "
                            f"{self.name}!{cell_ref(row, col)}")
        return b' s="' + style + b'"' + tail if style else tail

    def _row_style(self, attrs: bytes) -> bytes | None:
        if b"customFormat" in attrs and get_attr(attrs, b"customFormat") in (b"1", b"true"):
            return get_attr(attrs, b"s")
        return None

    def _new_cell_style(self, row_style: bytes | None, col: int) -> bytes | None:
        """Style of a new cell: the row's if it is custom-formatted, else the column's."""
        if row_style is not None:
            return row_style
        if col not in self._col_style_cache:
            self._col_style_cache[col] = next((s for lo, hi, s in self.col_styles if lo <= col <= hi), None)
        return self._col_style_cache[col]

    def _col_styles(self, head: bytes) -> list[tuple[int, int, bytes]]:
        return [col for col in column_styles(head, self.p) if col[2]]

    # -- shared and array formulas

    def _break_shared(self, rownum: int, col: int, fm: re.Match) -> None:
        fattrs = fm.group(1)
        ref, si = get_attr(fattrs, b"ref"), get_attr(fattrs, b"si")
        if get_attr(fattrs, b"t") != b"shared" or ref is None or si is None:
            return
        _, _, r2, c2 = parse_range(ref)
        text = xml_unescape((fm.group(2) or b"").decode())
        self.broken[si] = SharedGroup(rownum, col, text, r2, c2)
        self.zone_end = max(self.zone_end, r2)

    def _survivor(self, rownum: int, col: int, body: bytes, m: re.Match) -> bytes | None:
        """Rewrite a dependent of a shared formula whose master was overwritten: the first one
        becomes the master (ref from it to the old bottom-right); later ones outside that range
        become standalone formulas."""
        inner = m.group(3)
        if not inner or b"si=" not in inner:
            return None
        fm = self.f_re.search(inner)
        if fm is None:
            return None
        fattrs = fm.group(1)
        group = self.broken.get(get_attr(fattrs, b"si") or b"")
        if group is None or get_attr(fattrs, b"t") != b"shared" or get_attr(fattrs, b"ref") is not None:
            return None
        p, si = self.ps, get_attr(fattrs, b"si").decode()
        text = xml_escape(shift_formula(group.formula, rownum - group.row, col - group.col))
        if group.new_master is None:
            group.new_master = (rownum, col)
            ref = f"{cell_ref(rownum, col)}:{cell_ref(group.last_row, group.last_col)}"
            new_f = f'<{p}f t="shared" ref="{ref}" si="{si}">{text}</{p}f>'
            self.report.shared_formulas_remastered += 1
        elif rownum >= group.new_master[0] and col >= group.new_master[1]:
            return None  # inside the new master's range: still a valid dependent
        else:
            new_f = f"<{p}f>{text}</{p}f>"
            self.report.formulas_expanded += 1
        return (body[m.start():m.start(3)] + inner[: fm.start()] + new_f.encode() + inner[fm.end():]
                + body[m.end(3):m.end()])

    def _check_arrays(self, body: bytes) -> None:
        """Refuse to overwrite part of an array formula or data table (Excel would reject the file)."""
        clear = self.edit.clear_rows_from
        for m in re.finditer(rb"<" + self.p + rb"f(?=\s)[^>]*?\bt=\"(?:array|dataTable)\"[^>]*>", body):
            ref = get_attr(m.group(0), b"ref")
            if ref is None:
                continue
            r1, c1, r2, c2 = parse_range(ref)
            if clear is not None and r1 < clear <= r2:
                raise PatchError(f"sheet {self.name!r}: clearing from row {clear} cuts the array formula "
                                 f"{ref.decode()}")
            for row in range(r1, min(r2, MAX_ROW) + 1):
                for col, _ in self.by_row.get(row, ()):
                    if c1 <= col <= c2 and (row, col) != (r1, c1):
                        raise PatchError(f"sheet {self.name!r}: {cell_ref(row, col)} is inside the array formula "
                                         f"{ref.decode()}; only its top-left cell can be overwritten")

    # -- dimension / spans

    def _widen_spans(self, attrs: bytes, lo: int, hi: int) -> bytes:
        spans = get_attr(attrs, b"spans")
        if not spans:
            return attrs
        first, last = _span_bounds(spans)
        if first <= lo and hi <= last:
            return attrs
        return set_attr(attrs, b"spans", b"%d:%d" % (min(first, lo), max(last, hi)))

    def _update_dimension(self, head: bytes) -> bytes:
        return widen_dimension(head, self.p, self.box, self.edit.clear_rows_from)

    # -- a stretch of rows (the streamed recalc)

    @classmethod
    def for_rows(cls, head: bytes, name: str, rows: dict, styles: Styles, date1904: bool,
                 report: PatchReport) -> "SheetPatcher":
        """A patcher for some whole <row> elements of a sheet whose XML up to <sheetData> is `head`.
        `rows`: row -> [(col, value)] in column order. Texts over Excel's limit are cut as the session
        cuts them (counted in `clipped`). The caller writes the head, with widen_dimension over every
        stretch's `box`."""
        patcher = cls(head, name, SheetEdit({}), styles, date1904, report, by_row=rows)
        patcher.col_styles = patcher._col_styles(head)
        patcher.clip = True
        return patcher

    def patch_rows(self, body: bytes) -> bytes:
        """`body` (whole <row> elements) with the edits written; the edits' rows must lie in it."""
        self._check_arrays(body)
        out: list[bytes] = []
        if not self._patch_rows(body, out.append):
            return body
        if self.formula_changed:     # a shared formula's dependents may lie in another stretch
            raise PatchError(f"sheet {self.name!r}: a formula cell cannot be overwritten in a streamed write")
        self.report.cells_written += self.n_cells - self.skipped
        return b"".join(out)


def widen_dimension(head: bytes, p: bytes, box, clear_rows_from: int | None = None) -> bytes:
    """The sheet head with <dimension> grown to cover `box` (first row, first col, last row, last col)."""
    m = re.search(rb"<" + p + rb"dimension(?=[\s/>])([^>]*?)/?>", head)
    ref = get_attr(m.group(1), b"ref") if m else None
    if ref is None:
        return head
    try:
        r1, c1, r2, c2 = parse_range(ref)
    except PatchError:
        return head
    if clear_rows_from is not None:
        r2 = max(r1, min(r2, clear_rows_from - 1))
    if box:
        r1, c1 = min(r1, box[0]), min(c1, box[1])
        r2, c2 = max(r2, box[2]), max(c2, box[3])
    new = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}" if (r1, c1) != (r2, c2) else cell_ref(r1, c1)
    if new.encode() == ref:
        return head
    attrs = set_attr(m.group(1), b"ref", new.encode())
    return head[: m.start(1)] + attrs + head[m.end(1):]
