"""Cleaning untrusted text: what is kept verbatim, what is dropped, and what is refused."""

from __future__ import annotations

import unicodedata

import pytest
from support.hostile import HOSTILE, HOSTILE_IDS, NAMED, expected_stored, rejected, rejection_words

from coprod_tui.core import text as T
from coprod_tui.core.errors import ValidationError


def test_strip_controls_keeps_newline_and_tab_only():
    assert T.strip_controls("a\nb\tc") == "a\nb\tc"
    assert T.strip_controls("a\r\nb") == "a\nb"
    assert T.strip_controls("\x00\x07\x1b[31mred") == "[31mred"
    assert T.strip_controls("x\x7f\x85\x9by") == "xy"


def test_strip_controls_drops_lone_surrogates():
    assert T.strip_controls("a\ud800b\udfffc") == "abc"
    assert T.strip_controls("\ud83d\ude00") == ""



def test_strip_controls_drops_exactly_the_control_and_surrogate_categories():
    """The fast regular expression against Unicode's own categories, over every code point there is."""
    every = "".join(chr(cp) for cp in range(0x110000))
    kept = "".join(ch for ch in every if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    assert T.strip_controls(every) == kept

def test_strip_controls_keeps_format_characters_and_marks():
    text = "a\u200bb\u200dc\ufeffd \u202eevil\u202c e\u0301 👩‍👩‍👧 مرحبا"
    assert T.strip_controls(text) == text


def test_clean_trims_and_keeps_inner_text():
    assert T.clean("  [b]hello[/b]\n\n  ", "Card text", 100) == "[b]hello[/b]"
    assert T.clean("line 1\r\nline 2", "Card text", 100) == "line 1\nline 2"


def test_clean_single_line_collapses_white_space():
    assert T.clean(" a\n\tb   c\r\n", "Title", 100, multiline=False) == "a b c"


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t", "\x00\x1b", "\ud800"])
def test_clean_required_refuses_empty(value):
    with pytest.raises(ValidationError, match="^Card text can't be empty.$"):
        T.clean(value, "Card text", 100)


def test_clean_not_required_allows_empty():
    assert T.clean(None, "Question", 100, required=False) == ""
    assert T.clean("  ", "Question", 100, required=False) == ""


@pytest.mark.parametrize("value", [3, b"bytes", ["list"], {"a": 1}])
def test_clean_refuses_non_text(value):
    with pytest.raises(ValidationError, match="must be text"):
        T.clean(value, "Card text", 100)


def test_limit_is_inclusive_and_counted_after_cleaning():
    assert len(T.clean("y" * 2000, "Card text", T.CARD_TEXT_LIMIT)) == 2000
    assert len(T.clean("  " + "y" * 2000 + "\x00\n", "Card text", T.CARD_TEXT_LIMIT)) == 2000
    assert len(T.clean("y" * 1000 + "\x1b" * 10 + "y" * 1000, "Card text", T.CARD_TEXT_LIMIT)) == 2000


def test_over_limit_message_is_clear():
    with pytest.raises(ValidationError) as info:
        T.clean("z" * 2001, "Card text", T.CARD_TEXT_LIMIT)
    message = str(info.value)
    assert message.startswith("Card text is 2,001 characters long; the limit is 2,000.")
    assert "shorten" in message
    assert "\n" not in message


def test_over_limit_is_refused_not_cut():
    with pytest.raises(ValidationError, match="100,000 characters"):
        T.clean("x" * 100_000, "Card text", T.CARD_TEXT_LIMIT)


def test_optional():
    assert T.optional(None, "Name", 80) is None
    assert T.optional("   ", "Name", 80) is None
    assert T.optional("\x1b", "Name", 80) is None
    assert T.optional(" Sam\n Jones ", "Name", 80) == "Sam Jones"
    with pytest.raises(ValidationError, match="Name is 81 characters long"):
        T.optional("n" * 81, "Name", 80)


def test_limits_are_what_the_docs_say():
    assert (T.CARD_TEXT_LIMIT, T.TITLE_LIMIT, T.QUESTION_LIMIT, T.NAME_LIMIT, T.AUTHOR_LIMIT) == (
        2000, 200, 1000, 60, 80)


# -- the hostile corpus ------------------------------------------------------------------------------------------------

def test_corpus_helpers_agree_with_hand_written_cases():
    assert expected_stored(NAMED["controls"]) == "[31m"
    assert expected_stored(NAMED["crlf"]) == "line one\nline two"
    assert expected_stored(NAMED["zero-width"]) == "a\u200bb\u200dc\ufeffd"
    assert rejected(NAMED["whitespace-only"]) and rejected(NAMED["lone-surrogate"])
    assert rejected(NAMED["2001"]) and rejected(NAMED["100KB"])
    assert not rejected(NAMED["exactly-2000"]) and not rejected(NAMED["2000-plus-padding"])
    assert not rejected(NAMED["zero-width-only"])  # invisible, but not empty: kept as typed


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_clean_hostile_card_text(text):
    if rejected(text):
        with pytest.raises(ValidationError, match=rejection_words(text)):
            T.clean(text, "Card text", T.CARD_TEXT_LIMIT)
        return
    cleaned = T.clean(text, "Card text", T.CARD_TEXT_LIMIT)
    assert cleaned == expected_stored(text)
    cleaned.encode("utf-8")  # always savable
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in cleaned if ch not in "\n\t")


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_clean_hostile_single_line(text):
    if rejected(text, T.TITLE_LIMIT, multiline=False):
        with pytest.raises(ValidationError):
            T.clean(text, "Title", T.TITLE_LIMIT, multiline=False)
        return
    cleaned = T.clean(text, "Title", T.TITLE_LIMIT, multiline=False)
    assert cleaned == expected_stored(text, multiline=False)
    assert "\n" not in cleaned and "\t" not in cleaned


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_clean_note_is_the_card_text_rule(text):
    if rejected(text):
        with pytest.raises(ValidationError, match="Your note"):
            T.clean_note(text, "Your note")
        return
    assert T.clean_note(text) == T.clean(text, "Card text", T.CARD_TEXT_LIMIT)


@pytest.mark.parametrize("value, ok", [
    ("r-1", True), ("r" * 200, True), ("odd but fine: é ✓", True),
    ("", False), ("r" * 201, False), ("a\x00b", False), ("a\ud800", False), (7, False), (None, False),
])
def test_one_request_id_rule(value, ok):
    assert T.is_request_id(value) is ok
    if ok:
        assert T.check_request_id(value) == value
    else:
        with pytest.raises(ValidationError, match="request_id must be 1 to 200 characters"):
            T.check_request_id(value)
