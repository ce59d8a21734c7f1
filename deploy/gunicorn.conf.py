"""gunicorn's settings for Link Tracker: `gunicorn -c deploy/gunicorn.conf.py linktracker.wsgi:application`
(scripts/run, the README's production set-up). Command-line flags override them.

gthread workers: a slow client (a mobile network, or slowloris sending a header every few seconds)
holds one thread of a worker, not the whole worker, so a handful of them never stall the clicks
(tests/security/test_slow_clients.py). Production still puts a request-buffering reverse proxy in
front (deploy/nginx.conf): it absorbs any number of slow clients and hands gunicorn whole requests.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
# More threads than the slow connections a worker may hold at once; each thread that serves a
# request keeps its own database connection (CONN_MAX_AGE), see README "Production".
threads = int(os.environ.get("GUNICORN_THREADS", 16))
backlog = 2048
timeout = 30
graceful_timeout = 30
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
