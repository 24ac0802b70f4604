"""A TCP proxy in front of a registry that can cut connections, to play a registry going away.

``cut(b"PUT /v2/", times=1)`` resets the next connection whose request carries those bytes, as a
registry restarting mid-transfer would; ``down()`` resets every connection until ``up()``.
"""

from __future__ import annotations

import socket
import struct
import threading


def _reset(sock: socket.socket) -> None:
    """Close with an RST, as a process that dies does, not a polite FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FlakyProxy:
    def __init__(self, upstream: str) -> None:
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.lock = threading.Lock()
        self.pattern: bytes | None = None
        self.cuts_left = 0
        self.cuts_made = 0
        self.is_down = False
        threading.Thread(target=self._serve, daemon=True).start()

    def cut(self, pattern: bytes, times: int = 1) -> None:
        with self.lock:
            self.pattern, self.cuts_left = pattern, times

    def down(self) -> None:
        self.is_down = True

    def up(self) -> None:
        self.is_down = False

    def close(self) -> None:
        self.listener.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _peer = self.listener.accept()
            except OSError:
                return
            if self.is_down:
                with self.lock:
                    self.cuts_made += 1
                _reset(client)
                continue
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _should_cut(self, data: bytes) -> bool:
        with self.lock:
            if self.is_down or (self.pattern and self.cuts_left > 0 and self.pattern in data):
                self.cuts_left -= 0 if self.is_down else 1
                self.cuts_made += 1
                return True
        return False

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream)
        except OSError:
            _reset(client)
            return
        threading.Thread(target=self._pump, args=(upstream, client, None), daemon=True).start()
        self._pump(client, upstream, self._should_cut)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket, check) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if check and check(data):
                    _reset(source)
                    _reset(target)
                    return
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
