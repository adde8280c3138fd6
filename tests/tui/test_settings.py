"""Remembered settings: round trip, unknown keys kept, bad files give defaults, failed saves never raise."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coprod_tui.tui import settings as settings_module
from coprod_tui.tui.settings import Settings, default_settings_path


def test_default_path_follows_xdg(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    assert default_settings_path(env) == tmp_path / "cfg" / "coprod-tui" / "settings.json"


def test_default_path_without_xdg_or_with_a_relative_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = tmp_path / ".config" / "coprod-tui" / "settings.json"
    assert default_settings_path({}) == expected
    assert default_settings_path({"XDG_CONFIG_HOME": "relative/cfg"}) == expected
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert default_settings_path() == expected


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "coprod-tui" / "settings.json"  # the folders do not exist yet
    settings = Settings.load(path)
    assert settings.theme is None and settings.problem is None
    settings.theme = "coprod-projector"
    assert settings.save() is True
    again = Settings.load(path)
    assert again.theme == "coprod-projector"
    assert again.problem is None


def test_unknown_keys_survive_a_save(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": "coprod-dark", "future": {"a": [1, 2]}, "zoom": 1.5}), encoding="utf-8")
    settings = Settings.load(path)
    settings.theme = "coprod-light"
    assert settings.save()
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "theme": "coprod-light",
        "future": {"a": [1, 2]},
        "zoom": 1.5,
    }


def test_save_leaves_no_temp_files_and_fsyncs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd))[1])
    path = tmp_path / "settings.json"
    path.write_text('{"theme": "old"}', encoding="utf-8")
    settings = Settings(path=path, theme="new")
    assert settings.save()
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
    assert len(calls) >= 2  # the file, then the folder
    assert Settings.load(path).theme == "new"


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path / "absent.json")
    assert settings.theme is None and settings.extra == {} and settings.problem is None


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[1, 2]", b'"coprod-dark"', b"\xff\xfe\x00", b"null", b'{"theme": "' + b"x" * 10],
)
def test_corrupt_file_gives_defaults(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    settings = Settings.load(path)
    assert settings.theme is None
    assert settings.problem is not None and str(path) in settings.problem


@pytest.mark.parametrize("theme", [5, "", "   ", ["coprod-dark"], {"name": "x"}, True])
def test_a_bad_theme_value_is_ignored(tmp_path: Path, theme: object) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": theme, "keep": 1}), encoding="utf-8")
    settings = Settings.load(path)
    assert settings.theme is None
    assert settings.extra == {"keep": 1}


def test_unreadable_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()  # a folder where the file should be: reading raises IsADirectoryError
    settings = Settings.load(path)
    assert settings.theme is None and settings.problem is not None
    settings.theme = "coprod-dark"
    assert settings.save() is False


def test_save_into_a_path_blocked_by_a_file_returns_false(tmp_path: Path) -> None:
    blocker = tmp_path / "coprod-tui"
    blocker.write_text("not a folder", encoding="utf-8")
    settings = Settings(path=blocker / "settings.json", theme="coprod-dark")
    assert settings.save() is False
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_failed_rename_keeps_the_old_file_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"theme": "old"}', encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(settings_module.os, "replace", refuse)
    assert Settings(path=path, theme="new").save() is False
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
    assert json.loads(path.read_text(encoding="utf-8")) == {"theme": "old"}


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores folder permissions; needs POSIX"
)
def test_read_only_folder_returns_false(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert Settings(path=folder / "settings.json", theme="coprod-dark").save() is False
    finally:
        folder.chmod(0o755)
