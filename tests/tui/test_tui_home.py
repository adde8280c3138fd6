"""Home: the list of past sessions, opening one (live or for review), and the new-session dialog."""

from __future__ import annotations

import time

from textual.widgets import Input, Select

from support.app import (SIZE, GROUPS, lists, notices, open_board, read_file, screen_text, settle, stored_cards, texts,
                      type_text)
from support.home import open_home, rows
from coprod_tui.core.model import Role
from coprod_tui.core.store.file import SessionStorage
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.review.home import HomeScreen
from coprod_tui.tui.dialogs.new_session import GroupRow, NewSessionScreen


def make_three(make_session, sessions_dir):
    """Three sessions changed on different days (made out of order) and one corrupt file."""
    make_session("Day services review", at="2025-02-01T10:00:00.000+00:00", groups=[], cards=[], links=[])
    make_session("Short breaks for carers", at="2025-03-14T09:30:00.000+00:00")
    make_session("Transport to clinics", question="", at="2025-01-20T16:45:00.000+00:00",
                 groups=GROUPS[:1], cards=[("problem", "Buses stop at 6", "Carers", None)], links=[])
    (sessions_dir / "2025-03-20-broken.json").write_text('{"meta": {"1": {"schema_versi', "utf-8")


async def test_sessions_are_listed_newest_first_with_their_details(make_session, app_factory, sessions_dir):
    make_three(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(pilot)
        assert rows(home)[:3] == [
            ["Short breaks for carers", "2025-03-14", "", "6", "Carers, Practitioners, People who use services"],
            ["Day services review", "2025-02-01", "", "0", ""],
            ["Transport to clinics", "2025-01-20", "", "1", "Carers"],
        ]
        broken = rows(home)[3]
        assert broken[:4] == ["⚠ 2025-03-20-broken", "unreadable", "", "—"] and "not valid JSON" in broken[4]
        shown = screen_text(app)
        assert shown.index("Short breaks for carers") < shown.index("Day services review") \
            < shown.index("Transport to clinics") < shown.index("2025-03-20-broken")
        assert "Carers, Practitioners, People who use services" in shown and "unreadable" in shown
        assert str(sessions_dir) in shown  # the folder is named in the header


async def test_opening_an_unreadable_session_is_an_error_message_not_a_crash(make_session, app_factory,
                                                                             sessions_dir):
    make_three(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await open_home(pilot)
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot, lambda: any(title == "Can't open" for title, _ in notices(app)))
        message = next(message for title, message in notices(app) if title == "Can't open")
        assert "2025-03-20-broken" in str(message) and "not valid JSON" in str(message)
        assert app.screen is home and app.hub is None and not app._exit
        await settle(pilot, lambda: "Can't open" in screen_text(app))
        await pilot.press("up", "up", "up", "o")  # the others still open
        board = await open_board(pilot)
        assert app.hub.session.meta.title == "Short breaks for carers"
        assert "Carers can't get a break" in "".join(texts(lists(board)[0]))


async def test_open_live_go_back_and_open_for_review(make_session, app_factory, sessions_dir):
    make_three(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(pilot)
        await pilot.press("down", "o")  # Day services review, for editing
        board = await open_board(pilot)
        assert app.hub.session.meta.title == "Day services review" and board.sub_title == "live"
        assert "No problems yet: n adds one" in screen_text(app)
        await pilot.press("escape")
        home = await open_home(pilot)
        assert app.hub is None and rows(home)[0][0] == "Short breaks for carers"
        await pilot.press("enter")  # the selected row (the first) for review
        board = await open_board(pilot)
        assert app.hub.read_only and board.sub_title.startswith("review · read-only")
        assert "review · read-only" in screen_text(app)


async def test_new_session_with_custom_groups_opens_its_board(app_factory, sessions_dir):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot)
        assert "No sessions yet" in screen_text(app)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, NewSessionScreen))
        dialog = app.screen
        assert dialog.query_one("#title", Input).has_focus
        await type_text(pilot, "Carers [b]week[/b]")
        await pilot.press("tab")
        await type_text(pilot, "Short breaks [2026]")
        await pilot.press("tab")
        await type_text(pilot, "What would help?")
        group_rows = list(dialog.query(GroupRow))
        assert [r.spec().name for r in group_rows] == ["People who use services", "Carers", "Practitioners",
                                                       "Commissioners"]

        await pilot.click("#add-group")
        await settle(pilot, lambda: len(dialog.query(GroupRow)) == 5)
        new_row = list(dialog.query(GroupRow))[-1]
        await settle(pilot, lambda: bool(new_row.query(Input)) and new_row.query_one(Input).has_focus)
        await type_text(pilot, "Voluntary sector")
        assert new_row.spec().colour == "blue" and new_row.spec().role == Role.OTHER.value
        await pilot.press("tab", "enter", "up", "enter")  # role: Other → Community and voluntary sector
        await settle(pilot, lambda: new_row.spec().role == Role.COMMUNITY.value)
        await pilot.press("tab", "enter", "down", "down", "enter")  # colour: blue → purple
        await settle(pilot, lambda: new_row.spec().colour == "purple")
        assert new_row.query_one(".group-colour", Select).has_focus

        commissioners = group_rows[3]
        await pilot.click(commissioners.query_one(".remove-group"))
        await settle(pilot, lambda: len(dialog.query(GroupRow)) == 4)
        await pilot.press("ctrl+s")
        board = await open_board(pilot)

        session = app.hub.session
        assert session.meta.title == "Carers [b]week[/b]" and session.meta.question == "What would help?"
        assert session.meta.programme == "Short breaks [2026]"
        assert [(g.name, g.role, g.colour) for g in session.groups.values()] == [
            ("People who use services", Role.PEOPLE, "orange"),
            ("Carers", Role.CARERS, "sky"),
            ("Practitioners", Role.PRACTITIONERS, "green"),
            ("Voluntary sector", Role.COMMUNITY, "purple"),
        ]
        shown = screen_text(app)
        assert "Carers [b]week[/b]" in shown and "What would help?" in shown
        assert isinstance(app.screen, BoardScreen) and len(lists(board)) == 3
        await pilot.press("escape")  # home lists it now
        home = await open_home(pilot)
        assert rows(home)[0][:3] == ["Carers [b]week[/b]", session.meta.created[:10], "Short breaks [2026]"]
        assert "No sessions yet" not in screen_text(app)
        await pilot.press("ctrl+q")
    doc = read_file(sessions_dir, session.meta.id)
    assert doc["meta"]["1"]["title"] == "Carers [b]week[/b]"
    assert [g["name"] for g in doc["groups"].values()][-1] == "Voluntary sector"


async def test_new_session_needs_a_title(app_factory, sessions_dir):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, NewSessionScreen))
        dialog = app.screen
        await type_text(pilot, "   ")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Title can't be empty." in screen_text(app))
        assert app.screen is dialog and app.hub is None
        assert not sessions_dir.exists() or not list(sessions_dir.glob("*.json"))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_leaving_and_reopening_at_once_waits_for_the_last_save(make_session, app_factory, sessions_dir,
                                                                     monkeypatch):
    """On a slow disk the board's last change is still being written (and the session still locked) when the
    facilitator goes home and straight back in, or quits: neither may fail nor lose the change."""
    session_id = make_session()
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_home(pilot)
        await pilot.press("o")
        await open_board(pilot)
        write = SessionStorage._write

        def slow_write(storage, text):
            time.sleep(0.3)
            write(storage, text)

        monkeypatch.setattr(SessionStorage, "_write", slow_write)
        await pilot.press("n", *"Written slowly", "ctrl+s", "escape", "o")
        board = await open_board(pilot)
        assert not [n for n in notices(app) if n[0] == "Can't open"], notices(app)
        assert "Written slowly" in texts(lists(board)[0])
        await pilot.press("n", *"Last words", "ctrl+s", "escape", "ctrl+q")
    assert {"Written slowly", "Last words"} <= {c["text"] for c in stored_cards(sessions_dir, session_id).values()}


async def test_a_session_left_for_another_is_freed_with_its_phone_server(make_session, app_factory, sessions_dir):
    """A facilitator runs one session after another in one coprod: each left board's hub (every card and event),
    its phone server and its streams must go, or memory grows with every session of the day."""
    import gc
    import weakref

    import aiohttp

    from coprod_tui.web import start_phone_server

    async def serve(hub):
        return await start_phone_server(hub, host="127.0.0.1", port=0)

    make_three(make_session, sessions_dir)
    app = app_factory(serve=serve)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot)
        await pilot.press("o")  # the newest session, for editing: its phone server starts
        await open_board(pilot)
        await settle(pilot, lambda: app.phone_server is not None)
        async with aiohttp.ClientSession() as phone:  # a phone joins and posts: the server has served requests
            url = app.phone_server.urls()["all"].replace("/j/", "/api/v1/j/")
            async with phone.get(url + "/board") as resp:
                assert resp.status == 200
            async with phone.post(url + "/notes", json={"text": "Hello", "kind": "problem",
                                                        "request_id": "freed-1"}) as resp:
                assert resp.status == 201
        first = weakref.ref(app.hub)
        await pilot.press("escape")
        await open_home(pilot)
        await pilot.press("down", "o")
        await open_board(pilot)
        await settle(pilot, lambda: app.phone_server is not None and not app.workers)
        await settle(pilot, lambda: not any(t.is_alive() for t in app._closing_hubs))
        gc.collect()
        assert first() is None, "the first session is still in memory"
        assert app.hub is not None and app.hub.session.meta.title == "Day services review"
