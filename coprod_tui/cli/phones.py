"""The phone side of the command line: `coprod open`'s server options, and `coprod qr`.

Kept apart from the other commands so that listing or importing never imports aiohttp: the web package is imported
only by the commands that serve or print join links. A bad option is a `Failure`: one line, exit 1, no board.
"""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path

from coprod_tui.cli.common import EXIT_OK, Failure
from coprod_tui.core.errors import SessionBusy
from coprod_tui.core.hub import Hub, open_session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.core.store.file import atomic_write

DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 8765


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on for phones (default: every network of this computer)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port for phones (default {DEFAULT_PORT})")
    parser.add_argument("--public-url", metavar="URL", default=None,
                        help="the address phones should use, when it differs (hotspot, reverse proxy); "
                             "e.g. http://192.168.43.1:8765")


def check_options(args: argparse.Namespace, *, bind: bool = True) -> None:
    """Refuse a bad port or URL, and (with `bind`) a port already taken, before the board starts: one clear line,
    no TUI."""
    if not 0 < args.port < 65536:
        raise Failure(f"--port must be between 1 and 65535, not {args.port}.")
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        raise Failure("--public-url must start with http:// or https://.")
    if not bind:
        return
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            from coprod_tui.web.server import bind_error

            raise Failure(str(bind_error(exc, args.host, args.port))) from None
        except OverflowError:
            raise Failure(f"--port must be between 1 and 65535, not {args.port}.") from None


def phone_starter(args: argparse.Namespace):
    """The app calls this with the live hub once the board is open; it returns the running phone server."""
    from coprod_tui.web.server import start_phone_server

    async def start(hub: Hub):
        return await start_phone_server(hub, host=args.host, port=args.port, public_url=args.public_url)

    return start


def join_codes_for(hub: Hub, base: str) -> list[dict]:
    """(label, group, url) for everyone and each group; tokens are made if the session has none yet."""
    from coprod_tui.web.server import join_urls

    if hub.read_only:  # the board holds the session: use the tokens it already made
        tokens = hub.session.meta.tokens
        urls = {key: f"{base}/j/{token}" for key, token in tokens.items()}
    else:
        urls = join_urls(hub, base)
    codes = [{"label": "Everyone (choose your group)", "group": None, "url": urls.get("all")}]
    codes += [{"label": g.name, "group": g.id, "url": urls.get(str(g.id))} for g in hub.session.groups.values()]
    return [c for c in codes if c["url"]]


def cmd_qr(args: argparse.Namespace, folder: SessionFolder) -> int:
    """`coprod qr ID [--json] [--sheet FILE.html]`: the join links, as text, JSON or a printable page."""
    from coprod_tui.export.sheet import qr_sheet_html
    from coprod_tui.web.server import base_url

    check_options(args, bind=False)
    session_id = folder.resolve(args.id)
    try:
        hub = open_session(folder, session_id)
    except SessionBusy:
        hub = open_session(folder, session_id, read_only=True)
    try:
        codes = join_codes_for(hub, base_url(args.host, args.port, args.public_url))
        title, question = hub.session.meta.title, hub.session.meta.question
    finally:
        hub.close()
    if not codes:
        raise Failure("this session has no join links yet: open its board once (coprod open ID).")
    if args.sheet:
        html = qr_sheet_html(title, question, [(c["label"], c["url"]) for c in codes])
        try:
            atomic_write(Path(args.sheet), html.encode("utf-8"))
        except OSError as exc:
            raise Failure(f"can't write {args.sheet}: {exc.strerror or exc}") from None
    if args.json:
        print(json.dumps(codes, ensure_ascii=False, indent=2))
    else:
        for code in codes:
            print(f"{code['label']}: {code['url']}")
        if args.sheet:
            print(f"Printable sheet: {args.sheet} ({len(codes)} pages, A4)")
    return EXIT_OK
