"""Which address phones in the room should use to reach this laptop.

Why this way: the address of the interface that would carry traffic to the outside is the one on the room's
network. Connecting a UDP socket only asks the kernel to choose a route and a source address; no packet is sent
(and the destination is TEST-NET-1, 192.0.2.1, reserved for documentation, so nothing would answer anyway). Without
a route (no network at all), fall back to the host name's IPv4 addresses, then to loopback.
"""

from __future__ import annotations

import socket

PROBE = ("192.0.2.1", 9)


def _usable(address: str) -> bool:
    return bool(address) and not address.startswith("127.") and address != "0.0.0.0"


def _routed_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(PROBE)
            address = sock.getsockname()[0]
    except OSError:
        return None
    return address if _usable(address) else None


def _hostname_address() -> str | None:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        address = str(info[4][0])
        if _usable(address):
            return address
    return None


def lan_address() -> str:
    """The laptop's IPv4 address on the local network, or "127.0.0.1" when it has none."""
    return _routed_address() or _hostname_address() or "127.0.0.1"
