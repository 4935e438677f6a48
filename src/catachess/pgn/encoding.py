"""Which text encoding a PGN file is in, read from its bytes.

PGN files predate UTF-8: ECO collections and old databases are often Latin-1 or
Windows-1252. UTF-8 is tried first (a file that decodes as UTF-8 is almost never meant
as anything else), then Windows-1252, then Latin-1, which decodes any byte.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

CANDIDATES = ("utf-8-sig", "cp1252", "latin-1")
_CHUNK = 1 << 20


class UndecodableBytes(ValueError):
    """The bytes are not text in `encoding`; `offset` is the 0-based byte that is not."""

    def __init__(self, encoding: str, offset: int, reason: str) -> None:
        self.encoding = encoding
        self.offset = offset
        self.reason = reason
        super().__init__(f"the file is not {encoding}: byte offset {offset} ({reason})")


def check_encoding(raw: BinaryIO, encoding: str) -> None:
    """Read `raw` to its end; `UndecodableBytes` names the first byte `encoding` refuses."""
    consumed = 0
    if codecs.lookup(encoding).name == "utf-8-sig":
        # Past the byte order mark the bytes are plain UTF-8: offsets then count it.
        start = raw.tell()
        if raw.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            consumed = len(codecs.BOM_UTF8)
        else:
            raw.seek(start)
        encoding = "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)()
    while True:
        chunk = raw.read(_CHUNK)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            offset = consumed - pending + error.start
            raise UndecodableBytes(encoding, offset, error.reason) from None
        if not chunk:
            return
        consumed += len(chunk)


def detect_encoding(raw: BinaryIO) -> str:
    """The first of `CANDIDATES` that decodes all of `raw` (which is left at its start)."""
    for encoding in CANDIDATES:
        raw.seek(0)
        try:
            check_encoding(raw, encoding)
        except UndecodableBytes:
            continue
        finally:
            raw.seek(0)
        return encoding
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover
