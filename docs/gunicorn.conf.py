"""gunicorn configuration for audionews (see docs/deploy.md).

    gunicorn -c /etc/audionews/gunicorn.conf.py

Settings come from the environment (AUDIONEWS_*, e.g. from systemd's EnvironmentFile); gunicorn's
own can be overridden there too (GUNICORN_BIND, GUNICORN_WORKERS).
"""

import multiprocessing
import os

wsgi_app = "audionews:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Requests are short (pages, feeds, the API); media are best left to nginx.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = 4
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
# Build the app once in the master: the schema is created or migrated once, not by every worker
# at the same moment; each worker then opens its own database connections (post_fork).
preload_app = True
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"


def post_fork(server, worker):
    """Drop the database connections the master opened: a worker must not share them."""
    from audionews.db import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
