"""PDF syntax: numbers, names, strings, dates, and the file layout (objects, xref, trailer).

Everything a caller controls (titles, file names, MIME types) is written as a hex string or
an escaped name, so no input can end a string or dictionary early.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, datetime, timedelta

# The binary comment tells transfer tools the file is binary (ISO 19005-3, 6.1.2).
HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
# Real numbers stay within the limit of every PDF/A part (ISO 32000-1, Annex C: ±32767 for PDF/A-1).
_LIMIT = 32767.0
_NAME_REGULAR = frozenset(b"!\"$&'*+,-.0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ\\^_`abcdefghijklmnopqrstuvwxyz|~")
# XML 1.0 cannot carry these, and the document metadata must read the same in XMP and /Info.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@functools.lru_cache(maxsize=8192)
def num(value: float) -> str:
    """A coordinate, at most two decimals (1/7200 inch), so output bytes do not depend on float noise.

    Cached: a layout repeats the same few hundred coordinates on every page of every document."""
    if not -_LIMIT <= value <= _LIMIT:  # NaN fails both comparisons
        raise ValueError(f"number out of range for PDF: {value!r}")
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def num3(value: float) -> str:
    """A colour component or line width, at most three decimals."""
    if not -_LIMIT <= value <= _LIMIT:
        raise ValueError(f"number out of range for PDF: {value!r}")
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def name(value: str) -> bytes:
    """A name object; every byte outside the regular characters is written as #xx."""
    if not value:
        raise ValueError("empty PDF name")
    return b"/" + b"".join(bytes((b,)) if b in _NAME_REGULAR else b"#%02X" % b for b in value.encode("utf-8"))


def text_string(value: str) -> bytes:
    """A text string: UTF-16BE with byte order mark, hex-encoded."""
    return b"<FEFF%s>" % value.encode("utf-16-be", "surrogatepass").hex().upper().encode()


def byte_string(value: bytes) -> bytes:
    return b"<%s>" % value.hex().upper().encode()


def clean_text(value: str) -> str:
    """*value* without characters XML cannot hold (NUL, lone surrogates...), which become U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def instant(moment: datetime) -> datetime:
    """*moment* to the second, with an offset both PDF and XMP dates can express (whole minutes)."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"datetime must be timezone-aware: {moment!r}")
    moment = moment.replace(microsecond=0)
    if offset % timedelta(minutes=1):
        moment = moment.astimezone(UTC)
    return moment


def _offset(moment: datetime) -> tuple[str, int, int]:
    offset = moment.utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return sign, minutes // 60, minutes % 60


def pdf_date(moment: datetime) -> bytes:
    """``D:YYYYMMDDHHmmSS+HH'mm'`` (ISO 32000-1, 7.9.4)."""
    moment = instant(moment)
    sign, hours, minutes = _offset(moment)
    return b"(D:%04d%02d%02d%02d%02d%02d%s%02d'%02d')" % (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        sign.encode(),
        hours,
        minutes,
    )


def xmp_date(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss+hh:mm``, the same instant as :func:`pdf_date`."""
    moment = instant(moment)
    sign, hours, minutes = _offset(moment)
    return f"{moment:%Y-%m-%dT%H:%M:%S}{sign}{hours:02d}:{minutes:02d}"


def fingerprint(body: bytes) -> bytes:
    return hashlib.md5(body, usedforsecurity=False).digest()


def stream(head: bytes, data: bytes) -> bytes:
    """A stream object body; *head* holds the dictionary entries other than /Length."""
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (head, len(data), data)


class PdfFile:
    """Indirect objects numbered from 1 in creation order, written with a classic xref table."""

    __slots__ = ("_bodies", "_stand_ins")

    def __init__(self) -> None:
        self._bodies: list[bytes] = []
        self._stand_ins: dict[int, bytes] = {}  # object number -> what the /ID hashes instead of its body

    def reserve(self) -> int:
        """Number an object whose body is set later, for objects referring to each other."""
        self._bodies.append(b"")
        return len(self._bodies)

    def set(self, ref: int, body: bytes) -> None:
        self._bodies[ref - 1] = body

    def add(self, body: bytes, fingerprint: bytes | None = None) -> int:
        """Append an object; a constant body (a font program) may pass its digest to save hashing it."""
        self._bodies.append(body)
        if fingerprint is not None:
            self._stand_ins[len(self._bodies)] = fingerprint
        return len(self._bodies)

    def to_bytes(self, root: int, info: int) -> bytes:
        """The file; its /ID is the MD5 of everything before the xref, so equal documents get equal IDs.

        Fingerprinted bodies are hashed through their fingerprint: same outcome, less hashing.
        """
        parts = [HEADER]
        offsets: list[int] = []
        position = len(HEADER)
        digest = hashlib.md5(HEADER, usedforsecurity=False)
        for number, body in enumerate(self._bodies, 1):
            head = b"%d 0 obj\n" % number
            offsets.append(position)
            position += len(head) + len(body) + 8
            parts += (head, body, b"\nendobj\n")
            digest.update(head)
            digest.update(self._stand_ins.get(number, body))
        file_id = digest.hexdigest().upper().encode()
        parts.append(b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(offsets) + 1))
        parts.append(b"".join([b"%010d 00000 n\r\n" % offset for offset in offsets]))
        parts.append(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, root, info, file_id, file_id, position)
        )
        return b"".join(parts)
