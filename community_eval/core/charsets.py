"""Whether a text file's bytes are UTF-8, decided the same way for both load paths.

Files come as UTF-8 or as GBK/GB18030 (what Excel on Chinese Windows saves). GBK bytes
are almost never valid UTF-8, so a file that is not valid UTF-8 used to be decoded whole
as GB18030. But a UTF-8 file with one row typed or pasted in GBK is not valid UTF-8
either, and GB18030 decodes nearly any bytes: whenever every run of Chinese characters
had an even number of bytes it loaded without a single problem, every Chinese character
wrong (红光社区 as 绾㈠厜绀惧尯). Such a file is now refused, naming the row where it
stops being UTF-8.

Telling the two apart: decoded as UTF-8, pure GBK text fails at almost every Chinese
character, and only by chance does a pair of GBK characters form a valid UTF-8 sequence
(about one for every seven failures in the sample district's files). A UTF-8 file
damaged by some GBK has many valid multi-byte characters for each failure. So a file is
"UTF-8 with foreign bytes" when, within a megabyte either side of its first failure,
more characters decode as UTF-8 multi-byte sequences than fail to; otherwise it is not
UTF-8 at all and GB18030 is tried (a file whose only non-ASCII bytes are GBK is GBK).
Every scan goes in chunks, so a big file is never one Python ``str``.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

#: How much is decoded at a time.
CHUNK_BYTES = 1 << 20
#: How much either side of the first byte that is not UTF-8 decides what the file is.
WINDOW_BYTES = 1 << 20


class BrokenUtf8(ValueError):
    """UTF-8 text with bytes of another encoding in it; ``row`` is the line where UTF-8 first fails."""

    def __init__(self, row: int) -> None:
        super().__init__(f"not valid UTF-8 from row {row}")
        self.row = row


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` (a UTF-8 BOM included) is UTF-8; False when it is not UTF-8 at all.

    Raises :class:`BrokenUtf8` when it is mostly UTF-8 but not all: reading it as another
    encoding would turn every character wrong.
    """
    bad = first_invalid_utf8(data)
    if bad is None:
        return True
    if _mostly_utf8(_around(data, bad)):
        raise BrokenUtf8(data.count(b"\n", 0, bad) + 1)
    return False


def first_invalid_utf8(data: bytes) -> int | None:
    """The offset of the first byte that is not valid UTF-8 (a sequence cut at the end counts), or None."""
    if data.isascii():
        return None
    try:
        for _ in _decoded(data, "strict"):
            pass
    except _InvalidAt as invalid:
        return invalid.offset
    return None


def _around(data: bytes, bad: int) -> memoryview:
    """The bytes that decide: :data:`WINDOW_BYTES` either side of the first failure, from a line start.

    Enough to tell UTF-8 text from GBK text, and it keeps the decision from costing a
    big GBK file a second pass (0.57 s for 80 MB).
    """
    start = data.rfind(b"\n", 0, max(0, bad - WINDOW_BYTES)) + 1  # a line starts with a whole character
    return memoryview(data)[start : bad + WINDOW_BYTES]


def _mostly_utf8(data: bytes | memoryview) -> bool:
    """Whether more characters decode as UTF-8 multi-byte sequences than fail to decode."""
    valid = failed = 0
    for text in _decoded(data, "replace"):
        replaced = text.count("\ufffd")
        failed += replaced
        valid += len(text) - len(text.encode("ascii", "ignore")) - replaced
    return valid > failed


class _InvalidAt(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def _decoded(data: bytes | memoryview, errors: str) -> Iterator[str]:
    """``data`` decoded as UTF-8 chunk by chunk; a strict decoding failure raises :class:`_InvalidAt`.

    Each chunk ends where the decoder stopped, so no character is split between two and an
    error's offset within a chunk is its offset in the file.
    """
    view = memoryview(data)
    start = 0
    while start < len(data):
        end = start + max(CHUNK_BYTES, 4)  # 4 bytes hold any whole character: every chunk uses some
        try:
            text, used = codecs.utf_8_decode(view[start:end], errors, end >= len(data))
        except UnicodeDecodeError as error:
            raise _InvalidAt(start + error.start) from None
        yield text
        start += used
