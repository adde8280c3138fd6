"""coprod-tui: a live co-production board for facilitators."""

__version__ = "0.1.0"
