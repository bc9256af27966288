"""The app as the server runs it: gunicorn with deploy/gunicorn.conf.py, DJANGO_ENV=production, static files
collected and served by whitenoise, behind (a stand-in for) the nginx site, which sends Host and
X-Forwarded-Proto: https. Two instances on two ports share one PostgreSQL database and one MEDIA_ROOT and keep
nothing of their own: logged in on one is logged in on the other, a reply letter uploaded through one downloads
through the other. And every response carries the production headers; no error shows a debug page.

PostgreSQL only: the servers are other processes and must see the test's committed rows (on SQLite the test
database is in memory). CI runs them in its PostgreSQL pass."""

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from suggestions.models import Reply
from tests.view_helpers import PDF_BYTES, REPLY_FORM

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
HOST = "jyb.test"
PASSWORD = "Server@2025check"
# Ports 8110-8119 (two per pytest-xdist worker).
WORKER = int(re.sub(r"\D", "", os.environ.get("PYTEST_XDIST_WORKER", "gw0")) or 0)
PORTS = (8110 + 2 * WORKER, 8111 + 2 * WORKER)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "两个 gunicorn 进程共用一个数据库：需要 PostgreSQL（DATABASE_URL=postgres://…），SQLite 测试库在内存中"
        )


def server_env(static_root, media_root, port):
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db["PASSWORD"] else user
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {
        **keep,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CONN_MAX_AGE": "0",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "GUNICORN_LOGLEVEL": "warning",
    }


SECRET_KEY = secrets.token_urlsafe(50)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic as the deployment runs it: hashed names and compressed copies, in a directory of our own."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = server_env(root, root.parent / "uploads-unused", 0)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return root


class Browser:
    """One person's browser behind the nginx site: keeps its cookies (whatever the server they came from) and
    sends what nginx sends: Host and X-Forwarded-Proto: https (and Origin on a POST, as browsers do)."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, body=None, headers=None, https=True):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = {"Host": HOST, **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent["Origin"] = f"https://{HOST}"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, port, path, **kwargs):
        return self.request(port, "GET", path, **kwargs)

    def post_form(self, port, path, fields, files=None):
        """A multipart form with the CSRF token, as the page's form posts it."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/pdf\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            port,
            "POST",
            path,
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )

    def login(self, port, username):
        self.get(port, reverse("login"))
        response = self.post_form(port, reverse("login"), {"username": username, "password": PASSWORD})
        assert response.status == 302 and response.headers["Location"] == "/", response.body[:300]
        return response


@pytest.fixture(scope="module")
def servers(django_db_setup, static_root, tmp_path_factory):
    """Two gunicorn instances on two ports, one (the test) database, one MEDIA_ROOT, for the module's tests;
    each test's rows are committed for them and emptied after it (the servers hold no connection between
    requests: CONN_MAX_AGE=0)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "两个 gunicorn 进程共用一个数据库：需要 PostgreSQL（DATABASE_URL=postgres://…），SQLite 测试库在内存中"
        )
    tmp_path = tmp_path_factory.mktemp("servers")
    media = tmp_path / "uploads"
    processes = []
    for port in PORTS:
        processes.append(
            subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py"]
                + ["config.wsgi"],
                cwd=ROOT,
                env=server_env(static_root, media, port),
                stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / f"gunicorn-{port}.log", "wb"),  # noqa: SIM115
            )
        )
    try:
        for port, process in zip(PORTS, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, (tmp_path / f"gunicorn-{port}.log").read_text()
                try:
                    if Browser().get(port, reverse("login")).status == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"gunicorn on {port} did not answer in 30 s"
                time.sleep(0.2)
        yield media
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def server_hash():
    """The servers hash as production does (PBKDF2 at its full cost), not with the suite's fast hasher: hashed
    once for the module."""
    return PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())


@pytest.fixture
def with_server_password(server_hash):
    def give(*users):
        for user in users:
            user.password = server_hash
            user.save(update_fields=["password"])

    return give


def test_logged_in_on_one_instance_is_logged_in_on_the_other(servers, office, with_server_password):
    with_server_password(office)
    one, other = PORTS
    browser = Browser()
    browser.login(one, "office")
    home = browser.get(other, reverse("suggestions:home"))
    assert home.status == 200
    page = home.body.decode()
    assert f"{office.display_name} · {office.get_role_display()}" in page
    assert f'action="{reverse("logout")}"' in page

    # A stranger's browser, on the same instance, is sent to the login page.
    stranger = Browser().get(other, reverse("suggestions:home"))
    assert stranger.status == 302 and stranger.headers["Location"].startswith(reverse("login"))


def test_a_letter_uploaded_through_one_instance_downloads_through_the_other(
    servers, journey, with_server_password
):
    journey.assign().sign()
    with_server_password(journey.clerk, journey.head)
    one, other = PORTS
    clerk = Browser()
    clerk.login(one, journey.clerk.username)
    url = reverse("suggestions:act_on", args=[journey.s.pk, "draft_reply", journey.lead.pk])
    response = clerk.post_form(
        one, url, REPLY_FORM, files={"attachment": ("霍交函〔2025〕12号.pdf", PDF_BYTES)}
    )
    assert response.status == 302, response.body[:500]
    reply = Reply.objects.get()
    assert reply.attachment and (servers / reply.attachment.name).read_bytes() == PDF_BYTES

    letter = reverse("suggestions:reply_attachment", args=[reply.pk])
    downloaded = clerk.get(other, letter)
    assert downloaded.status == 200 and downloaded.body == PDF_BYTES
    assert downloaded.headers["Content-Type"] == "application/pdf"

    head = Browser()  # the unit head, who signs it, logged in on the other instance
    head.login(other, journey.head.username)
    assert head.get(one, letter).body == PDF_BYTES


def cookie_attributes(response, name):
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    raise AssertionError(f"no {name} cookie in {response.headers}")


def test_every_response_carries_the_production_headers_and_secure_cookies(
    servers, office, with_server_password
):
    with_server_password(office)
    port = PORTS[0]
    browser = Browser()

    plain = browser.get(port, reverse("login"), https=False)  # not through TLS: sent to https
    assert plain.status == 301 and plain.headers["Location"] == f"https://{HOST}{reverse('login')}"

    page = browser.get(port, reverse("login"))
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = page.headers["Content-Security-Policy"]
    assert (
        "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    csrf = cookie_attributes(page, "csrftoken")
    assert "secure" in csrf and "httponly" in csrf

    logged_in = browser.login(port, "office")
    session = cookie_attributes(logged_in, "sessionid")
    assert "secure" in session and "httponly" in session and session["max-age"] == "Max-Age=28800"


def test_no_error_ever_shows_a_debug_page(servers, office, with_server_password):
    with_server_password(office)
    port = PORTS[0]
    browser = Browser()
    browser.login(port, "office")
    missing = browser.get(port, "/suggestions/999999999/")
    assert missing.status == 404
    unknown = browser.get(port, "/no-such-page/")
    assert unknown.status == 404
    bad_host = Browser().get(port, reverse("login"), headers={"Host": "attacker.example"})
    assert bad_host.status == 400
    for response in (missing, unknown, bad_host):
        body = response.body.decode("utf-8", "replace")
        assert "Traceback" not in body and "DEBUG = True" not in body and "technical" not in body.lower()
        assert "settings" not in body.lower()


def test_static_files_have_hashed_names_are_compressed_and_cached_for_a_year(
    servers, office, with_server_password
):
    with_server_password(office)
    port = PORTS[0]
    browser = Browser()
    page = browser.get(port, reverse("login")).body.decode()
    hashed = re.search(r'src="(/static/js/page\.[0-9a-f]{12}\.js)"', page)
    assert hashed, "the page names the hashed file"
    script = browser.get(port, hashed.group(1), headers={"Accept-Encoding": "gzip"})
    assert script.status == 200 and script.headers["Content-Encoding"] == "gzip"
    assert (
        "max-age=315360000" in script.headers["Cache-Control"]
        and "immutable" in script.headers["Cache-Control"]
    )
    assert "javascript" in script.headers["Content-Type"]
