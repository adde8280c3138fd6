"""The QR codes must scan: rendered to pixels exactly as a terminal or an SVG renderer would, then decoded.

The terminal check never skips: it walks the segments rich renders (foreground for the top half of each cell,
background for the bottom), paints them with Pillow and decodes with zxing-cpp, a standard decoder. Inversion is
switched off in the decoder so a code drawn with swapped or theme-dependent colours would fail here, as it would on
many phones.
"""

from __future__ import annotations

import io
import re
import secrets
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from coprod_tui.core.qr import DARK, LIGHT, qr_matrix, svg_qr, terminal_qr, terminal_size

SCALE = 6
TOKEN = secrets.token_urlsafe(32)
URLS = [
    "http://10.0.0.2/j/abc",
    f"http://192.168.1.20:8765/j/{TOKEN}",
    f"http://192.168.1.20:8765/j/{TOKEN}?group=carers&lang=en#top",
    f"https://coprod.example.org/j/{TOKEN}?name=Zo%C3%AB&x=a+b%2Fc",
]


def cell_grid(text: Text) -> list[list[tuple[str, str]]]:
    """Render `text` with rich as a truecolour terminal would; return each line's cells as (fg, bg) hex pairs."""
    console = Console(color_system="truecolor", width=400, file=io.StringIO(), legacy_windows=False)
    lines: list[list[tuple[str, str]]] = []
    for line in Segment.split_lines(console.render(text)):
        cells: list[tuple[str, str]] = []
        for segment in line:
            if not segment.text:
                continue
            style = segment.style
            assert style is not None and style.color is not None and style.bgcolor is not None, segment
            fg = style.color.get_truecolor().hex
            bg = style.bgcolor.get_truecolor().hex
            cells.extend([(fg, bg)] * len(segment.text))
        lines.append(cells)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def pixels_from_cells(lines: list[list[tuple[str, str]]]) -> list[list[bool]]:
    """Two pixel rows per terminal line: the top from each cell's foreground, the bottom from its background."""
    rows: list[list[bool]] = []
    for cells in lines:
        rows.append([fg == DARK for fg, _ in cells])
        rows.append([bg == DARK for _, bg in cells])
    return rows


def to_image(modules: list[list[bool]], scale: int = SCALE, *, invert: bool = False) -> Image.Image:
    """Paint modules (True = dark) as a greyscale image, `scale` pixels per module."""
    height, width = len(modules), len(modules[0])
    data = bytes(((0 if dark else 255) ^ (255 if invert else 0)) for row in modules for dark in row)
    small = Image.frombytes("L", (width, height), data)
    return small.resize((width * scale, height * scale), Image.Resampling.NEAREST)


def decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    found = zxingcpp.read_barcodes(image, try_invert=False)
    assert all(b.format == zxingcpp.BarcodeFormat.QRCode for b in found)
    return found


def svg_modules(svg: str) -> list[list[bool]]:
    """Rebuild the module grid from the SVG's one path (runs of `M x y h w v1 h-w z`), checking nothing else is drawn."""
    root = ET.fromstring(svg)
    size = int(root.attrib["viewBox"].split()[2])
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1
    d = paths[0].attrib["d"]
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", d)
    assert "".join(f"M{x} {y}h{w}v1h-{w2}z" for x, y, w, w2 in runs) == d
    grid = [[False] * size for _ in range(size)]
    for x, y, w, w2 in runs:
        assert w == w2
        for i in range(int(x), int(x) + int(w)):
            grid[int(y)][i] = True
    return grid


@pytest.mark.parametrize("url", URLS)
def test_terminal_qr_decodes_to_the_exact_url(url: str) -> None:
    lines = cell_grid(terminal_qr(url))
    found = decode(to_image(pixels_from_cells(lines)))
    assert [b.text for b in found] == [url]
    assert found[0].ec_level == "M"


def test_the_decode_check_would_catch_inverted_colours() -> None:
    """A code drawn with default colours on a dark theme comes out inverted; with inversion off it must not decode."""
    modules = pixels_from_cells(cell_grid(terminal_qr(URLS[1])))
    assert decode(to_image(modules, invert=True)) == []


def test_every_cell_has_explicit_black_or_white_colours() -> None:
    text = terminal_qr(URLS[2])
    allowed = {DARK, LIGHT}
    for span in text.spans:
        style = span.style
        assert not isinstance(style, str)
        assert style.color is not None and style.bgcolor is not None
        assert style.color.name in allowed and style.bgcolor.name in allowed
    covered = {i for span in text.spans for i in range(span.start, span.end)}
    assert {i for i, ch in enumerate(text.plain) if ch != "\n"} == covered
    assert set(text.plain) <= {"\u2580", "\n"}
    for cells in cell_grid(text):
        for fg, bg in cells:
            assert fg in allowed and bg in allowed


def test_terminal_qr_is_the_matrix_with_a_light_padding_row() -> None:
    url = URLS[1]
    matrix = qr_matrix(url)
    pixels = pixels_from_cells(cell_grid(terminal_qr(url)))
    assert len(matrix) % 2 == 1  # QR sizes are odd, so the last line is always padded
    assert pixels[: len(matrix)] == matrix
    assert pixels[len(matrix):] == [[False] * len(matrix)]


def test_terminal_size_matches_the_rendering() -> None:
    for url in URLS:
        text = terminal_qr(url)
        lines = text.plain.split("\n")
        width, height = terminal_size(url)
        assert height == len(lines)
        assert {len(line) for line in lines} == {width}
        assert width == len(qr_matrix(url))
        assert height == (width + 1) // 2


def test_quiet_zone_is_light() -> None:
    for border in (4, 2):
        matrix = qr_matrix(URLS[1], border=border)
        n = len(matrix)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if min(x, y, n - 1 - x, n - 1 - y) < border:
                    assert not dark, (border, x, y)
        # the finder pattern starts right inside the quiet zone
        assert matrix[border][border] and matrix[border][n - 1 - border]
    assert len(qr_matrix(URLS[1], border=4)) == len(qr_matrix(URLS[1], border=0)) + 8
    cells = cell_grid(terminal_qr(URLS[1]))
    for line in cells[:2] + cells[-2:]:
        assert set(line) == {(LIGHT, LIGHT)}
    for line in cells:
        assert set(line[:4]) == {(LIGHT, LIGHT)} and set(line[-4:]) == {(LIGHT, LIGHT)}


def test_qr_matrix_refuses_what_cannot_fit() -> None:
    with pytest.raises(ValueError, match="too long"):
        qr_matrix("x" * 5000)
    with pytest.raises(ValueError):
        qr_matrix("x", border=-1)


@pytest.mark.parametrize("url", URLS)
def test_svg_path_decodes_to_the_exact_url(url: str) -> None:
    svg = svg_qr(url, module_size=4)
    grid = svg_modules(svg)
    assert grid == qr_matrix(url)
    assert [b.text for b in decode(to_image(grid))] == [url]


def test_svg_is_standalone_and_escaped() -> None:
    hostile = '<script>alert(1)</script> & "><img src=x onerror=alert(1)>'
    svg = svg_qr(URLS[1], module_size=3, title=hostile)
    assert svg.startswith("<svg ") and "<?xml" not in svg
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    size = len(qr_matrix(URLS[1]))
    assert root.attrib["viewBox"] == f"0 0 {size} {size}"
    assert root.attrib["width"] == root.attrib["height"] == str(size * 3)
    assert root.attrib["shape-rendering"] == "crispEdges"
    assert root.find(f"{ns}title").text == hostile  # type: ignore[union-attr]
    rect = root.find(f"{ns}rect")
    assert rect is not None and rect.attrib["fill"] == LIGHT
    assert rect.attrib["width"] == rect.attrib["height"] == str(size)
    assert {el.tag.removeprefix(ns) for el in root.iter()} == {"svg", "title", "rect", "path"}
    assert "<script" not in svg and "<img" not in svg
    for word in ("href", "url(", "@import", "<image", "<use"):
        assert word not in svg
    assert re.findall(r"https?://[^\s\"'<>]+", svg) == ["http://www.w3.org/2000/svg"]
    assert "<title>" not in svg_qr(URLS[0])


@pytest.mark.skipif(shutil.which("rsvg-convert") is None and not os.environ.get("CI"),
                    reason="rsvg-convert is not installed (./scripts/test installs it; on CI this test must run)")
def test_svg_rendered_by_a_real_renderer_decodes() -> None:
    url = URLS[2]
    png = subprocess.run(
        ["rsvg-convert", "--format=png"], input=svg_qr(url, module_size=6).encode(), capture_output=True, check=True
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    assert [b.text for b in decode(image)] == [url]


def test_qr_module_loads_no_front_end() -> None:
    code = (
        "import sys, coprod_tui.core.qr\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'aiohttp'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
