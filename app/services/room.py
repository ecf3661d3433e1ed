"""Where the room's tablets reach the app: the address put in join links and QR codes.

A facilitator often opens the board on the laptop that runs ``qsort serve``, at
``http://127.0.0.1:8000``; a link to that address means nothing to a tablet. When the app was
started listening on every interface (``qsort serve --host 0.0.0.0``), a request that came in
through the loopback address is given this machine's first network address instead (the same
one ``qsort serve`` prints). Otherwise the address the request came in on is the right one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from app.cli.network import ALL_INTERFACES


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def room_base_url(
    base_url: str, listen_host: str | None, addresses: Callable[[], list[str]] | None = None
) -> str:
    """The base URL for join links, given the request's ``base_url`` and the listening host.

    ``addresses`` lists this machine's network addresses (default:
    :func:`app.cli.network.network_addresses`); it is asked only when needed.
    """
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if listen_host not in ALL_INTERFACES or not _loopback(host):
        return base_url
    if addresses is None:
        from app.cli.network import network_addresses

        addresses = network_addresses
    found = addresses()
    if not found:
        return base_url
    address = f"[{found[0]}]" if ":" in found[0] else found[0]
    netloc = address if parts.port is None else f"{address}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
