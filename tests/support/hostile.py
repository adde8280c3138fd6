"""A shared corpus of hostile text, and what the core should make of each string.

Import it from any test (the tests folder is on sys.path when pytest collects it):

    from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected

    @pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
    def test_something(text): ...

Everything people write is kept verbatim — markup-looking brackets, HTML, template syntax, spreadsheet formulas,
emoji, right-to-left text, zero-width characters — except what cannot be stored or shown safely: control characters
other than newline and tab, and lone surrogates. Surrounding white space is trimmed. A value that is empty after that,
or longer than its limit, is refused (never cut silently). `expected_stored` and `rejected` restate those rules
independently of `coprod_tui.core.text`, so the tests check the code rather than copy it.
"""

from __future__ import annotations

import unicodedata

CARD_LIMIT = 2000

_CASES: list[tuple[str, str]] = [
    # Rich / Textual markup: must show as typed, never be interpreted (a click action would run app code).
    ("rich-bold", "[b]"),
    ("rich-close", "[/]"),
    ("rich-close-named", "[/foo]"),
    ("textual-click", "[@click=app.quit]x[/]"),
    ("rich-link", "[link=https://e.vil]x[/link]"),
    ("rich-style", "[bold red on white]shout[/bold red on white]"),
    ("rich-unbalanced", "a [ b ] c [/ d"),
    # HTML / templates / spreadsheets / SQL: exports and web pages must escape them.
    ("html-script", "<script>alert(1)</script>"),
    ("html-img", "<img src=x onerror=alert(1)>"),
    ("html-entity", "&lt;b&gt; &amp;amp; &#x3C;"),
    ("template-jinja", "${{7*7}}"),
    ("template-braces", "{{7*7}} {0} %s %n %(x)s"),
    ("csv-formula", "=cmd|' /C calc'!A0"),
    ("csv-formula-plus", "+1+1"),
    ("csv-formula-at", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("sql", "Robert'); DROP TABLE students;--"),
    ("markdown", "# Title\n* item\n[x](javascript:alert(1))\n```\ncode\n```"),
    # Emoji and scripts.
    ("emoji", "I ❤️ this 👍🏽"),
    ("emoji-zwj-family", "👩‍👩‍👧"),
    ("emoji-flag", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 🇬🇧"),
    ("arabic", "مرحبا بالعالم"),
    ("hebrew", "שלום עולם"),
    ("rtl-override", "abc\u202edcba\u202c end"),
    ("mixed-bidi", "price \u2067مرحبا\u2069 = 5"),
    ("zero-width", "a\u200bb\u200dc\ufeffd"),
    ("zero-width-only", "\u200b\u200d\ufeff"),
    ("combining", "e\u0301 a\u0300\u0316\u0317\u0318 Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d"),
    ("cjk-wide", "合作生产 ｆｕｌｌｗｉｄｔｈ"),
    # Control characters: dropped (ESC would let text recolour or move the terminal cursor).
    ("controls", "\x00\x07\x1b[31m"),
    ("ansi-in-text", "red\x1b[31mRED\x1b[0m plain"),
    ("nul-middle", "be\x00fore"),
    ("c1-controls", "x\x85y\x9bz\x7f"),
    ("crlf", "line one\r\nline two\r\n"),
    ("tab", "col1\tcol2"),
    ("newlines-around", "\n\n  middle  \n\n"),
    ("unicode-line-sep", "a\u2028b\u2029c"),
    ("lone-surrogate", "\ud800"),
    ("lone-surrogate-mid", "ok\udfffok"),
    ("split-surrogate-pair", "\ud83d\ude00"),
    # Sizes.
    ("100KB", "x" * 100_000),
    ("exactly-2000", "y" * CARD_LIMIT),
    ("2001", "z" * (CARD_LIMIT + 1)),
    ("2000-plus-padding", "  " + "w" * CARD_LIMIT + "\x00\n "),
    ("2000-plus-controls-inside", "v" * 1000 + "\x1b" * 50 + "v" * 1000),
    ("long-word", "supercalifragilistic" * 50),
    # Empty-ish.
    ("empty", ""),
    ("whitespace-only", "   "),
    ("whitespace-mixed", " \t\n\r\u3000\xa0 "),
    ("controls-only", "\x00\x1b\x07"),
    # Quoting and JSON-breaking.
    ("backslash", "\\"),
    ("backslashes", "C:\\Users\\x\\n not a newline \\u0000"),
    ("quotes", "'single' \"double\" `back` ‘curly’ “curly”"),
    ("json-break", '"}]},{'),
    ("json-break-2", '", "hidden": true, "x": "'),
    ("json-doc", '{"meta": {"1": {"schema_version": 99}}}'),
    ("path-like", "../../etc/passwd"),
    ("nbsp-word", "non\xa0breaking"),
]

HOSTILE: list[str] = [value for _, value in _CASES]
HOSTILE_IDS: list[str] = [name for name, _ in _CASES]
NAMED: dict[str, str] = dict(_CASES)


def _strip_controls(text: str) -> str:
    """Drop every control character but newline and tab, and every surrogate (only lone ones exist in a str)."""
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def expected_stored(text: str, *, multiline: bool = True) -> str:
    """What the core keeps of `text`: controls (but newline, tab) and lone surrogates removed, then trimmed.

    Single-line fields (titles, group names, authors) also turn every run of white space into one space.
    """
    cleaned = _strip_controls(text)
    if not multiline:
        cleaned = " ".join(cleaned.split())
    return cleaned.strip()


def rejected(text: str, limit: int = CARD_LIMIT, *, multiline: bool = True, required: bool = True) -> bool:
    """Whether the core must refuse `text`: empty after cleaning (when required) or longer than `limit`."""
    stored = expected_stored(text, multiline=multiline)
    return (required and not stored) or len(stored) > limit


def rejection_words(text: str, limit: int = CARD_LIMIT, *, multiline: bool = True) -> str:
    """A word the refusal message must contain: "empty" or the limit as the message prints it ("2,000")."""
    return "empty" if not expected_stored(text, multiline=multiline) else f"{limit:,}"


def fits(text: str, limit: int, *, multiline: bool = False) -> bool:
    """True when `text` would be accepted in a required field with this limit (handy for names and titles)."""
    return not rejected(text, limit, multiline=multiline)
