"""A TCP proxy in front of PostgreSQL that a test can "stop" and "start" to fake a database outage,
without touching the real server that everyone else is using."""

import socket
import threading

from tests.security.live import free_port


class TcpProxy:
    """Forward 127.0.0.1:<port> to `target`. stop() drops the listener and every open connection
    (the app sees "connection refused" / "server closed the connection"); start() listens again.
    hang() makes the database silent without refusing anything (connections accepted, bytes
    swallowed, nothing answered) until resume(). With `max_connections`, connections beyond that
    many open ones are closed at once, as a PostgreSQL out of connection slots does."""

    def __init__(self, target, max_connections=None):
        self.target = target
        self.port = free_port()
        self.listener = None
        self.sockets = set()
        self.lock = threading.Lock()
        self.hanging = False
        self.silenced = set()
        self.max_connections = max_connections
        self.open_pairs = 0
        self.refused = 0

    def hang(self):
        self.hanging = True

    def resume(self):
        """Answer again; the connections that saw the silence are closed (their protocol state is lost)."""
        self.hanging = False
        with self.lock:
            for sock in self.silenced:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.silenced.clear()

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self):
        # shutdown() first: a bare close() leaves the thread blocked in accept() still listening.
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the listener was closed by stop()
                return
            if self.hanging:
                with self.lock:
                    self.sockets.add(client)
                    self.silenced.add(client)
                continue
            with self.lock:
                full = self.max_connections is not None and self.open_pairs >= self.max_connections
                if full:
                    self.refused += 1
                else:
                    self.open_pairs += 1
            if full:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                with self.lock:
                    self.open_pairs -= 1
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source, destination, counts_the_pair=False):
        try:
            while data := source.recv(65536):
                if self.hanging:
                    with self.lock:
                        self.silenced.update((source, destination))
                    continue
                destination.sendall(data)
        except OSError:
            pass
        finally:
            if counts_the_pair:
                with self.lock:
                    self.open_pairs -= 1
            for sock in (source, destination):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
