"""`coprod delete`, `coprod trash` and `coprod restore`: sessions go to a trash folder and can come back.

Deleting asks no question on the command line because nothing is lost: the file is moved, byte for byte, to
`.trash/` inside the sessions folder, and the command prints how to bring it back.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from coprod_tui.cli.common import EXIT_OK, PROG
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.core.store.trash import TRASH_NAME, Trash, TrashedSession
from coprod_tui.core.wording import one_line, plural

AddParser = Callable[..., argparse.ArgumentParser]


def add_trash_parsers(add: AddParser) -> None:
    p = add("delete", f"move a session to the trash ({TRASH_NAME}/ in the sessions folder); restorable")
    p.add_argument("id", metavar="ID", help="session id (or a prefix naming exactly one session)")
    p = add("trash", "list the sessions in the trash, most recently deleted first")
    p.add_argument("--json", action="store_true", help="print JSON (an array of objects) for scripts")
    p = add("restore", "bring a session back from the trash")
    p.add_argument("name", metavar="NAME", help="its name in the trash, as `coprod trash` shows it")


def cmd_delete(args: argparse.Namespace, folder: SessionFolder) -> int:
    entry = Trash(folder).delete(args.id)
    print(f'Moved "{one_line(entry.title)}" ({entry.id}) to the trash. '
          f"Bring it back with: {PROG} restore {entry.name}")
    return EXIT_OK


def cmd_trash(args: argparse.Namespace, folder: SessionFolder) -> int:
    entries = Trash(folder).list()
    if args.json:
        print(json.dumps([trash_json(e) for e in entries], indent=2))
        return EXIT_OK
    if not entries:
        print(f"The trash of {folder.folder} is empty.")
        return EXIT_OK
    width = max(len(e.name) for e in entries)
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.deleted))
        what = f"unreadable: {one_line(e.error)}" if e.error else f"{plural(e.cards, 'note'):>10}  {one_line(e.title)}"
        print(f"{e.name:<{width}}  deleted {when}  {what}")
    return EXIT_OK


def trash_json(e: TrashedSession) -> dict:
    return {"name": e.name, "id": e.id, "title": e.title, "cards": e.cards,
            "deleted": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(e.deleted)), "error": e.error}


def cmd_restore(args: argparse.Namespace, folder: SessionFolder) -> int:
    session_id = Trash(folder).restore(args.name)
    print(f"Restored {session_id}. Open it with: {PROG} open {session_id}")
    return EXIT_OK


TRASH_COMMANDS = {"delete": cmd_delete, "trash": cmd_trash, "restore": cmd_restore}
