"""QR codes drawn as vector rectangles in a PDF content stream, from a matrix computed by segno.

A raster image would need an XObject, a colour space and a resolution; a handful of filled
rectangles prints sharp at any size and keeps the bytes a pure function of the payload.
The matrix follows ISO/IEC 18004 (segno), with the error-correction level the caller asks for
and never silently raised: Verifactu (the order's art. 21.1, quoted in AEAT "Detalle de las
especificaciones técnicas del código QR" v0.4.7 §2) and the Portuguese AT code (Portaria n.º 195/2020
and the AT's technical specification of the QR code) both require level M.
"""

from __future__ import annotations

from typing import Literal

import segno

from mandat.render.pdf.syntax import num

__all__ = ["QUIET_MODULES", "ErrorLevel", "qr_modules", "qr_path"]

ErrorLevel = Literal["L", "M", "Q", "H"]
# ISO/IEC 18004:2015 §9.1: a light border of four modules around the symbol (the "quiet zone").
QUIET_MODULES = 4
_LEVELS = frozenset({"L", "M", "Q", "H"})


def _matrix(payload: str, error: str) -> list[list[bool]]:
    if error not in _LEVELS:
        raise ValueError(f"unknown QR error-correction level: {error!r}")
    if not payload:
        raise ValueError("empty QR payload")
    # micro=False: the specifications require a full QR symbol; boost_error=False: the level is the one required.
    code = segno.make(payload, error=error.lower(), micro=False, boost_error=False)
    return [[bool(cell) for cell in row] for row in code.matrix_iter(scale=1, border=0)]


def qr_modules(payload: str, error: str = "M") -> int:
    """Width of the symbol in modules, without the quiet zone (21 for version 1, +4 per version)."""
    return len(_matrix(payload, error))


def qr_path(payload: str, *, x: float, y: float, size: float, error: str = "M") -> bytes:
    """Content-stream operators drawing the QR symbol of *payload* in black.

    (*x*, *y*) is the bottom-left corner and *size* the side, in points, of the symbol itself
    (the dark-module grid, which is what "30x30 mm" measures); the caller keeps
    :data:`QUIET_MODULES` modules of blank paper around it. The operators are wrapped in
    ``q ... Q`` so that neither the scaling nor the fill colour leaks into what follows.
    Coordinates are whole modules under one scaling matrix: adjacent rows meet exactly (no
    hairline gaps from rounding) and each row's dark modules are one rectangle per run.
    """
    if not size > 0:
        raise ValueError(f"QR size must be positive: {size!r}")
    rows = _matrix(payload, error)
    n = len(rows)
    module = size / n
    # num() rounds to 1/100 pt: scale with a module of exactly that width, the symbol with 4 decimals.
    ops = [f"q 0 0 0 rg {module:.4f} 0 0 {module:.4f} {num(x)} {num(y)} cm"]
    for r, row in enumerate(rows):
        line: list[str] = []
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            line.append(f"{start} {n - 1 - r} {c - start} 1 re")
        if line:
            ops.append(" ".join(line))
    ops.append("f Q")
    return "\n".join(ops).encode("ascii")
