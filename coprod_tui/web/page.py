"""The phone page, rendered on the server: a plain HTML form that works with JavaScript off.

Why server-rendered: a participant's phone may be old, locked down or have JavaScript disabled, and the room may
have no internet, so the page needs nothing but itself and /static/phone.css. JavaScript (/static/phone.js, if
present) only enhances it: the form is complete, labelled and valid without it.

Every piece of text that came from a person (title, question, group names, the note, the name) goes through
`esc` — the session may hold `<script>` typed by anyone. Links are relative (`../static/…`, the token itself), so
the page also works behind a reverse proxy that serves it under a path prefix (`--public-url`). There are no inline
styles or scripts: the Content-Security-Policy forbids them.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass

from coprod_tui.core import text as T

KIND_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("problem", "Problem", "Something that isn't working, or gets in the way."),
    ("option", "Option", "An idea for what could change or be done."),
    ("contribution", "Contribution", "Something you or others could offer to make an idea happen."),
)
CLOSED_TEXT = "The facilitator has closed this session to new notes. Thank you for taking part."
PRIVATE_TEXT = "Notes stay private until the facilitator reveals them."
HELD_TEXT = "It stays private, seen only by you, until the facilitator reveals the notes."


def esc(value: object) -> str:
    """Escape for HTML text and attribute values (quotes included)."""
    return html.escape(str(value), quote=True)


def new_request_id() -> str:
    """One per page render: sending the same form twice stores one note."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Draft:
    """What the participant typed, kept when the form comes back with an error."""

    text: str = ""
    kind: str = ""
    group: str = ""
    author: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class PageContext:
    """What the form needs to know about the session and the link it was opened with."""

    token: str
    title: str
    question: str
    open: bool
    groups: tuple[tuple[int, str], ...]  # (id, name): the choices on the everyone link
    fixed_group: str | None  # the group's name on a group link; None on the everyone link
    root: str = "../"  # relative path from the page to the app's root (static files, API)
    phase_index: int = 0
    phase: str = ""  # the current phase's name and prompt, shown at the top
    prompt: str = ""
    phase_kind: str | None = None  # the kind the form starts on (the writer may change it)
    private: bool = False  # hidden writing: new notes are held until the reveal
    default_role: str | None = None  # the group link's group's role: the self-reflection's role starts on it


def _document(title: str, body: str, root: str, *, script: bool = False) -> str:
    js = f'\n<script src="{esc(root)}static/phone.js" defer></script>' if script else ""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{esc(title)}</title>\n<link rel="stylesheet" href="{esc(root)}static/phone.css">{js}\n'
        f'</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n'
    )


def _header(ctx: PageContext) -> str:
    question = f'\n<p class="question">{esc(ctx.question)}</p>' if ctx.question else ""
    return f'<header>\n<h1>{esc(ctx.title)}</h1>{question}\n</header>'


def _kind_fieldset(draft: Draft, invalid: bool, default: str | None = None) -> str:
    options = []
    chosen = draft.kind.strip().lower() or (default or "")
    for value, label, hint in KIND_CHOICES:
        checked = " checked" if chosen == value else ""
        options.append(
            f'<div class="choice"><input type="radio" id="kind-{value}" name="kind" value="{value}" required'
            f'{checked}>\n'
            f'<label for="kind-{value}"><span class="choice-name">{label}</span>'
            f'<span class="hint">{esc(hint)}</span></label></div>'
        )
    aria = ' aria-invalid="true"' if invalid else ""
    return (f'<fieldset class="kinds"{aria}>\n<legend>What kind of note is it?</legend>\n'
            + "\n".join(options) + "\n</fieldset>")


def _group_field(ctx: PageContext, draft: Draft, invalid: bool) -> str:
    if ctx.fixed_group is not None:
        return f'<p class="group-fixed">Your group: <strong>{esc(ctx.fixed_group)}</strong></p>'
    if not ctx.groups:
        return ""
    options = ['<option value="">Choose your group</option>']
    for group_id, name in ctx.groups:
        selected = " selected" if draft.group == str(group_id) else ""
        options.append(f'<option value="{group_id}"{selected}>{esc(name)}</option>')
    aria = ' aria-invalid="true"' if invalid else ""
    return ('<div class="field">\n<label for="group">Your group (optional)</label>\n'
            f'<select id="group" name="group"{aria}>\n' + "\n".join(options) + "\n</select>\n</div>")


def _phase(ctx: PageContext) -> str:
    """The phase and its prompt, and the hidden-writing line: server-rendered, so they show without JavaScript."""
    hidden = "" if ctx.private else " hidden"
    return (f'<section class="phase" id="phase" aria-labelledby="phase-name" data-index="{ctx.phase_index}">\n'
            f'<h2 id="phase-name">{esc(ctx.phase)}</h2>\n<p class="prompt" id="phase-prompt">{esc(ctx.prompt)}</p>\n'
            f'<p class="notice private" id="private-note"{hidden}>{esc(PRIVATE_TEXT)}</p>\n</section>')


# What phone.js fills in and shows as the session runs (all hidden until it does: none of it works without
# JavaScript, which needs the phone's id to vote, say "I'm done" or pick).
_LIVE = (
    '<div class="timer" id="timer" hidden><span class="timer-label" id="timer-label"></span>'
    '<span class="timer-time" id="timer-time" role="timer"></span>'
    '<span class="timer-up" id="timer-up" role="status"></span></div>\n'
    '<p class="notice breakout" id="breakout-note" hidden>Your group is working on its own.</p>\n'
    '<section class="vote" id="vote" aria-labelledby="vote-title" hidden>\n<h2 id="vote-title">Vote</h2>\n'
    '<p class="vote-left" id="vote-left" aria-live="polite"></p>\n<ul class="vote-cards" id="vote-cards"></ul>\n'
    '<p class="status" id="vote-status" role="status" aria-live="polite"></p>\n</section>'
)
_AFTER = (
    '<div class="done" id="done" hidden>\n'
    '<button type="button" class="done-button" id="done-button">I\'m done</button>\n'
    '<p class="status" id="done-status" role="status" aria-live="polite"></p>\n</div>\n'
    '<section class="group-notes" id="group-notes" aria-labelledby="group-notes-title" hidden>\n'
    '<h2 id="group-notes-title">Your group\'s notes</h2>\n'
    '<p class="hint" id="group-hint">Choose the notes your group wants to bring back to the whole room.</p>\n'
    '<ul></ul>\n<p class="status" id="pick-status" role="status" aria-live="polite"></p>\n</section>'
)


def form_page(ctx: PageContext, draft: Draft | None = None, *, error: str | None = None,
              error_field: str | None = None, reflection: str = "", title: str | None = None) -> str:
    """The join page: the form, or a clear "closed" notice and no form when submissions are closed.

    `reflection`: during a reflection phase, the self-reflection section (reflection_page.py), shown instead of the
    note form; the note form (or the closed notice) stays in the page, hidden, for phone.js to show again when the
    phase moves on.
    """
    hidden = " hidden" if reflection else ""
    if reflection:
        reflection += "\n"
    if not ctx.open:
        # data-token / data-root let phone.js reload this page the moment the facilitator opens notes again.
        body = (f'{_header(ctx)}\n{_phase(ctx)}\n{_LIVE}\n{reflection}<p class="notice closed" role="status" '
                f'id="closed-notice" data-token="{esc(ctx.token)}" data-root="{esc(ctx.root)}"{hidden}>'
                f'{esc(CLOSED_TEXT)}</p>\n{_AFTER}')
        return _document(title or ctx.title, body, ctx.root, script=True)
    draft = draft or Draft()
    request_id = draft.request_id or new_request_id()
    alert = (f'<div class="notice error" id="form-error" role="alert"><strong>Not sent.</strong> {esc(error)}</div>\n'
             if error else "")
    text_invalid = ' aria-invalid="true"' if error_field == "text" else ""
    author_invalid = ' aria-invalid="true"' if error_field == "author" else ""
    body = (
        f'{_header(ctx)}\n{_phase(ctx)}\n{_LIVE}\n{reflection}'
        f'<form id="note-form" method="post" data-token="{esc(ctx.token)}" data-root="{esc(ctx.root)}"{hidden}>\n'
        f'{alert}'
        '<div class="field">\n<label for="text">Your note</label>\n'
        f'<textarea id="text" name="text" rows="5" maxlength="{T.CARD_TEXT_LIMIT}" required'
        f' aria-describedby="text-hint"{text_invalid}>{esc(draft.text)}</textarea>\n'
        f'<p class="hint" id="text-hint">Up to {T.CARD_TEXT_LIMIT:,} characters.</p>\n</div>\n'
        f'{_kind_fieldset(draft, error_field == "kind", ctx.phase_kind)}\n'
        f'{_group_field(ctx, draft, error_field == "group")}\n'
        '<div class="field">\n<label for="author">Your name (optional)</label>\n'
        f'<input type="text" id="author" name="author" maxlength="{T.AUTHOR_LIMIT}" autocomplete="name"'
        f' aria-describedby="author-hint" value="{esc(draft.author)}"{author_invalid}>\n'
        '<p class="hint" id="author-hint">Leave empty to stay anonymous.</p>\n</div>\n'
        f'<input type="hidden" name="request_id" value="{esc(request_id)}">\n'
        '<button type="submit" class="send">Send</button>\n'
        '<p class="status" id="status" role="status" aria-live="polite"></p>\n'
        '</form>\n'
        f'{_AFTER}\n'
        '<section id="my-notes" class="my-notes" aria-labelledby="my-notes-title" hidden>\n'
        '<h2 id="my-notes-title">My notes</h2>\n<ul></ul>\n</section>'
    )
    return _document(title or ctx.title, body, ctx.root, script=True)


def saved_page(ctx: PageContext, text: str, kind: str, held: bool = False) -> str:
    """The no-JavaScript confirmation: shown only once the note is safely on disk."""
    label = next((name for value, name, _ in KIND_CHOICES if value == kind), kind)
    where = (f'<p>Your {esc(label.lower())} is saved. {esc(HELD_TEXT)}</p>' if held
             else f'<p>Your {esc(label.lower())} is on the board:</p>')
    body = (
        f'{_header(ctx)}\n<section class="saved" aria-labelledby="saved-title">\n'
        '<h2 id="saved-title">Saved — thank you</h2>\n'
        f'{where}\n<blockquote class="note">{esc(text)}</blockquote>\n'
        f'<p><a class="again" href="{esc(ctx.token)}">Write another note</a></p>\n</section>'
    )
    return _document(f"Saved — {ctx.title}", body, ctx.root)


def message_page(heading: str, message: str, *, root: str = "../", back: str | None = None) -> str:
    """A friendly page for errors met outside the form (an old link, a closed session, a request too big)."""
    link = f'\n<p><a class="again" href="{esc(back)}">Back to the form</a></p>' if back else ""
    body = f'<h1>{esc(heading)}</h1>\n<p class="notice" role="alert">{esc(message)}</p>{link}'
    return _document(heading, body, root)


def root_for(path: str) -> str:
    """The relative path from a page at `path` back to the app's root ("/j/abc" → "../", "/x" → "./")."""
    depth = max(path.count("/") - 1, 0)
    return "../" * depth or "./"
