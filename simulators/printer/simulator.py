"""``PrinterSimulator``: an ESC/POS network printer (raw TCP, port 9100) in one background thread.

It decodes every connection's byte stream into ``PrintedDocument``s (one per cut), answers status
requests from its settable condition, and draws any document as a PNG.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .decoder import Decoder
from .document import PrintedDocument
from .page import Page
from .render import render_document
from .status import PrinterState, real_time_status, transmit_status

PAPER_80MM_DOTS = 576
POLL_SECONDS = 0.05


@dataclass
class _Connection:
    sock: socket.socket
    decoder: Decoder


class PrinterSimulator:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        paper_dots: int = PAPER_80MM_DOTS,
        on_document: Callable[[int, PrintedDocument], None] | None = None,
    ):
        """``port=0`` picks a free port (see ``start``); ``paper_dots`` 576 is 80 mm, 384 58 mm.
        ``on_document(index, document)`` runs in the simulator's thread after each document."""
        self.host, self.port = host, port
        self.paper_dots = paper_dots
        self._on_document = on_document
        self._state = PrinterState()
        self._documents: list[PrintedDocument] = []
        self._changed = threading.Condition()
        self.status_requests: list[tuple[str, int]] = []
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # lifecycle --------------------------------------------------------------------------------
    def start(self) -> tuple[str, int]:
        listener = socket.create_server((self.host, self.port), reuse_port=False)
        listener.setblocking(False)
        self._listener = listener
        self.host, self.port = listener.getsockname()[:2]
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="printer-simulator", daemon=True)
        self._thread.start()
        return self.host, self.port

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> PrinterSimulator:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # the printer's condition, scriptable from tests -------------------------------------------
    def _set(self, **changes) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(self._state, name, value)

    paper_out = property(lambda self: self._state.paper_out, lambda self, v: self._set(paper_out=v))
    paper_low = property(lambda self: self._state.paper_low, lambda self, v: self._set(paper_low=v))
    offline = property(lambda self: self._state.offline, lambda self, v: self._set(offline=v))
    answers_status = property(
        lambda self: self._state.answers_status, lambda self, v: self._set(answers_status=v)
    )

    # what was printed -------------------------------------------------------------------------
    @property
    def documents(self) -> list[PrintedDocument]:
        with self._changed:
            return list(self._documents)

    def wait_for_documents(self, count: int, timeout: float = 5.0) -> list[PrintedDocument]:
        """The documents once there are at least ``count``; TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._documents) >= count, timeout):
                raise TimeoutError(f"{len(self._documents)} documents, expected {count}")
            return list(self._documents)

    def clear(self) -> None:
        with self._changed:
            self._documents.clear()
            self.status_requests.clear()

    def render_png(self, index: int, path: str | os.PathLike) -> Path:
        image = render_document(self.documents[index], self.paper_dots)
        image.save(path, format="PNG")
        return Path(path)

    # the server -------------------------------------------------------------------------------
    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ, None)
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(POLL_SECONDS):
                    if key.data is None:
                        self._accept(selector)
                    else:
                        self._read(selector, key.data)
        finally:
            for key in list(selector.get_map().values()):
                if key.data is not None:
                    self._close(selector, key.data)
            selector.close()
            self._listener.close()
            self._listener = None

    def _accept(self, selector: selectors.BaseSelector) -> None:
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        sock.settimeout(5)  # replies are a byte or two; never hang the thread on a dead peer
        decoder = Decoder(
            Page(self.paper_dots),
            reply=lambda answer: _send_quietly(sock, answer),
            status=self._status_answer,
            can_print=lambda: self._state.can_print,
        )
        selector.register(sock, selectors.EVENT_READ, _Connection(sock, decoder))

    def _read(self, selector: selectors.BaseSelector, connection: _Connection) -> None:
        try:
            data = connection.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._close(selector, connection)
            return
        for document in connection.decoder.feed(data):
            self._store(document)

    def _close(self, selector: selectors.BaseSelector, connection: _Connection) -> None:
        selector.unregister(connection.sock)
        connection.sock.close()
        document = connection.decoder.finish()
        if document is not None:
            self._store(document)

    def _status_answer(self, kind: str, n: int) -> bytes | None:
        with self._changed:
            self.status_requests.append((kind, n))
            if kind == "dle_eot":
                return real_time_status(self._state, n)
            return transmit_status(self._state, n)

    def _store(self, document: PrintedDocument) -> None:
        with self._changed:
            self._documents.append(document)
            index = len(self._documents) - 1
            self._changed.notify_all()
        if self._on_document is not None:
            self._on_document(index, document)


def _send_quietly(sock: socket.socket, answer: bytes) -> None:
    with contextlib.suppress(OSError):  # the peer is gone; the next recv closes the connection
        sock.sendall(answer)
