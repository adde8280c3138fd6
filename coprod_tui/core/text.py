"""Cleaning and checking untrusted text: the limits every front end shows and the hub enforces, the one rule for
a note's text (`clean_note`), phones' ids and request ids.

Notes come from strangers' phones, CSV files typed up from paper, and the keyboard. We keep what people wrote
verbatim — markup-looking brackets, HTML, emoji, right-to-left scripts and zero-width joiners included — and remove
only what cannot be stored or shown safely: control characters (other than newline and tab) and lone surrogates,
which cannot even be encoded as UTF-8 and would make the session file unwritable.

Over-long text is refused with a clear message instead of being cut silently: a participant must know their words
did not all arrive.
"""

from __future__ import annotations

import re
from typing import TypeGuard

from coprod_tui.core.errors import ValidationError

CARD_TEXT_LIMIT = 2000
TITLE_LIMIT = 200
QUESTION_LIMIT = 1000
NAME_LIMIT = 60
AUTHOR_LIMIT = 80
FIELD_LIMIT = 500  # each field of a plan action, and the note beside a done action
EVIDENCE_LIMIT = 1000  # the example a self-reflection answer gives for one statement
REQUEST_ID_LIMIT = 200

# Unicode's control characters (category Cc: C0, DEL and C1) but newline and tab, and lone surrogates (Cs). One
# regular expression rather than a category look-up per character: every phone note passes through here.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """Remove control characters (except newline and tab) and lone surrogates.

    Carriage returns are dropped too, so Windows line ends (CRLF) become plain newlines.
    """
    return _CONTROLS.sub("", text)


def clean(text: object, field: str, limit: int, *, required: bool = True, multiline: bool = True) -> str:
    """Return `text` cleaned for storage, or raise ValidationError saying what is wrong in plain words.

    `field` is the human name used in messages ("Card text", "Title"). Surrounding white space is trimmed;
    single-line fields turn newlines and tabs into spaces.
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ValidationError(f"{field} must be text.")
    cleaned = strip_controls(text)
    if not multiline:
        cleaned = " ".join(cleaned.split())
    cleaned = cleaned.strip()
    if required and not cleaned:
        raise ValidationError(f"{field} can't be empty.")
    if len(cleaned) > limit:
        raise ValidationError(
            f"{field} is {len(cleaned):,} characters long; the limit is {limit:,}. "
            "Please shorten it or split it in two."
        )
    return cleaned


def clean_note(text: object, field: str = "Card text") -> str:
    """The text of a note (a card), cleaned: the one rule for every way a note arrives (the board, a phone, a CSV
    file). `field` names it in the message, in the words of the front end that asked ("Your note" on a phone)."""
    return clean(text, field, CARD_TEXT_LIMIT)


def optional(text: object, field: str, limit: int) -> str | None:
    """Clean an optional single-line value; empty means "not given" (None)."""
    value = clean(text, field, limit, required=False, multiline=False)
    return value or None


PARTICIPANT = re.compile(r"^[A-Za-z0-9_-]{8,64}\Z")


def check_participant(value: object) -> str:
    """A phone's id: random letters, digits, '-' and '_' its browser made up (no personal data)."""
    if not isinstance(value, str) or not PARTICIPANT.match(value):
        raise ValidationError("This phone's id is not valid: reload the page.")
    return value


def is_request_id(value: object) -> TypeGuard[str]:
    """Whether `value` can be a phone's request id: 1 to REQUEST_ID_LIMIT characters of plain, savable text.

    It is stored in the event, so a lone surrogate would make the file unwritable after the change was applied; an
    empty id would make every later empty-id request a "retry" of the first one.
    """
    return (isinstance(value, str) and 0 < len(value) <= REQUEST_ID_LIMIT
            and strip_controls(value) == value)


def check_request_id(value: object) -> str:
    """The request id, or ValidationError when it breaks `is_request_id`'s rule."""
    if not is_request_id(value):
        raise ValidationError(f"request_id must be 1 to {REQUEST_ID_LIMIT} characters of plain text.")
    return value
