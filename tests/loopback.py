"""Loopback sockets for the broker tests: free ports, probes, and a quiet shutdown."""

import socket
from contextlib import closing, suppress

HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with closing(socket.socket()) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_is_bindable(port: int) -> bool:
    """True if a listener could bind this port now (SO_REUSEADDR, as mosquitto binds it)."""
    with closing(socket.socket()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def shut(sock: socket.socket) -> None:
    """Shut down and close, ignoring a socket that is already gone."""
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()
