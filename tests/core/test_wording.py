"""core/wording.py: the one `one_line` and `plural` every front end (screens, exports, command line) says things with."""

from __future__ import annotations

import pytest

from coprod_tui.core.wording import one_line, plural


@pytest.mark.parametrize(("text", "flat"), [
    ("plain", "plain"),
    ("two\nlines", "two lines"),
    ("a\r\n\tb", "a b"),  # Windows line ends and tabs
    ("a  \n\n  b", "a b"),  # every run of white space is one space
    ("\u3000wide\u00a0space", " wide space"),  # Python's white space, as str.split sees it
    ("esc\x1b[31mred\x07", "esc[31mred"),  # control characters (a hand-edited file) are dropped
    (" with 2 groups", " with 2 groups"),  # the ends are kept: a phrase joins what comes before it
    ("", ""),
])
def test_one_line_flattens_and_drops_controls(text, flat):
    assert one_line(text) == flat


def test_one_line_cuts_at_the_limit_with_an_ellipsis():
    assert one_line("abcdef", 6) == "abcdef"
    assert one_line("abcdefg", 6) == "abcde…" and len(one_line("x" * 500, 100)) == 100
    assert one_line("abcd fgh", 6) == "abcd…"  # no space left before the ellipsis
    assert one_line("a\nb\nc d e f", 5) == "a b…"


def test_plural():
    assert plural(1, "note") == "1 note" and plural(0, "note") == "0 notes" and plural(2, "note") == "2 notes"
    assert plural(1, "person", "people") == "1 person" and plural(3, "person", "people") == "3 people"
    assert plural(1204, "session") == "1,204 sessions"
