"""gunicorn for the app (suggestions-web.service): `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Listens on 127.0.0.1 only: the nginx site in front terminates TLS and sets X-Forwarded-Proto, and nobody else
can reach gunicorn to forge that header. Every value may be changed from the environment file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: each serves one request at a time and keeps no state of its own (sessions, uploads and
# tasks live in the database and under MEDIA_ROOT), so any number of workers or instances serve the same user.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
# An export or report that outgrows this belongs in the background worker, not in a longer timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at once).
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this machine may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "suggestions"
# gunicornc's control socket: in the unit's RuntimeDirectory= (/run/suggestions, systemd says where in
# $RUNTIME_DIRECTORY), or where GUNICORN_CONTROL_SOCKET says; otherwise none, since gunicorn's own default
# ($HOME/.gunicorn/gunicorn.ctl) would be shared by every instance of the same user.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or (
    os.path.join(os.environ["RUNTIME_DIRECTORY"], "gunicorn.ctl")
    if os.environ.get("RUNTIME_DIRECTORY")
    else ""
)
control_socket_disable = not control_socket
