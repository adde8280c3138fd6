"""Looking back: home (every past session), search across sessions, replay, compare and the trash."""
