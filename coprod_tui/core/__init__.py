"""The core: the session model, the one change path (commands -> handlers -> hub -> store) and what is read from a
session. Pure Python: it imports neither Textual nor aiohttp, so every front end (board, phones, exports, CLI) and
every test can use it alone (an import-linter contract in pyproject.toml and tests/contracts hold this).
"""
