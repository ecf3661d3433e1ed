"""Where the room's tablets can reach this machine, and the join link as a terminal QR code.

The addresses come from the machine's own interfaces (ifaddr); nothing is sent on the network.
"""

from __future__ import annotations

import ipaddress

ALL_INTERFACES = ("0.0.0.0", "::", "")
LISTEN_HOST_ENV = "QSORT_LISTEN_HOST"
"""Where ``qsort serve --workers N`` tells its worker processes which address it listens on."""


def reachable_hosts(host: str) -> list[str]:
    """The addresses to print for a server listening on ``host``.

    Parameters
    ----------
    host : str
        The address given to ``--host``.

    Returns
    -------
    list of str
        ``host`` itself for one address; for all interfaces, 127.0.0.1 followed by this machine's
        IPv4 network addresses (loopback and link-local left out).
    """
    if host not in ALL_INTERFACES:
        return ["127.0.0.1" if host == "localhost" else host]
    return ["127.0.0.1", *network_addresses()]


def network_addresses() -> list[str]:
    """This machine's IPv4 addresses that other devices can reach, in interface order."""
    import ifaddr

    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not isinstance(ip.ip, str):
                continue
            address = ipaddress.ip_address(ip.ip)
            if address.is_loopback or address.is_link_local or str(address) in found:
                continue
            found.append(str(address))
    return found


def join_qr_text(link: str) -> str:
    """The link as a QR code drawn with block characters, for a phone to scan off the terminal."""
    import io

    import segno

    out = io.StringIO()
    segno.make(link, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue().rstrip("\n")
