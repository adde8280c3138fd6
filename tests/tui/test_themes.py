"""Theme files: the bundled ones are legible and colour-blind safe; broken ones warn and never crash."""

from __future__ import annotations

import itertools
import math
import re
import shutil
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Label

from coprod_tui.core.colours import DEFAULT_SHADES, GROUP_COLOURS
from coprod_tui.tui.themes import (
    DEFAULT_THEME,
    FALLBACK_THEME,
    LIGHT_FALLBACK_SHADES,
    BoardTheme,
    bundled_themes_dir,
    group_shade,
    group_variable_defaults,
    load_themes,
    resolve_theme_name,
    themes_by_name,
)

BUNDLED = {"coprod-dark", "coprod-light", "coprod-projector", "coprod-projector-dark"}

# Minimum contrast of every group shade against the theme's background, and of body text.
GROUP_CONTRAST = {"coprod-dark": 4.5, "coprod-light": 3.5, "coprod-projector": 4.5, "coprod-projector-dark": 7.0}
TEXT_CONTRAST = {"coprod-dark": 7.0, "coprod-light": 7.0, "coprod-projector": 15.0, "coprod-projector-dark": 15.0}


# --- colour science, done here so the tests do not trust the code under test ---------------------------------


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance."""
    r, g, b = (_linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio, 1..21."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Machado, Oliveira & Fernandes (2009), severity 1.0, applied in linear RGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def _lab(hex_colour: str, vision: str | None = None) -> tuple[float, float, float]:
    rgb = [_linear(c) for c in _rgb(hex_colour)]
    if vision is not None:
        m = CVD[vision]
        rgb = [min(1.0, max(0.0, sum(m[i][j] * rgb[j] for j in range(3)))) for i in range(3)]
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str, vision: str | None = None) -> float:
    """CIE76 colour difference (about 2.3 is just noticeable; 10+ is clearly different at a glance)."""
    return math.dist(_lab(a, vision), _lab(b, vision))


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> dict[str, BoardTheme]:
    themes, warnings = load_themes(bundled_themes_dir())
    assert warnings == []
    return dict(themes_by_name(themes))


@pytest.fixture
def themes_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled themes, so a test can add a broken file beside them."""
    folder = tmp_path / "themes"
    shutil.copytree(bundled_themes_dir(), folder)
    return folder


# --- the bundled themes ---------------------------------------------------------------------------------------


def test_every_bundled_theme_loads_with_every_slot(bundled: dict[str, BoardTheme]) -> None:
    assert set(bundled) == BUNDLED
    assert DEFAULT_THEME in bundled
    for board_theme in bundled.values():
        assert list(board_theme.groups) == list(GROUP_COLOURS)
        for shade in board_theme.groups.values():
            assert re.fullmatch(r"#[0-9A-F]{6}", shade)
        for slot, shade in board_theme.groups.items():
            assert board_theme.theme.variables[f"group-{slot}"] == shade


def test_bundled_themes_declare_every_slot_themselves(bundled: dict[str, BoardTheme]) -> None:
    """A bundled theme should not lean on fallbacks: they are not tuned to its background."""
    for path in bundled_themes_dir().glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        groups = text.split("[groups]", 1)[1]
        for slot in GROUP_COLOURS:
            assert re.search(rf"^{slot}\s*=", groups, re.MULTILINE), (path.name, slot)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_group_shades_are_legible_on_the_background(bundled: dict[str, BoardTheme], name: str) -> None:
    board_theme = bundled[name]
    background = board_theme.theme.background
    assert background is not None
    for slot, shade in board_theme.groups.items():
        ratio = contrast(shade, Color.parse(background).hex)
        assert ratio >= 3.0, (slot, shade, ratio)
        assert ratio >= GROUP_CONTRAST[name], (slot, shade, ratio)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_body_text_contrast(bundled: dict[str, BoardTheme], name: str) -> None:
    theme = bundled[name].theme
    assert theme.foreground is not None and theme.background is not None
    assert contrast(Color.parse(theme.foreground).hex, Color.parse(theme.background).hex) >= TEXT_CONTRAST[name]


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_group_shades_stay_distinct_for_colour_blind_viewers(bundled: dict[str, BoardTheme], name: str) -> None:
    groups = bundled[name].groups
    assert len(set(groups.values())) == len(GROUP_COLOURS)
    for a, b in itertools.combinations(GROUP_COLOURS, 2):
        assert delta_e(groups[a], groups[b]) >= 12, (a, b)
        for vision in CVD:
            assert delta_e(groups[a], groups[b], vision) >= 9, (a, b, vision)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_group_shades_keep_their_okabe_ito_hue(bundled: dict[str, BoardTheme], name: str) -> None:
    """Darkening for a light background may change lightness and saturation, not what colour it is."""
    for slot, shade in bundled[name].groups.items():
        if slot == "grey":
            continue
        _, a1, b1 = _lab(shade)
        _, a0, b0 = _lab(DEFAULT_SHADES[slot])
        hue_gap = abs((math.degrees(math.atan2(b1, a1) - math.atan2(b0, a0)) + 180) % 360 - 180)
        assert hue_gap <= 10, (slot, shade, hue_gap)


def test_light_fallback_shades_are_legible_on_white() -> None:
    assert list(LIGHT_FALLBACK_SHADES) == list(GROUP_COLOURS)
    for slot, shade in LIGHT_FALLBACK_SHADES.items():
        assert contrast(shade, "#FFFFFF") >= 3.0, slot


# --- broken files ---------------------------------------------------------------------------------------------

GOOD = 'name = "{name}"\nprimary = "#336699"\n'

BROKEN = {
    "bad-colour": ('name = "bad"\nprimary = "#12345Z"\n', "'primary' is not a colour: \"#12345Z\""),
    "bad-toml": ('name = "x"\nprimary = "#336699"\nsurface =\n', "not valid TOML (line 3, column 10)"),
    "unknown-slot": (GOOD.format(name="u") + '[groups]\npink = "#FF00FF"\n', "unknown group slot 'pink'"),
    "missing-name": ('primary = "#336699"\n', "missing 'name'"),
    "duplicate-name": (GOOD.format(name="coprod-dark"), "name 'coprod-dark' is already used by"),
    "missing-primary": ('name = "np"\n', "missing 'primary'"),
    "unknown-key": (GOOD.format(name="k") + 'primay = "#336699"\n', "unknown key 'primay'"),
    "bad-group-shade": (GOOD.format(name="g") + '[groups]\nyellow = "yellowish"\n', '"yellowish"'),
    "translucent-group": (GOOD.format(name="t") + '[groups]\nsky = "#56B4E980"\n', '"#56B4E980"'),
    "bad-variable": (GOOD.format(name="v") + '[variables]\n"footer-key-foreground" = "nope"\n', '"nope"'),
    "bad-text-style": (GOOD.format(name="s") + '[variables]\n"link-style" = "wobbly"\n', '"wobbly"'),
    "group-variable": (GOOD.format(name="gv") + '[variables]\n"group-orange" = "#000000"\n', "'group-orange'"),
    "not-a-string": ('name = "n"\nprimary = 12\n', "'primary' is not a colour: 12"),
    "bad-dark": (GOOD.format(name="d") + 'dark = "yes"\n', "'dark' must be true or false"),
    "markup-name": ('name = "[/foo]"\nprimary = "#336699"\n', '"[/foo]"'),
    "escape-in-value": ('name = "e"\nprimary = "\\u001b[31m"\n', '"\\u001b[31m"'),
    "groups-not-table": (GOOD.format(name="gt") + 'groups = "orange"\n', "[groups] must be a table"),
    "bad-spread": (GOOD.format(name="ls") + "luminosity_spread = 7\n", "'luminosity_spread'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_gives_one_warning_and_the_rest_still_load(themes_copy: Path, case: str) -> None:
    content, expected = BROKEN[case]
    broken = themes_copy / f"zz-{case}.toml"  # sorts last, so a duplicate name is the broken one
    broken.write_text(content, encoding="utf-8")

    themes, warnings = load_themes(themes_copy)

    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"{broken}: ")
    assert expected in warnings[0]
    assert "\x1b" not in warnings[0]
    assert {t.name for t in themes} == BUNDLED


def test_non_utf8_file_warns(themes_copy: Path) -> None:
    (themes_copy / "latin1.toml").write_bytes('name = "caf\xe9"\nprimary = "#336699"\n'.encode("latin-1"))
    themes, warnings = load_themes(themes_copy)
    assert len(warnings) == 1 and "latin1.toml" in warnings[0] and "UTF-8" in warnings[0]
    assert {t.name for t in themes} == BUNDLED


def test_one_warning_lists_every_problem_in_the_file(tmp_path: Path) -> None:
    (tmp_path / "many.toml").write_text('primary = "nope"\n[groups]\nteal = "#008080"\n', encoding="utf-8")
    themes, warnings = load_themes(tmp_path)
    assert themes == []
    assert len(warnings) == 1
    for part in ("missing 'name'", "'primary' is not a colour", "'teal'"):
        assert part in warnings[0]


def test_missing_folder_warns_and_does_not_raise(tmp_path: Path) -> None:
    assert load_themes(tmp_path / "nowhere") == ([], [f"{tmp_path / 'nowhere'}: no such themes folder"])


def test_empty_folder_gives_nothing(tmp_path: Path) -> None:
    assert load_themes(tmp_path) == ([], [])


def test_missing_slots_fall_back_per_darkness(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD.format(name="dark-one") + '[groups]\nsky = "#fff"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD.format(name="light-one") + "dark = false\n", encoding="utf-8")
    themes, warnings = load_themes(tmp_path)
    assert warnings == []
    by_name = themes_by_name(themes)
    dark, light = by_name["dark-one"], by_name["light-one"]
    assert dark.groups["sky"] == "#FFFFFF"
    assert dark.groups["orange"] == DEFAULT_SHADES["orange"]
    assert light.groups == LIGHT_FALLBACK_SHADES
    assert dark.theme.dark is True and light.theme.dark is False


# --- lookups ----------------------------------------------------------------------------------------------------


def test_group_shade_always_gives_a_usable_hex(bundled: dict[str, BoardTheme]) -> None:
    light = bundled["coprod-light"]
    assert group_shade(light, "yellow") == light.groups["yellow"]
    assert group_shade(light, " Yellow ") == light.groups["yellow"]
    assert group_shade(None, "yellow") == DEFAULT_SHADES["yellow"]
    assert group_shade(None, "#12ab34") == "#12ab34"
    assert group_shade(light, "#12AB34") == "#12AB34"
    for odd in ("teal", "", "#12345Z", "#fff", "[/foo]"):
        assert group_shade(light, odd) == DEFAULT_SHADES["grey"]


def test_resolve_theme_name() -> None:
    available = {"coprod-dark", "coprod-light", "textual-dark"}
    assert resolve_theme_name("coprod-light", available) == "coprod-light"
    assert resolve_theme_name("gone", available) == DEFAULT_THEME
    assert resolve_theme_name(None, available) == DEFAULT_THEME
    assert resolve_theme_name("gone", {"textual-dark"}) == FALLBACK_THEME


def test_group_variable_defaults_cover_every_slot() -> None:
    assert group_variable_defaults() == {f"group-{slot}": DEFAULT_SHADES[slot] for slot in GROUP_COLOURS}


# --- inside Textual ---------------------------------------------------------------------------------------------


class ThemedApp(App[None]):
    """Uses every kind of variable a theme may set, so a bad value would fail to parse on switch."""

    CSS = """
    #orange { color: $group-orange; background: $panel; }
    #grey { color: $group-grey; border: solid $border; text-style: $block-cursor-text-style; }
    #muted { color: $text-muted; background: $input-selection-background; }
    """

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return group_variable_defaults()

    def compose(self) -> ComposeResult:
        yield Label("orange", id="orange")
        yield Label("grey", id="grey")
        yield Label("muted", id="muted")


async def test_app_registers_and_switches_to_every_bundled_theme(bundled: dict[str, BoardTheme]) -> None:
    app = ThemedApp()
    async with app.run_test() as pilot:
        for board_theme in bundled.values():
            app.register_theme(board_theme.theme)
        for name, board_theme in bundled.items():
            app.theme = name
            await pilot.pause()
            assert app.theme == name
            assert app.query_one("#orange").styles.color == Color.parse(board_theme.groups["orange"])
        app.theme = "textual-dark"  # a built-in theme: the $group-* defaults must carry the CSS
        await pilot.pause()
        assert app.query_one("#orange").styles.color == Color.parse(DEFAULT_SHADES["orange"])


async def test_app_survives_every_accepted_variable_form(tmp_path: Path) -> None:
    (tmp_path / "forms.toml").write_text(
        GOOD.format(name="forms")
        + "[variables]\n"
        + '"text-muted" = "auto 70%"\n"input-selection-background" = "rgb(10, 20, 30) 40%"\n'
        + '"border" = "hsl(200, 50%, 50%)"\n"panel" = "transparent"\n"link-background" = "initial"\n'
        + '"block-cursor-text-style" = "bold not underline"\n"footer-background" = "ansi_blue"\n',
        encoding="utf-8",
    )
    themes, warnings = load_themes(tmp_path)
    assert warnings == [] and len(themes) == 1
    app = ThemedApp()
    async with app.run_test() as pilot:
        app.register_theme(themes[0].theme)
        app.theme = "forms"
        await pilot.pause()
        assert app.theme == "forms"
