"""Board themes: TOML files turned into validated Textual themes plus group shades.

Themes live as files (``themes/*.toml``, format in ``themes/README.md``) so a facilitator can tune colours for a
room without touching code. Textual only checks a theme's colours when the app *switches* to it, and a bad value
then brings the whole app down mid-session; so every value is checked here with ``textual.color.Color.parse``
before a ``Theme`` is built, and a broken file becomes one readable warning instead of an exception.

Each theme also carries a shade for each of the eight group colour slots (``coprod_tui.core.colours``), because a
shade that reads well on a dark background is illegible on a light one. The shades are exposed to CSS as the theme
variables ``$group-<slot>`` (defaults from ``group_variable_defaults()``), and to code through ``group_shade()``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import Theme

from coprod_tui.core.colours import DEFAULT_SHADES, GROUP_COLOURS

__all__ = [
    "DEFAULT_THEME",
    "FALLBACK_THEME",
    "LIGHT_FALLBACK_SHADES",
    "BoardTheme",
    "bundled_themes_dir",
    "group_shade",
    "group_variable_defaults",
    "load_themes",
    "resolve_theme_name",
    "themes_by_name",
]

DEFAULT_THEME = "coprod-dark"
"""The theme used when settings name none (or name one that no longer loads)."""

FALLBACK_THEME = "textual-dark"
"""Textual's built-in theme, used only if even the bundled default failed to load."""

LIGHT_FALLBACK_SHADES: dict[str, str] = {
    "orange": "#A16C26",
    "sky": "#1C8ABB",
    "green": "#139361",
    "yellow": "#8A8400",
    "blue": "#0D67A5",
    "vermillion": "#9F3702",
    "purple": "#B4689B",
    "grey": "#818181",
}
"""Okabe–Ito hues darkened to >= 3.5:1 on near-white, for light themes that leave a slot out.

The plain Okabe–Ito yellow is 1.3:1 on white: unreadable, hence a separate table for ``dark = false`` themes.
"""

_COLOUR_FIELDS = (
    "primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
    "warning", "error", "success",
)  # fmt: skip
_UNIT_FIELDS = ("luminosity_spread", "text_alpha")
_KNOWN_KEYS = frozenset({"name", "dark", "variables", "groups", *_COLOUR_FIELDS, *_UNIT_FIELDS})
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_VARIABLE = re.compile(r"[a-z][a-z0-9-]{0,63}")
_HEX6 = re.compile(r"#[0-9A-Fa-f]{6}")
_WITH_PERCENT = re.compile(r"(?P<colour>.+?)(?:\s+(?P<pct>\d{1,3}(?:\.\d+)?)%)?")
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_GROUP_PREFIX = "group-"


@dataclass(frozen=True)
class BoardTheme:
    """A Textual theme together with the shade of every group slot on its background.

    ``groups`` always holds all eight slots, so the board never has to ask "what if this theme has no blue?".
    """

    theme: Theme
    groups: dict[str, str]

    @property
    def name(self) -> str:
        """The name registered with Textual (and stored in settings)."""
        return self.theme.name


def bundled_themes_dir() -> Path:
    """The ``themes/`` folder at the repository root.

    It sits outside the package, so it exists in a source checkout or an editable install; a wheel would need it
    moved under ``coprod_tui/`` as package data.
    """
    return Path(__file__).resolve().parents[2] / "themes"


def group_variable_defaults() -> dict[str, str]:
    """Defaults for the ``$group-<slot>`` CSS variables, for ``App.get_theme_variable_defaults()``.

    Without them, CSS that uses ``$group-orange`` fails to parse under Textual's own built-in themes.
    """
    return {f"{_GROUP_PREFIX}{slot}": DEFAULT_SHADES[slot] for slot in GROUP_COLOURS}


def group_shade(board_theme: BoardTheme | None, slot: str) -> str:
    """A ``#RRGGBB`` shade for ``slot`` that is always safe to use in a style.

    Falls back to the Okabe–Ito default for a known slot; an unknown slot that is itself a ``#rrggbb`` colour is
    returned as-is (older session files stored hex values); anything else becomes grey rather than an error,
    because one odd group must not stop the board from drawing.
    """
    if not isinstance(slot, str):
        return DEFAULT_SHADES["grey"]
    key = slot.strip().lower()
    if board_theme is not None and key in board_theme.groups:
        return board_theme.groups[key]
    if key in DEFAULT_SHADES:
        return DEFAULT_SHADES[key]
    if _HEX6.fullmatch(slot.strip()):
        return slot.strip()
    return DEFAULT_SHADES["grey"]


def resolve_theme_name(wanted: str | None, available: Collection[str]) -> str:
    """The theme to start with: the remembered one if it still loads, else the default, else Textual's own.

    A theme file may have been deleted or broken since the name was saved; starting must not fail because of it.
    """
    for name in (wanted, DEFAULT_THEME):
        if name and name in available:
            return name
    return FALLBACK_THEME


def load_themes(folder: Path) -> tuple[list[BoardTheme], list[str]]:
    """Load every ``*.toml`` in ``folder`` (sorted by file name).

    Returns the valid themes and one human-readable warning per broken file (naming the file and the bad values).
    Never raises: a missing folder gives no themes and one warning, and the app carries on with what loaded.
    """
    themes: list[BoardTheme] = []
    warnings: list[str] = []
    seen: dict[str, Path] = {}
    if not folder.is_dir():
        return [], [f"{folder}: no such themes folder"]
    try:
        paths = sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError as error:
        return [], [f"{folder}: cannot list themes ({error.strerror or error})"]
    for path in paths:
        problems: list[str] = []
        board_theme = _load_file(path, problems)
        if board_theme is not None and board_theme.name in seen:
            problems.append(f"name {_key(board_theme.name)} is already used by {seen[board_theme.name]}")
        if problems or board_theme is None:
            warnings.append(f"{path}: {'; '.join(problems)}")
            continue
        seen[board_theme.name] = path
        themes.append(board_theme)
    return themes, warnings


def _load_file(path: Path, problems: list[str]) -> BoardTheme | None:
    """Read and check one file; on any problem, record it and return None."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        problems.append(_toml_problem(str(error)))
        return None
    except UnicodeDecodeError:
        problems.append("not UTF-8 text")
        return None
    except OSError as error:
        problems.append(f"cannot read ({error.strerror or error})")
        return None
    return _build(data, problems)


def _build(data: dict[str, Any], problems: list[str]) -> BoardTheme | None:
    """Check every value of a parsed file, then build the theme (only if nothing was wrong)."""
    for key in data:
        if key not in _KNOWN_KEYS:
            problems.append(f"unknown key {_key(key)}")
    name = data.get("name")
    if name is None:
        problems.append("missing 'name'")
    elif not isinstance(name, str) or not _NAME.fullmatch(name):
        problems.append(f"'name' must be letters, digits, '-' or '_' (at most 64): {_show(name)}")
    if "primary" not in data:
        problems.append("missing 'primary'")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        problems.append(f"'dark' must be true or false: {_show(dark)}")
    colours = {key: data[key] for key in _COLOUR_FIELDS if key in data}
    for key, value in colours.items():
        if _parse_colour(value) is None:
            problems.append(f"{_key(key)} is not a colour: {_show(value)}")
    units = {key: data[key] for key in _UNIT_FIELDS if key in data}
    for key, value in units.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            problems.append(f"{_key(key)} must be a number from 0 to 1: {_show(value)}")
    variables = _check_variables(data.get("variables", {}), problems)
    groups = _check_groups(data.get("groups", {}), problems)
    if problems:
        return None
    fallback = DEFAULT_SHADES if dark else LIGHT_FALLBACK_SHADES
    shades = {slot: groups.get(slot, fallback[slot]) for slot in GROUP_COLOURS}
    variables.update({f"{_GROUP_PREFIX}{slot}": shade for slot, shade in shades.items()})
    theme = Theme(name=name, dark=dark, variables=variables, **colours, **units)
    try:  # Belt and braces: let Textual derive its colours now, not at the moment the user switches.
        theme.to_color_system().generate()
    except Exception as error:  # noqa: BLE001 - any failure here must become a warning, not a crash
        problems.append(f"Textual cannot use this theme: {error}")
        return None
    return BoardTheme(theme=theme, groups=shades)


def _check_variables(table: Any, problems: list[str]) -> dict[str, str]:
    """Check ``[variables]``: CSS-style names; colour values, or text styles for ``*-style`` names.

    Textual substitutes these strings into its CSS, so an unparseable one crashes the app on switch.
    """
    if not isinstance(table, dict):
        problems.append(f"[variables] must be a table: {_show(table)}")
        return {}
    good: dict[str, str] = {}
    for key, value in table.items():
        label = f"variable {_key(key)}"
        if not _VARIABLE.fullmatch(key):
            problems.append(f"{label} is not a valid name (lower-case letters, digits and '-')")
        elif key.startswith(_GROUP_PREFIX):
            problems.append(f"{label} belongs in [groups], not [variables]")
        elif key.endswith("-style"):
            if not (isinstance(value, str) and value.split() and set(value.split()) <= VALID_STYLE_FLAGS):
                problems.append(f"{label} is not a text style: {_show(value)}")
            else:
                good[key] = value
        elif not (isinstance(value, str) and _is_css_colour(value)):
            problems.append(f"{label} is not a colour: {_show(value)}")
        else:
            good[key] = value
    return good


def _check_groups(table: Any, problems: list[str]) -> dict[str, str]:
    """Check ``[groups]``: known slots only, each an opaque colour, normalised to ``#RRGGBB``.

    Opaque and not ANSI, because the board and the contrast checks need a real RGB value.
    """
    if not isinstance(table, dict):
        problems.append(f"[groups] must be a table: {_show(table)}")
        return {}
    good: dict[str, str] = {}
    for slot, value in table.items():
        if slot not in GROUP_COLOURS:
            problems.append(f"unknown group slot {_key(slot)} (slots: {', '.join(GROUP_COLOURS)})")
            continue
        colour = _parse_colour(value)
        if colour is None:
            problems.append(f"group {_key(slot)} is not a colour: {_show(value)}")
        elif colour.a < 1 or colour.ansi is not None:
            problems.append(f"group {_key(slot)} must be opaque and not an ANSI colour: {_show(value)}")
        else:
            good[slot] = colour.hex[:7]
    return good


def _parse_colour(value: Any) -> Color | None:
    """``Color.parse`` that answers None instead of raising (and rejects non-strings)."""
    if not isinstance(value, str):
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None


def _is_css_colour(value: str) -> bool:
    """True for what Textual's theme variables accept: a colour or ``auto``, optionally followed by ``NN%``."""
    if value.strip() in ("initial", "transparent"):
        return True
    match = _WITH_PERCENT.fullmatch(value.strip())
    if match is None or (match["pct"] is not None and float(match["pct"]) > 100):
        return False
    colour = match["colour"]
    return colour == "auto" or _parse_colour(colour) is not None


def _toml_problem(message: str) -> str:
    """``not valid TOML (line 3, column 5): Invalid value`` from tomllib's message."""
    where = _TOML_WHERE.search(message)
    if where is None:
        return f"not valid TOML: {message}"
    return f"not valid TOML (line {where[1]}, column {where[2]}): {message[: where.start()]}"


def _show(value: Any) -> str:
    """A value as it should appear in a warning: quoted, escaped (no raw control codes), and kept short."""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key(key: Any) -> str:
    """A key or slot name as it should appear in a warning: in single quotes, escaped, kept short."""
    text = _show(str(key))[1:-1].replace('\\"', '"')
    return f"'{text}'"


def themes_by_name(themes: Collection[BoardTheme]) -> Mapping[str, BoardTheme]:
    """Index themes by name, so the board can find the group shades of the active Textual theme."""
    return {board_theme.name: board_theme for board_theme in themes}
