"""Loopback sockets for the broker tests: free ports, probes, and a quiet shutdown."""

import os
import random
import socket
from contextlib import closing, suppress

HOST = "127.0.0.1"
# Below Linux's ephemeral range (32768-60999): a port the OS picked (bind to 0) is one it also
# hands to outgoing connections, so a client connecting meanwhile could hold it before the server
# binds it ("address already in use" once in the power campaign's many restarts).
# `make test` runs in pytest-xdist workers (gw0, gw1, ...): each takes every n-th port, so two
# processes never hand out the same one between the check and the bind.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
LISTEN_PORTS = range(20000 + _WORKER, 32768, _WORKERS)
_handed_out: set[int] = set()
_pick = random.SystemRandom()  # not the global generator: tests seed that one


def free_port() -> int:
    """A loopback port nobody listens on right now, outside the ephemeral range, never handed
    out twice by this process."""
    while True:
        port = _pick.choice(LISTEN_PORTS)
        if port not in _handed_out and port_is_bindable(port) and not port_accepts(port):
            _handed_out.add(port)
            return port


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
