"""Helpers the tests share: building sessions, driving the app, phones, browsers, tmux."""
