"""QR codes for the join links: a module matrix, a terminal rendering and an SVG.

Participants join by pointing a phone camera at a code on the projector or on a printed sheet, so a code that does
not scan is a session nobody can join. Two rules follow:

- The terminal code is drawn with explicit black and white (never the terminal's default foreground/background).
  With default colours a dark theme would invert the code, and many phone scanners refuse inverted codes.
- Every rendering includes the quiet zone (the light margin scanners need to find the code).

This module imports only `qrcode` and `rich`, so the TUI, the CLI and the exporters can all use it without pulling
in a front end.
"""

from __future__ import annotations

from html import escape
from itertools import groupby

import qrcode
import qrcode.constants
from qrcode.exceptions import DataOverflowError
from rich.style import Style
from rich.text import Text

__all__ = ["DARK", "LIGHT", "qr_matrix", "svg_qr", "terminal_qr", "terminal_size"]

DARK = "#000000"
LIGHT = "#ffffff"
UPPER_HALF = "\u2580"  # ▀: the top half of the cell takes the foreground, the bottom half the background.

_STYLES: dict[tuple[bool, bool], Style] = {
    (top, bottom): Style(color=DARK if top else LIGHT, bgcolor=DARK if bottom else LIGHT)
    for top in (False, True)
    for bottom in (False, True)
}


def qr_matrix(data: str, *, border: int = 4) -> list[list[bool]]:
    """Return the QR code for `data` as rows of modules (True = dark), quiet zone of `border` modules included.

    Error correction M (about 15 % of the code may be damaged or covered) is the usual trade-off for a link shown on
    a projector or printed on paper: sturdier than L, while a long join URL still fits a small version.
    The smallest version that holds the data is chosen. Raises ValueError if `border` is negative or the data is
    too long for any QR code.
    """
    if border < 0:
        raise ValueError("the quiet zone (border) cannot be negative")
    code = qrcode.QRCode(
        version=None,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=1,
        border=border,
    )
    code.add_data(data)
    try:
        code.make(fit=True)
    except UnicodeError:
        raise  # e.g. a lone surrogate: not a size problem, so not reported as one
    except (DataOverflowError, ValueError) as exc:  # qrcode 8 reports overflow as ValueError("Invalid version")
        raise ValueError(f"text too long for a QR code ({len(data.encode('utf-8', 'replace'))} bytes)") from exc
    return [[bool(module) for module in row] for row in code.get_matrix()]


def _row_pairs(matrix: list[list[bool]]) -> list[tuple[list[bool], list[bool]]]:
    """Pair module rows for half-block cells; an odd last row is paired with a light row."""
    width = len(matrix[0]) if matrix else 0
    light = [False] * width
    return [
        (matrix[i], matrix[i + 1] if i + 1 < len(matrix) else light)
        for i in range(0, len(matrix), 2)
    ]


def terminal_qr(data: str) -> Text:
    """Return the QR code for `data` as rich Text: one cell per module column, one line per two module rows.

    Each cell is "▀" styled with the top module's colour as foreground and the bottom module's as background, both
    explicit (#000000 / #ffffff), so the code looks the same whatever the theme. The quiet zone is included.
    Runs of equal cells share one span to keep the Text small. The Text never wraps: a wrapped code cannot scan, so
    callers should check `terminal_size` against the space they have instead.
    """
    text = Text(no_wrap=True, overflow="ignore", end="")
    pairs = _row_pairs(qr_matrix(data))
    for index, (top_row, bottom_row) in enumerate(pairs):
        if index:
            text.append("\n")
        for key, run in groupby(zip(top_row, bottom_row)):
            text.append(UPPER_HALF * sum(1 for _ in run), _STYLES[key])
    return text


def terminal_size(data: str) -> tuple[int, int]:
    """Return (width in cells, height in lines) of `terminal_qr(data)`, so a screen can check the code fits."""
    matrix = qr_matrix(data)
    return len(matrix[0]) if matrix else 0, (len(matrix) + 1) // 2


def _dark_path(matrix: list[list[bool]]) -> str:
    """Return SVG path data covering every dark module: one rectangle per horizontal run, in module units."""
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        width = len(row)
        while x < width:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < width and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def svg_qr(data: str, *, module_size: int = 10, title: str | None = None) -> str:
    """Return a self-contained SVG of the QR code for `data` (quiet zone included), ready to inline into HTML.

    No XML declaration (it would be invalid inside HTML) and no external references. The viewBox is in module units
    and width/height are `module_size` pixels per module, so CSS may resize it freely without blurring;
    `shape-rendering="crispEdges"` keeps module edges sharp. A white background rect means the code stays readable on
    any page colour. The optional `title` (escaped) is the accessible name: screen readers read an SVG's
    first-child <title>, so the text never needs to sit in an attribute.
    """
    if module_size < 1:
        raise ValueError("module_size must be at least 1")
    matrix = qr_matrix(data)
    size = len(matrix)
    pixels = size * module_size
    label = "" if title is None else f"<title>{escape(title, quote=True)}</title>"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{pixels}" height="{pixels}"'
        f' shape-rendering="crispEdges" role="img">'
        f"{label}"
        f'<rect width="{size}" height="{size}" fill="{LIGHT}"/>'
        f'<path fill="{DARK}" d="{_dark_path(matrix)}"/>'
        "</svg>"
    )
