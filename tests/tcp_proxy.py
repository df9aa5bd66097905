"""A loopback TCP proxy in front of a broker: the shop's WAN link, which tests can cut.

Used through the `proxy_to` fixture of tests/brokers.py; see RELIABILITY.md §3.5.
"""

from __future__ import annotations

import socket
import threading

from tests.loopback import HOST, shut


class _Pair:
    """One proxied connection: the client's socket and ours to the target."""

    def __init__(self, client: socket.socket, upstream: socket.socket):
        self.client = client
        self.upstream = upstream
        self.silent = False  # bytes are swallowed both ways and nothing is closed
        self.closed = False


class TcpProxy:
    """A loopback TCP proxy in front of `target_port`: the shop's WAN link, which tests can cut.

    `cut()` closes every current connection and closes each new one as soon as it is accepted
    (the client sees the connection drop, then refused attempts); `cut(silent=True)` instead
    stops forwarding bytes, both ways, without closing anything (a dead link: only keepalives
    notice), and holds new connections open without answering. `restore()` forwards again (a
    silent cut's connections are closed then: their streams lost bytes). `close()` ends it all.
    """

    def __init__(self, target_port: int, target_host: str = HOST):
        self.target = (target_host, target_port)
        self.host = HOST
        self._listener = socket.create_server((HOST, 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: set[_Pair] = set()
        self._held: list[socket.socket] = []
        self._mode: str | None = None  # None (forwarding), "close" or "silent"
        self._closed = False
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"mqtt://{HOST}:{self.port}"

    @property
    def is_cut(self) -> bool:
        return self._mode is not None

    @property
    def connections(self) -> int:
        """Connections being forwarded now."""
        with self._lock:
            return sum(1 for pair in self._pairs if not pair.silent)

    @property
    def held(self) -> int:
        """New connections a silent cut holds unanswered: a client that gave up its dead link
        (its keepalive went unanswered) and is trying again."""
        with self._lock:
            return len(self._held)

    def __repr__(self) -> str:
        state = f"cut ({self._mode})" if self._mode else "forwarding"
        return f"<TcpProxy {self.url} -> {self.target[0]}:{self.target[1]} {state}>"

    def cut(self, *, silent: bool = False) -> None:
        with self._lock:
            self._mode = "silent" if silent else "close"
            pairs = list(self._pairs)
            for pair in pairs:
                pair.silent = silent
            held = [] if silent else self._held
            if not silent:
                self._held = []
        if not silent:
            for pair in pairs:
                self._close_pair(pair)
            for sock in held:
                shut(sock)

    def restore(self) -> None:
        with self._lock:
            self._mode = None
            silent = [pair for pair in self._pairs if pair.silent]
            held, self._held = self._held, []
        for pair in silent:
            self._close_pair(pair)
        for sock in held:
            shut(sock)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pairs = list(self._pairs)
            held, self._held = self._held, []
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        shut(self._listener)
        for pair in pairs:
            self._close_pair(pair)
        for sock in held:
            shut(sock)
        self._thread.join(timeout=5)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if self._closed:
                    shut(client)
                    return
                mode = self._mode
                if mode == "silent":
                    self._held.append(client)
                    continue
            if mode == "close":
                shut(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                shut(client)  # the target is down: the client sees it as a refusal
                continue
            pair = _Pair(client, upstream)
            with self._lock:
                forward = self._mode is None and not self._closed
                if forward:
                    self._pairs.add(pair)
            if not forward:  # cut or closed while we were connecting
                shut(client)
                shut(upstream)
                continue
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(pair, src, dst), name="tcp-proxy-pump", daemon=True
                ).start()

    def _pump(self, pair: _Pair, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if not pair.silent:
                    dst.sendall(data)
        except OSError:
            pass
        if not pair.silent:  # a silent cut closes nothing: the other end must not know
            self._close_pair(pair)

    def _close_pair(self, pair: _Pair) -> None:
        with self._lock:
            if pair.closed:
                return
            pair.closed = True
            self._pairs.discard(pair)
        shut(pair.client)
        shut(pair.upstream)
