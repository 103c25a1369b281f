"""vbaProject.bin from VBA source text (MS-OVBA), for the workbook's buttons.

The project stores each module's source, MS-OVBA-compressed, with no compiled code: the _VBA_PROJECT
stream's version is 0xFFFF, which no Office version has, so Excel ignores the (absent) performance
cache and compiles the modules from source when it opens the file. xlwings ships its standalone
quickstart workbook built the same way. The source is kept ASCII so the project's code page (1252)
never matters, whatever the Windows locale.

Layout (MS-OVBA 2.2): PROJECT (text properties), PROJECTwm (module names), VBA/_VBA_PROJECT,
VBA/dir (compressed project and module records), VBA/<module> (compressed source) per module.
"""
from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from .cfb import compound_file

CODE_PAGE = 1252
PROJECT_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "aftersales-addin/vba-project")).upper() + "}"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
REFERENCES = (   # what a new Excel project has: OLE Automation and the Office object library
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files\\Microsoft Shared"
               "\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library"),
)


@dataclass(frozen=True)
class Module:
    name: str
    kind: str        # "standard" (.bas), "class" (.cls) or "document" (ThisWorkbook, a sheet)
    source: str      # as stored: Attribute lines first, CRLF line ends

    @property
    def record_type(self) -> int:
        return 0x21 if self.kind == "standard" else 0x22


# --- modules from source files -----------------------------------------------------------------

def _crlf(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\r\n".join(text.rstrip("\n").split("\n")) + "\r\n"


def _attribute_name(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("Attribute VB_Name"):
            return line.split("=", 1)[1].strip().strip('"')
    raise ValueError("VBA source has no 'Attribute VB_Name' line")


def standard_module(text: str) -> Module:
    """A .bas file as exported from the VBA editor."""
    return Module(_attribute_name(text), "standard", _crlf(text))


def class_module(text: str) -> Module:
    """A .cls file: the VERSION/BEGIN/END header goes, the attributes the editor adds on import come in."""
    lines = _crlf(text).split("\r\n")
    if lines and lines[0].startswith("VERSION"):
        end = lines.index("END")
        lines = lines[end + 1:]
    out = []
    for line in lines:
        out.append(line)
        if line.startswith("Attribute VB_Name"):
            out.append(f'Attribute VB_Base = "{CLASS_BASE}"')
        elif line.startswith("Attribute VB_Exposed"):
            out += ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"]
    source = "\r\n".join(out)
    return Module(_attribute_name(source), "class", source)


def document_module(name: str, base: str) -> Module:
    """ThisWorkbook (base WORKBOOK_BASE) or a worksheet's module (WORKSHEET_BASE), empty of code."""
    attributes = [("VB_Name", f'"{name}"'), ("VB_Base", f'"{base}"'), ("VB_GlobalNameSpace", "False"),
                  ("VB_Creatable", "False"), ("VB_PredeclaredId", "True"), ("VB_Exposed", "True"),
                  ("VB_TemplateDerived", "False"), ("VB_Customizable", "True")]
    return Module(name, "document", "".join(f"Attribute {k} = {v}\r\n" for k, v in attributes))


# --- MS-OVBA 2.4.1 compression -------------------------------------------------------------------

CHUNK = 4096


def compress(data: bytes) -> bytes:
    """CompressedContainer: signature 0x01, then one chunk per 4096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data[start:start + CHUNK])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    pos = 0
    recent: dict[bytes, list[int]] = {}     # 3-byte prefix -> earlier positions in this chunk
    while pos < len(chunk):
        flags, tokens = 0, bytearray()
        for bit in range(8):
            if pos >= len(chunk):
                break
            offset, length = _longest_match(chunk, pos, recent)
            if length >= 3:
                bit_count = max((pos - 1).bit_length(), 4)
                tokens += struct.pack("<H", ((offset - 1) << (16 - bit_count)) | (length - 3))
                flags |= 1 << bit
                step = length
            else:
                tokens.append(chunk[pos])
                step = 1
            for p in range(pos, pos + step):
                recent.setdefault(chunk[p:p + 3], []).append(p)
            pos += step
        body.append(flags)
        body += tokens
    if len(body) > CHUNK and len(chunk) == CHUNK:
        return struct.pack("<H", 0x3FFF) + chunk         # stored raw: compression would not help
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body


def _longest_match(chunk: bytes, pos: int, recent: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset back, length) of the longest earlier copy of the bytes at pos (closest on ties)."""
    if pos == 0:
        return 0, 0
    bit_count = max((pos - 1).bit_length(), 4)
    max_length = (0xFFFF >> bit_count) + 3
    limit = min(max_length, len(chunk) - pos)
    best_offset = best_length = 0
    for candidate in reversed(recent.get(chunk[pos:pos + 3], ())):
        length = 0
        while length < limit and chunk[candidate + length] == chunk[pos + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = pos - candidate, length
            if length == limit:
                break
    return best_offset, best_length


# --- MS-OVBA 2.4.3 data encryption (the PROJECT stream's CMG, DPB and GC values) --------------------

def encrypt(data: bytes, project_id: str, seed: int) -> str:
    version, proj_key = 2, sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unencrypted, enc1, enc2 = proj_key, seed ^ proj_key, seed ^ version
    # (seed & 6) // 2 ignored bytes come first; their value does not matter
    for byte in bytes((seed & 6) // 2) + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((enc2 + unencrypted) & 0xFF)
        out.append(enc)
        enc2, enc1, unencrypted = enc1, enc, byte
    return out.hex().upper()


# --- the streams ---------------------------------------------------------------------------------

def _record(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


def _mbcs(text: str) -> bytes:
    return text.encode(f"cp{CODE_PAGE}")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(modules: list[Module]) -> bytes:
    """The decompressed `dir` stream (MS-OVBA 2.3.4.2)."""
    d = bytearray()
    d += _record(0x0001, struct.pack("<I", 1))                       # SYSKIND: 32-bit Windows
    d += _record(0x0002, struct.pack("<I", 0x409))                   # LCID
    d += _record(0x0014, struct.pack("<I", 0x409))                   # LCIDINVOKE
    d += _record(0x0003, struct.pack("<H", CODE_PAGE))               # CODEPAGE
    d += _record(0x0004, _mbcs("VBAProject"))                        # NAME
    d += _record(0x0005, b"") + _record(0x0040, b"")                 # DOCSTRING (+ unicode)
    d += _record(0x0006, b"") + _record(0x003D, b"")                 # HELPFILEPATH 1 and 2
    d += _record(0x0007, struct.pack("<I", 0))                       # HELPCONTEXT
    d += _record(0x0008, struct.pack("<I", 0))                       # LIBFLAGS
    d += struct.pack("<HIIH", 0x0009, 4, 1, 0)                      # VERSION (its size field says 4, holds 6)
    d += _record(0x000C, b"") + _record(0x003C, b"")                 # CONSTANTS (+ unicode)
    for name, libid in REFERENCES:
        d += _record(0x0016, _mbcs(name)) + _record(0x003E, _utf16(name))        # REFERENCENAME
        lib = _mbcs(libid)
        d += _record(0x000D, struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0))  # REFERENCEREGISTERED
    d += _record(0x000F, struct.pack("<H", len(modules)))            # MODULES
    d += _record(0x0013, struct.pack("<H", 0xFFFF))                  # PROJECTCOOKIE
    for m in modules:
        d += _record(0x0019, _mbcs(m.name)) + _record(0x0047, _utf16(m.name))    # MODULENAME (+ unicode)
        d += _record(0x001A, _mbcs(m.name)) + _record(0x0032, _utf16(m.name))    # MODULESTREAMNAME
        d += _record(0x001C, b"") + _record(0x0048, b"")             # MODULEDOCSTRING
        d += _record(0x0031, struct.pack("<I", 0))                   # MODULEOFFSET: source starts at 0
        d += _record(0x001E, struct.pack("<I", 0))                   # MODULEHELPCONTEXT
        d += _record(0x002C, struct.pack("<H", 0xFFFF))              # MODULECOOKIE
        d += _record(m.record_type, b"")                             # MODULETYPE
        d += _record(0x002B, b"")                                    # module terminator
    d += _record(0x0010, b"")                                        # dir terminator
    return bytes(d)


def project_stream(modules: list[Module], project_id: str = PROJECT_ID) -> bytes:
    """The PROJECT stream (MS-OVBA 2.3.1): which module is which, and the (empty) protection state."""
    kinds = {"document": lambda m: f"Document={m.name}/&H00000000", "standard": lambda m: f"Module={m.name}",
             "class": lambda m: f"Class={m.name}"}
    lines = [f'ID="{project_id}"'] + [kinds[m.kind](m) for m in modules] + [
        'Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
        f'CMG="{encrypt(bytes(4), project_id, 0x27)}"',        # protection state: none
        f'DPB="{encrypt(bytes(1), project_id, 0x2B)}"',        # password: none
        f'GC="{encrypt(bytes([0xFF]), project_id, 0x35)}"',    # visibility: visible
        "", "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "", "[Workspace]"] + [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return _mbcs("\r\n".join(lines) + "\r\n")


def project_wm_stream(modules: list[Module]) -> bytes:
    """PROJECTwm: each module name in the code page and in UTF-16."""
    return b"".join(_mbcs(m.name) + b"\0" + _utf16(m.name) + b"\0\0" for m in modules) + b"\0\0"


def vba_project_bin(modules: list[Module], project_id: str = PROJECT_ID) -> bytes:
    """The bytes of xl/vbaProject.bin holding `modules`."""
    for m in modules:
        m.source.encode("ascii")       # raises for non-ASCII source: see the module docstring
    streams = {
        "PROJECT": project_stream(modules, project_id),
        "PROJECTwm": project_wm_stream(modules),
        "VBA/_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000),
        "VBA/dir": compress(dir_stream(modules)),
    }
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(_mbcs(m.source))
    return compound_file(streams)
