"""Group colour slots.

A group stores a *slot name*, not a hex value, so that each theme can choose a shade of that slot that reads well on
its own background (a light theme needs darker shades than a dark one). The eight slots follow the Okabe–Ito
palette, chosen because its hues stay distinguishable under the common forms of colour blindness; the board also
always prints the group's name and a glyph next to the colour, so colour is never the only cue.
"""

from __future__ import annotations

GROUP_COLOURS: tuple[str, ...] = (
    "orange",
    "sky",
    "green",
    "yellow",
    "blue",
    "vermillion",
    "purple",
    "grey",
)

# One glyph per slot: a second, colour-free cue for the same group.
GROUP_GLYPHS: dict[str, str] = {
    "orange": "●",
    "sky": "▲",
    "green": "■",
    "yellow": "◆",
    "blue": "★",
    "vermillion": "✚",
    "purple": "◐",
    "grey": "○",
}

# Fallback shades (Okabe–Ito) used when a theme does not name its own.
DEFAULT_SHADES: dict[str, str] = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
