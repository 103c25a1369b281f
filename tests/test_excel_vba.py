"""The VBA project writer, checked with independent readers: olefile (compound file) and oletools (MS-OVBA)."""
from __future__ import annotations

import io
import random
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from addin.excel.xlsm import vba_modules
from addin.excel.vba import cfb
from addin.excel.vba.ovba import (PROJECT_ID, WORKBOOK_BASE, compress, document_module, encrypt,
                                  standard_module, vba_project_bin)

ROOT = Path(__file__).resolve().parents[1]
XLWINGS = Path(__import__("xlwings").__file__).parent


@pytest.mark.parametrize("data", [
    b"", b"a", b"abcdefghijklmnopqrstuv.", b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
    b"x" * 10000, bytes(random.Random(1).randrange(256) for _ in range(9000)),
    bytes(random.Random(2).choice(b"ab\r\n") for _ in range(20000)),
])
def test_compression_round_trips_through_oletools(data):
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


def test_compression_matches_the_spec_example():
    # MS-OVBA 3.2.2: "abcdefghijklmnopqrstuv." compresses to this container
    assert compress(b"abcdefghijklmnopqrstuv.") == bytes.fromhex("0119B000") + b"abcdefgh\x00ijklmnop\x00qrstuv."


def test_real_module_source_round_trips():
    source = (XLWINGS / "xlwings.bas").read_bytes()
    packed = compress(source)
    assert len(packed) < len(source) // 2
    assert bytes(decompress_stream(bytearray(packed))) == source


def _decrypt(hex_text: str, project_id: str) -> tuple[int, bytes]:
    """MS-OVBA 2.4.3.3, written out here as the test's own reading of the spec."""
    b = bytes.fromhex(hex_text)
    seed, proj_key = b[0], b[2] ^ b[0]
    assert b[1] ^ seed == 2 and proj_key == sum(project_id.encode()) & 0xFF
    unencrypted, enc1, enc2 = proj_key, b[2], b[1]
    plain = []
    for enc in b[3:]:
        byte = enc ^ ((enc2 + unencrypted) & 0xFF)
        plain.append(byte)
        enc2, enc1, unencrypted = enc1, enc, byte
    plain = bytes(plain[(seed & 6) // 2:])
    length = int.from_bytes(plain[:4], "little")
    return length, plain[4:4 + length]


def test_protection_values_decrypt_as_unprotected_and_visible():
    # xlwings' quickstart.xlsm, saved by Excel: the reader agrees with Excel's own output ...
    assert _decrypt("A7A58C2B7CDD73E173E173E173E1", "{E2E0E410-BF04-4DC5-BDD2-D3FBBA8B7D37}") == (4, bytes(4))
    # ... and with ours
    for seed in range(256):
        assert _decrypt(encrypt(b"\xff", PROJECT_ID, seed), PROJECT_ID) == (1, b"\xff")


def _walk_tree(ole: olefile.OleFileIO, sid: int, depth_black: int, out: list) -> int:
    """Black height of the red-black tree under sid, asserting its invariants; collects names in order."""
    if sid == cfb.NOSTREAM:
        return 1
    entry = ole.direntries[sid] or ole._load_direntry(sid)
    left = _walk_tree(ole, entry.sid_left, depth_black, out)
    out.append(entry.name)
    right = _walk_tree(ole, entry.sid_right, depth_black, out)
    assert left == right, "unequal black height"
    if entry.color == cfb.RED:
        for child in (entry.sid_left, entry.sid_right):
            if child != cfb.NOSTREAM:
                assert ole.direntries[child].color == cfb.BLACK, "red node with a red child"
    return left + (entry.color == cfb.BLACK)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 15, 16, 40])
def test_compound_file_is_strictly_valid(n):
    streams = {f"S/m{i}": bytes([i]) * (i * 250) for i in range(n)}
    streams["top"] = b"t" * 5000
    data = cfb.compound_file(streams)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    for path, content in streams.items():
        assert ole.openstream(path.split("/")).read() == content
    storage = next(e for e in ole.direntries if e is not None and e.name == "S")
    names: list[str] = []
    _walk_tree(ole, storage.sid_child, 0, names)
    assert ole.direntries[storage.sid_child].color == cfb.BLACK
    assert names == sorted(names, key=cfb._sort_key)


def test_generated_project_reads_back_intact(tmp_path):
    modules = vba_modules(["Sheet1", "Sheet2"])
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(vba_project_bin(modules))
    parser = VBA_Parser(str(path))
    got = {name: code for _, _, name, code in parser.extract_macros()}
    assert set(got) == {"ThisWorkbook.cls", "Sheet1.cls", "Sheet2.cls", "AfterSales.bas", "xlwings.bas",
                        "Dictionary.cls"}
    ours = (ROOT / "addin" / "excel" / "vba" / "AfterSales.bas").read_text(encoding="ascii")
    assert got["AfterSales.bas"].replace("\r\n", "\n") == ours.rstrip("\n") + "\n"
    shipped = (XLWINGS / "xlwings.bas").read_text().replace("\r\n", "\n")
    assert got["xlwings.bas"].replace("\r\n", "\n") == shipped.rstrip("\n") + "\n"
    project = olefile.OleFileIO(str(path)).openstream("PROJECT").read().decode("cp1252")
    assert "Module=AfterSales" in project and "Class=Dictionary" in project
    assert "Document=ThisWorkbook/&H00000000" in project and "Document=Sheet2/&H00000000" in project


def test_class_module_gets_the_attributes_excel_stores():
    """Dictionary.cls as stored by Excel in xlwings' standalone quickstart, from the .cls file xlwings ships."""
    modules = {m.name: m for m in vba_modules([])}
    stored = {name: code for _, _, name, code in VBA_Parser(str(XLWINGS / "quickstart_standalone.xlsm")).extract_macros()}
    ours = modules["Dictionary"].source.split("\r\n")
    excel = stored["Dictionary.cls"].split("\r\n")
    assert ours[:8] == excel[:8]          # VB_Name, VB_Base, ..., VB_Customizable in Excel's order
    doc = document_module("ThisWorkbook", WORKBOOK_BASE)
    assert doc.source == stored["ThisWorkbook.cls"]


def test_macro_file_is_ascii():
    """The source ships in the wheel; macros/AfterSales.bas is its generated copy (tests/test_generated_copies.py)."""
    text = (ROOT / "addin" / "excel" / "vba" / "AfterSales.bas").read_bytes()
    text.decode("ascii")
    module = standard_module(text.decode())
    assert module.name == "AfterSales"
    for sub in ("RecalculateCases", "GenerateTexts", "ExportSms", "ValidateCases"):
        assert f"Public Sub {sub}()" in module.source


def test_non_ascii_source_is_refused():
    with pytest.raises(UnicodeEncodeError):
        vba_project_bin([standard_module('Attribute VB_Name = "M"\nSub A()\n    MsgBox "重新计算"\nEnd Sub\n')])
