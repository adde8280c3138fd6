"""The core imports neither Textual nor aiohttp: checked by importing it in a fresh interpreter, and statically."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import coprod_tui.core

FORBIDDEN = ("textual", "aiohttp")
CORE_DIR = Path(coprod_tui.core.__file__).parent


def core_modules() -> list[str]:
    names = ["coprod_tui.core"]
    for info in pkgutil.walk_packages(coprod_tui.core.__path__, prefix="coprod_tui.core."):
        names.append(info.name)
    return sorted(names)


def test_core_modules_are_discovered():
    names = core_modules()
    for expected in ("hub", "store", "store.file", "store.folder", "model", "text", "commands", "reading", "errors", "colours"):
        assert f"coprod_tui.core.{expected}" in names


def test_importing_the_whole_core_loads_no_front_end():
    names = core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print('LOADED', len([m for m in sys.modules if m.startswith('coprod_tui.core')]))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"LOADED {len(names)}" in result.stdout


def imported_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    # Dynamic imports by name: importlib.import_module("textual…") or __import__("aiohttp").
    roots |= set(re.findall(r"""(?:import_module|__import__)\(\s*['"]([A-Za-z_]\w*)""", source))
    return roots


def test_no_core_file_imports_a_front_end():
    files = sorted(CORE_DIR.rglob("*.py"))
    assert len(files) >= 8
    offenders = {
        str(path.relative_to(CORE_DIR)): sorted(imported_roots(path.read_text("utf-8")) & set(FORBIDDEN))
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_static_check_would_catch_an_offender():
    assert imported_roots("import textual.app\n") == {"textual"}
    assert imported_roots("from aiohttp import web\n") == {"aiohttp"}
    assert "textual" in imported_roots("def f():\n    from textual.widgets import Static\n")
    assert "aiohttp" in imported_roots("import importlib\nimportlib.import_module('aiohttp.web')\n")
    assert imported_roots("from .hub import Hub\n") == set()
