"""The journey tests are all `slow`: each runs the real app, a browser, tmux or a killed process for seconds.

Which of them start Chromium (`browser`) or drive tmux (`tmux`) follows from their fixtures (tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A hook of a folder's conftest sees the whole session's items: only this folder's are marked.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker("slow")
