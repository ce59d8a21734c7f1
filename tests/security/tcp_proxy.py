"""A TCP proxy in front of PostgreSQL that a test can "stop" and "start" to fake a database outage,
without touching the real server that everyone else is using."""

import socket
import threading

from tests.security.live import free_port


class TcpProxy:
    """Forward 127.0.0.1:<port> to `target`. stop() drops the listener and every open connection
    (the app sees "connection refused" / "server closed the connection"); start() listens again."""

    def __init__(self, target):
        self.target = target
        self.port = free_port()
        self.listener = None
        self.sockets = set()
        self.lock = threading.Lock()

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
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source, destination):
        try:
            while data := source.recv(65536):
                destination.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, destination):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
