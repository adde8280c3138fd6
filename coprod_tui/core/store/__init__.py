"""Where sessions live on disk. Import from the module you need; this package re-exports nothing.

- `file.py`: ONE session file — the atomic, group-committing TinyDB storage (`SessionStorage`), its writer lock,
  and the helpers that write any file atomically (`atomic_write`) or read a session document.
- `folder.py`: the FOLDER of session files (`SessionFolder`) — ids, resolving a prefix, creating and opening a
  session, and the cached listing.
- `trash.py`: the folder's trash (`Trash`) — deleting a session moves its file there, restoring brings it back.
"""
