"""Exports of a session for people outside the terminal: printable QR sheet (and, later, Markdown, HTML, CSV, JSON).

Every exporter escapes what participants and facilitators typed: exported files are opened in browsers and
spreadsheets, where text that looks like markup or a formula must stay plain text.
"""

from __future__ import annotations

from .sheet import qr_sheet_html

__all__ = ["qr_sheet_html"]
