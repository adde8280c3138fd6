"""The pages a person reads: the phone page (GET /j/{token}), its no-JavaScript posts (a note, a self-reflection)
and the page's own static files.

Without JavaScript a post answers with a page, not JSON: once the change is durable, the confirmation; after a bad
field, the form again with the participant's input kept and the reason beside the field. The checks are the API's
(`notes.submit`, `reflection.submit_answer`), so both paths refuse and accept exactly the same things. The HTML
itself is page.py's and reflection_page.py's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp import web

from coprod_tui.core import text as T
from coprod_tui.core.hub import Hub
from coprod_tui.web.errors import ApiError
from coprod_tui.web.handlers.notes import submit
from coprod_tui.web.handlers.reflection import MAX_FIELDS, submit_answer
from coprod_tui.web.page import Draft, PageContext, form_page, new_request_id, root_for, saved_page
from coprod_tui.web.public import in_reflection, public_phase
from coprod_tui.web.reflection_page import Answers, new_participant, reflection_section
from coprod_tui.web.request import join_request, read_fields

STATIC_DIR = Path(__file__).parent.parent / "static"
_STATIC_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:css|js|svg|png|ico|woff2)")


def _context(request: web.Request, hub: Hub, target: int | None, token: str) -> PageContext:
    meta = hub.session.meta
    groups = tuple((g.id, g.name) for g in sorted(hub.session.groups.values(), key=lambda g: g.id))
    phase = public_phase(meta)
    group = hub.session.groups[target] if target is not None else None
    return PageContext(token=token, title=meta.title, question=meta.question, open=meta.open, groups=groups,
                       fixed_group=group.name if group is not None else None,
                       root=root_for(request.path), phase_index=phase["index"], phase=phase["name"],
                       prompt=phase["prompt"], phase_kind=phase["kind"], private=meta.private,
                       default_role=group.role.value if group is not None else None)


def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", headers=headers)


async def get_page(request: web.Request) -> web.Response:
    hub, target, token = join_request(request)
    ctx = _context(request, hub, target, token)
    section = reflection_section(ctx) if in_reflection(hub.session.meta) else ""
    return _html(form_page(ctx, reflection=section))


async def static_file(request: web.Request) -> web.StreamResponse:
    """/static/{name}: the page's own files only (one folder level, known extensions); 404 for anything else.

    A handler of our own rather than add_static, so a missing file (phone.js is optional) is a clean 404 page.
    """
    name = request.match_info["name"]
    path = STATIC_DIR / name
    if not _STATIC_NAME.fullmatch(name) or not path.is_file():
        raise ApiError(404, "not_found", "There is no such file.")
    return web.FileResponse(path)


def _draft(fields: dict[str, Any]) -> Draft:
    """The participant's input, to put back into the form; a fresh request_id only if theirs was unusable."""
    def value(name: str) -> str:
        v = fields.get(name)
        return v if isinstance(v, str) else ""
    request_id = fields.get("request_id")
    return Draft(text=value("text"), kind=value("kind"), group=value("group"), author=value("author"),
                 request_id=request_id if T.is_request_id(request_id) else new_request_id())


async def post_form(request: web.Request) -> web.Response:
    """The no-JavaScript path: the confirmation page once durable, else the form again with the draft kept."""
    hub, target, token = join_request(request)
    fields = await read_fields(request)
    try:
        note, _ = await submit(request, target, fields)
    except ApiError as exc:
        if exc.code == "closed":
            raise
        page = form_page(_context(request, hub, target, token), _draft(fields), error=exc.message,
                         error_field=exc.field)
        return _html(page, exc.status, exc.headers)
    return _html(saved_page(_context(request, hub, target, token), note["text"], note["kind"],
                            held=bool(note.get("held"))))


async def post_reflection_form(request: web.Request) -> web.Response:
    """The self-reflection without JavaScript: once durable, the page again with "thank you" and the saved answers
    (and the same phone id, so changing them replaces them); after a bad field, the form again with the answers kept.
    Outside a reflection phase (409), a page saying so with the way back to the form."""
    hub, target, token = join_request(request)
    fields = await read_fields(request, MAX_FIELDS)
    ctx = _context(request, hub, target, token)
    participant = fields.get("participant")
    participant = participant if isinstance(participant, str) and T.PARTICIPANT.match(participant) else \
        new_participant()
    try:
        mine, _, _ = await submit_answer(request, target, fields)
    except ApiError as exc:
        if exc.code in ("refused", "request_id_reused") or not in_reflection(hub.session.meta):
            raise
        request_id = fields.get("request_id")
        answers = Answers.from_fields(fields, participant,
                                      request_id if T.is_request_id(request_id) else new_request_id())
        section = reflection_section(ctx, answers, error=exc.message, error_field=exc.field)
        return _html(form_page(ctx, reflection=section, title=f"Not sent — {ctx.title}"), exc.status, exc.headers)
    section = reflection_section(ctx, Answers.from_answer(mine, participant), saved=True)
    return _html(form_page(ctx, reflection=section, title=f"Saved — {ctx.title}"))


async def get_reflection_page(request: web.Request) -> web.Response:
    """The thank-you page's address opened again (a bookmark, a restored tab): back to the page itself."""
    _, _, token = join_request(request)
    raise web.HTTPSeeOther(location=f"../{token}")
