"""Slow clients (slowloris: 8 connections sending one header line every 5 s) never stall the clicks:
neither with the shipped gunicorn settings alone (deploy/gunicorn.conf.py: gthread workers) nor behind the shipped nginx
configuration (deploy/nginx.conf), which buffers requests before gunicorn sees them. Live servers
on 127.0.0.1, every loop bounded in count and time."""

import re
import socket
import subprocess
import threading
import time

import pytest

from tests.factories import make_link
from tests.security.live import PROJECT_DIR, Gunicorn, click, free_port

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_CONNECTIONS = 8
HEADER_INTERVAL_SECONDS = 5
ATTACK_SECONDS = 12


class Slowloris:
    """SLOW_CONNECTIONS connections to 127.0.0.1:`port`, each sending a request line and then one
    header every HEADER_INTERVAL_SECONDS, never finishing its headers."""

    def __init__(self, port):
        self.port = port
        self.sockets = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.drip)

    def __enter__(self):
        for _ in range(SLOW_CONNECTIONS):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(b"GET /t/slowloris HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.thread.start()
        return self

    def drip(self):
        for line in range(100):
            if self.stopping.wait(HEADER_INTERVAL_SECONDS):
                return
            for sock in self.sockets:
                try:
                    sock.sendall(f"X-Slow-{line}: 1\r\n".encode())
                except OSError:
                    pass

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()


def clicks_during_the_attack(base_url, token, attack_port):
    """Click every 0.25 s for ATTACK_SECONDS while the slow clients hold their connections; return
    [(status, seconds)]."""
    results = []
    with Slowloris(attack_port):
        time.sleep(0.5)  # the slow connections are in
        deadline = time.monotonic() + ATTACK_SECONDS
        while time.monotonic() < deadline and len(results) < 200:
            started = time.monotonic()
            results.append((click(base_url, token, timeout=20), time.monotonic() - started))
            time.sleep(0.25)
    return results


def warm_up(base_url, token, requests=6):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=requests) as pool:
        assert set(pool.map(lambda _: click(base_url, token), range(requests))) == {302}


def test_the_shipped_gunicorn_settings_survive_slowloris():
    """deploy/gunicorn.conf.py alone (2 gthread workers): clicks keep answering in under a second."""
    link = make_link()
    with Gunicorn(workers=2, shipped_settings=True) as server:
        warm_up(server.url, link.token)
        results = clicks_during_the_attack(server.url, link.token, server.port)
    assert {status for status, _ in results} == {302}
    assert len(results) >= 20
    assert max(seconds for _, seconds in results) < 1.0, results


def test_the_shipped_nginx_configuration_absorbs_slowloris(tmp_path):
    """deploy/nginx.conf in front of 2 plain sync workers (which alone would stall): clicks through
    nginx keep answering in under a second, with the client address passed on."""
    link = make_link()
    with Gunicorn(workers=2, extra_env={"TRUSTED_PROXY_HEADER": "X-Forwarded-For"}) as server:
        nginx_port = free_port()
        config = (PROJECT_DIR / "deploy" / "nginx.conf").read_text()
        config = config.replace("listen 80;", f"listen 127.0.0.1:{nginx_port};")
        config = config.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{server.port};")
        config = re.sub(r"^pid .*;$", f"pid {tmp_path}/nginx.pid;", config, flags=re.MULTILINE)
        config = re.sub(r"^error_log .*;$", f"error_log {tmp_path}/error.log warn;", config, flags=re.MULTILINE)
        config = config.replace("worker_processes auto;", "worker_processes 1;")
        (tmp_path / "nginx.conf").write_text(config)
        nginx = subprocess.Popen(
            ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            proxy_url = f"http://127.0.0.1:{nginx_port}"
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", nginx_port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.1)
            warm_up(proxy_url, link.token)
            results = clicks_during_the_attack(proxy_url, link.token, nginx_port)
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    assert {status for status, _ in results} == {302}
    assert len(results) >= 20
    assert max(seconds for _, seconds in results) < 1.0, results
    assert set(link.clicks.values_list("ip", flat=True)) == {"127.0.0.0"}
