"""TCP proxies in front of PostgreSQL that the tests can break and restore.

``TcpProxy.cut`` resets every open connection and refuses new ones, which is what
the application sees while its database server restarts. ``StallingProxy.stall``
goes silent instead: open connections stay open and pass nothing, as behind a
network black hole.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self, port: int = 0) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
            listener.listen(64)
        except OSError:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self.port

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut while we were connecting
                    client.close()
                    upstream.close()
                    return
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
                with self._lock:
                    self._conns.discard(s)

    def cut(self) -> None:
        """The server goes away: connections reset, new ones refused."""
        with self._lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            conns, self._conns = list(self._conns), set()
        for s in conns:
            # shutdown wakes the pipe threads blocked in recv; they close the sockets.
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        """The server is back on the same port."""
        self.start(self.port)

    def stop(self) -> None:
        self.cut()


class StallingProxy(TcpProxy):
    """A TCP proxy that can go silent instead of resetting.

    ``stall()`` stops passing data on every open connection without closing it
    (a network black hole, as a firewall, a failover or a VM migration gives: the
    application's sockets stay open and nothing comes back) and, for
    ``new_for`` seconds, refuses new connections (``new="refuse"``) or accepts
    them and never answers (``new="blackhole"``). After that, new connections are
    passed through again; the stalled ones stay silent until ``thaw()``.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__(target_host, target_port)
        self._generation = 0  # connections opened before a stall belong to an older one
        self._frozen_before = -1
        self._thawed = threading.Event()
        self._thawed.set()
        self._blackhole_until = 0.0
        self._timers: list[threading.Timer] = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            while time.monotonic() < self._blackhole_until:
                # Accepted, then never answered: the client's connect timeout must act.
                time.sleep(0.05)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._conns.update((client, upstream))
                generation = self._generation
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe_stallable, args=(a, b, generation), daemon=True
                ).start()

    def _frozen(self, generation: int) -> bool:
        return generation <= self._frozen_before and not self._thawed.is_set()

    def _pipe_stallable(self, source: socket.socket, sink: socket.socket, generation: int):
        try:
            while True:
                while self._frozen(generation):
                    self._thawed.wait(0.1)
                data = source.recv(65536)
                if not data:
                    break
                # Data read just as the stall began is held back, not lost.
                while self._frozen(generation):
                    self._thawed.wait(0.1)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
                with self._lock:
                    self._conns.discard(s)

    def stall(self, new: str = "refuse", new_for: float = 1.0) -> None:
        with self._lock:
            self._thawed.clear()
            self._frozen_before = self._generation
            self._generation += 1
        if new == "blackhole":
            self._blackhole_until = time.monotonic() + new_for
            return
        with self._lock:
            if self._listener is not None:
                # shutdown wakes the thread blocked in accept(); close alone would
                # leave the socket listening until that call returns.
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
        timer = threading.Timer(new_for, self.start, args=(self.port,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def thaw(self) -> None:
        """The stalled connections pass data again (what was held back arrives)."""
        self._thawed.set()

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._blackhole_until = 0.0
        self.cut()
        self._thawed.set()
