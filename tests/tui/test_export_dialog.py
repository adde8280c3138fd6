"""The export dialog (ExportScreen), driven with Textual's pilot on top of the real app's home screen.

The working directory is a temporary folder, so the suggested `exports/<id>.<ext>` lands there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, RadioSet, Static

from support.app import SIZE, notices, screen_text, settle
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.export import export_bytes
from coprod_tui.tui.dialogs.export import ExportScreen


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "work"
    where.mkdir()
    monkeypatch.chdir(where)
    return where


async def show(pilot, screen: ExportScreen) -> list:
    """Push the dialog; return the list its dismissal result will be appended to."""
    results: list = []
    pilot.app.push_screen(screen, results.append)
    await settle(pilot, lambda: pilot.app.screen is screen and bool(screen.query(Input)))
    return results


def path_input(screen: ExportScreen) -> Input:
    return screen.query_one("#export-path", Input)


async def choose(pilot, screen: ExportScreen, label: str) -> None:
    radio = screen.query_one(RadioSet)
    radio.focus()
    names = [b.name for b in radio.query("RadioButton")]
    index = names.index(label if ":" in label else f"session:{label}")  # "html" = the whole session as HTML
    for _ in range(len(names)):  # arrow keys, as a person would
        if radio._selected == index:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def test_the_suggested_file_follows_the_format_and_ctrl_s_writes_it(make_session, app_factory, sessions_dir,
                                                                          workdir):
    session_id = make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = ExportScreen(SessionFolder(sessions_dir), session_id)
        results = await show(pilot, screen)
        assert path_input(screen).value == f"exports/{session_id}.md"
        resolved = str(screen.query_one("#export-resolved", Static).render())
        assert resolved == f"Will write {workdir / 'exports' / session_id}.md"
        assert "Export" in screen_text(app) and "Markdown" in screen_text(app)
        await choose(pilot, screen, "html")
        assert path_input(screen).value == f"exports/{session_id}.html"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: bool(results))
        target = workdir / "exports" / f"{session_id}.html"
        assert results == [target]
        assert target.read_bytes() == export_bytes("html", SessionFolder(sessions_dir), session_id)
        assert any(f"Exported to {target}" in str(message) for _, message in notices(app))
        assert app.screen is not screen


async def test_a_path_the_person_typed_is_kept_when_the_format_changes(make_session, app_factory, sessions_dir,
                                                                       workdir):
    session_id = make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = ExportScreen(SessionFolder(sessions_dir), session_id)
        results = await show(pilot, screen)
        path_input(screen).value = "[b]mine[/b].txt"  # markup-looking: must be shown and used as typed
        await pilot.pause()
        await choose(pilot, screen, "csv")
        assert path_input(screen).value == "[b]mine[/b].txt"
        assert f"Will write {workdir / '[b]mine[/b].txt'}" in str(screen.query_one("#export-resolved", Static)
                                                                   .render())
        await pilot.click("#export")
        await settle(pilot, lambda: bool(results))
        assert (workdir / "[b]mine[/b].txt").read_bytes().startswith(b"\xef\xbb\xbf")


async def test_an_unwritable_path_is_explained_in_the_dialog_which_stays_open(make_session, app_factory,
                                                                               sessions_dir, workdir):
    session_id = make_session()
    (workdir / "a-file").write_text("not a folder", "utf-8")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = ExportScreen(SessionFolder(sessions_dir), session_id)
        results = await show(pilot, screen)
        path_input(screen).value = "a-file/[red]x[/red].md"
        await pilot.press("ctrl+s")
        error = screen.query_one("#error", Static)
        await settle(pilot, lambda: bool(str(error.render())))
        message = str(error.render())
        assert "a-file/[red]x[/red].md" in message  # shown literally, not as markup
        assert app.screen is screen and results == []
        assert not screen.query_one("#export", Button).disabled
        # The person fixes the path and tries again.
        path_input(screen).value = "ok.md"
        await pilot.pause()
        assert str(error.render()) == ""
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: bool(results))
        assert results == [workdir / "ok.md"] and (workdir / "ok.md").exists()


async def test_escape_cancels_and_writes_nothing(make_session, app_factory, sessions_dir, workdir):
    session_id = make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = ExportScreen(SessionFolder(sessions_dir), session_id)
        results = await show(pilot, screen)
        await pilot.press("escape")
        await settle(pilot, lambda: bool(results))
        assert results == [None] and not (workdir / "exports").exists()


async def test_the_method_reports_are_offered_too(make_session, app_factory, sessions_dir, workdir):
    session_id = make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = ExportScreen(SessionFolder(sessions_dir), session_id)
        results = await show(pilot, screen)
        await choose(pilot, screen, "yousaid:html")
        assert path_input(screen).value == f"exports/{session_id}.yousaid.html"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: bool(results))
    written = (workdir / "exports" / f"{session_id}.yousaid.html").read_text("utf-8")
    assert "Carers can" in written and "<script" not in written
