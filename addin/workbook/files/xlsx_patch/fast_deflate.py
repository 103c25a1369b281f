"""The deflate of a big rewritten sheet: ISA-L (python-isal) where it is installed, else the standard zlib.

On sheet XML, ISA-L's level 1 deflates about 5× faster than zlib's level 1 and a little smaller (the
recalculated 100k-row bench sheet, 117 MB of XML: 0.07 s and 18.3 MB against 0.34 s and 19.1 MB). Both
write raw deflate, which every zip reader inflates alike: only the compressed bytes differ, never the
sheet. Only the fast level (1) goes to ISA-L; the small members keep zlib's level 6, so their sizes stay
as they were. Inflating stays zlib's: ISA-L's decompressor cannot be copied (stream.Inflater needs that).
xlwings Lite (Pyodide) has no ISA-L wheel; zlib is used there, and wherever the import fails."""
from __future__ import annotations

import zlib

try:
    from isal import isal_zlib
except ImportError:            # the browser, or a platform without a wheel
    isal_zlib = None

FAST_LEVEL = 1


def compressobj(level: int):
    """A raw-deflate compressor (zlib's API): ISA-L's for the fast level when it is there, else zlib's."""
    if level == FAST_LEVEL and isal_zlib is not None:
        return isal_zlib.compressobj(FAST_LEVEL, isal_zlib.DEFLATED, -15)
    return zlib.compressobj(level, zlib.DEFLATED, -15)
