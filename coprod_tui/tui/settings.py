"""Remembered settings (for now, the chosen theme), kept in a small JSON file.

Settings are a convenience, so they must never stop the app: a missing, unreadable or corrupt file gives the
defaults, and a save that fails (read-only home, full disk) is reported by a False return value and a log line,
never an exception. The file is replaced atomically so a crash mid-save cannot leave half a file behind, and keys
this version does not know are written back unchanged, so a newer version's settings survive a run of an older one.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coprod_tui.core.store.file import atomic_write

__all__ = ["Settings", "default_settings_path"]

log = logging.getLogger(__name__)

_APP_FOLDER = "coprod-tui"
_FILE_NAME = "settings.json"


def default_settings_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/coprod-tui/settings.json``, else ``~/.config/coprod-tui/settings.json``.

    A relative ``XDG_CONFIG_HOME`` is ignored, as the XDG base-directory spec requires.
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CONFIG_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base / _APP_FOLDER / _FILE_NAME


@dataclass
class Settings:
    """The user's remembered choices, bound to the file they came from.

    ``problem`` says why loading fell back to defaults (None when it did not), so the app can tell the user once.
    """

    path: Path
    theme: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    problem: str | None = field(default=None, compare=False)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read settings from ``path`` (default: ``default_settings_path()``); defaults on any problem."""
        path = default_settings_path() if path is None else path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path=path)
        except (OSError, UnicodeDecodeError) as error:
            return cls._fallback(path, f"cannot read {path}: {error}")
        try:
            data = json.loads(text)
        except ValueError as error:  # json.JSONDecodeError is a ValueError
            return cls._fallback(path, f"{path} is not valid JSON ({error}); using defaults")
        if not isinstance(data, dict):
            return cls._fallback(path, f"{path} does not hold a JSON object; using defaults")
        theme = data.pop("theme", None)
        if theme is not None and not (isinstance(theme, str) and theme.strip()):
            log.warning("ignoring bad theme %r in %s", theme, path)
            theme = None
        return cls(path=path, theme=theme, extra=data)

    @classmethod
    def _fallback(cls, path: Path, problem: str) -> Settings:
        log.warning("%s", problem)
        return cls(path=path, problem=problem)

    def to_json(self) -> dict[str, Any]:
        """The document to write: unknown keys first preserved, then ours on top."""
        data = dict(self.extra)
        data["theme"] = self.theme
        return data

    def save(self) -> bool:
        """Write the file atomically (the same temp file + fsync + rename as session files); True on success,
        False and a log line on any OS error — losing a theme choice must never stop a session."""
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, text.encode("utf-8"))
        except OSError as error:
            log.warning("could not save settings to %s: %s", self.path, error)
            return False
        return True
