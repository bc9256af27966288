"""deploy/: the systemd units, gunicorn's configuration, the environment file and the nginx site, checked by the
tools that will read them on the server (``systemd-analyze verify``, ``nginx -t``, ``gunicorn --check-config``)
where this machine has them, and against the app itself: every command a unit runs is a management command,
nginx accepts every upload the app accepts, the environment file names the settings production needs."""

import configparser
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("suggestions-*.*"))
INSTALLED_AT = "/srv/suggestions"  # where docs/operations.md clones the app on the server


def unit(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",))
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def manage_commands(exec_start):
    """The management commands an ExecStart= runs (through the venv's python, or inside sh -c '…')."""
    return re.findall(r"manage\.py\s+([a-z_]+)", exec_start)


def test_deploy_has_the_web_app_the_worker_the_daily_jobs_and_the_requeue_with_their_timers():
    names = {path.name for path in UNITS}
    assert names == {
        "suggestions-web.service",
        "suggestions-worker.service",
        "suggestions-reminders.service",
        "suggestions-reminders.timer",
        "suggestions-backup.service",
        "suggestions-backup.timer",
        "suggestions-requeue.service",
        "suggestions-requeue.timer",
    }
    requeue = unit(DEPLOY / "systemd" / "suggestions-requeue.timer")["Timer"]
    assert requeue["OnUnitActiveSec"] == "15min"  # a delivery whose task was lost waits at most this long
    for timer in ("reminders", "backup"):
        parsed = unit(DEPLOY / "systemd" / f"suggestions-{timer}.timer")
        assert parsed["Timer"]["OnCalendar"].endswith("Asia/Shanghai")
        assert parsed["Timer"]["Persistent"] == "true"
        assert parsed["Install"]["WantedBy"] == "timers.target"


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".service"], ids=lambda p: p.name)
def test_every_service_runs_as_the_app_user_with_the_environment_file_and_a_real_command(path):
    service = unit(path)["Service"]
    assert service["User"] == service["Group"] == "suggestions"
    assert service["WorkingDirectory"] == INSTALLED_AT
    assert service["EnvironmentFile"] == "/etc/suggestions/env"
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    exec_start = service["ExecStart"]
    if path.name == "suggestions-web.service":
        argv = shlex.split(exec_start)
        assert argv[0] == f"{INSTALLED_AT}/.venv/bin/gunicorn"
        assert argv[argv.index("--config") + 1] == "deploy/gunicorn.conf.py"
        assert argv[-1] == "config.wsgi" and (ROOT / "config" / "wsgi.py").exists()
        return
    commands = manage_commands(exec_start)
    assert len(commands) == 1, exec_start
    assert f"{INSTALLED_AT}/.venv/bin/python manage.py {commands[0]}" in exec_start
    if commands[0] == "backup" and "backup" not in get_commands():
        pytest.skip("manage.py backup 由备份与恢复部分（issue 9）提供，合并后此项检查生效")
    assert commands[0] in get_commands(), f"{path.name}: manage.py {commands[0]} 不是管理命令"


def test_the_backup_unit_writes_one_dated_file_a_day_into_the_backup_directory():
    service = unit(DEPLOY / "systemd" / "suggestions-backup.service")["Service"]
    assert "-o /var/backups/suggestions/suggestions-$(date +%%Y-%%m-%%d).backup" in service["ExecStart"]
    assert "/var/backups/suggestions" in service["ReadWritePaths"].split()


@pytest.mark.skipif(
    not shutil.which("systemd-analyze"), reason="未安装 systemd-analyze（apt-get install systemd）"
)
def test_systemd_accepts_every_unit(tmp_path):
    """The units as installed, with this checkout standing for /srv/suggestions (systemd-analyze checks that
    each ExecStart= program exists)."""
    for path in UNITS:
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED_AT, str(ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if "suggestions-" in line]
    assert problems == []


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def site():
    return (DEPLOY / "nginx-suggestions.conf").read_text()


def megabytes(value):
    number, unit_ = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit_.lower()]


def test_nginx_accepts_every_upload_the_app_accepts_and_tells_it_the_request_was_https():
    text = site()
    (body,) = re.findall(r"client_max_body_size\s+(\w+);", text)
    assert settings.UPLOAD_MAX_BYTES < megabytes(body) <= settings.UPLOAD_MAX_BYTES + 2 * 1024 * 1024
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header Host $http_host;" in text
    assert re.search(r"server\s+127\.0\.0\.1:8000;", text)  # gunicorn.conf.py's default bind
    assert re.search(r"listen 80;.*?return 301 https://\$host\$request_uri;", text, re.S)
    assert "listen 443 ssl" in text


@pytest.mark.skipif(NGINX is None, reason="未安装 nginx（apt-get install nginx），跳过 nginx -t")
def test_nginx_accepts_the_site(tmp_path):
    """nginx -t on the site inside a minimal nginx.conf, with a throwaway certificate in place of the office's."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=jyb.test"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    text = site().replace("/etc/ssl/suggestions/fullchain.pem", str(tmp_path / "cert.pem"))
    text = text.replace("/etc/ssl/suggestions/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(text)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_gunicorn_accepts_its_configuration():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--check-config", "-c", "deploy/gunicorn.conf.py"]
        + ["config.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.test_settings"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def gunicorn_settings(**env):
    script = (
        "import runpy, json; c = runpy.run_path('deploy/gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('bind', 'workers', 'control_socket', 'control_socket_disable')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gunicorn_listens_on_localhost_only_and_each_instance_has_its_own_control_socket():
    assert gunicorn_settings()["bind"] == "127.0.0.1:8000"
    # Under systemd: the unit's RuntimeDirectory; by hand: none, not the one $HOME/.gunicorn every instance shares.
    assert (
        gunicorn_settings(RUNTIME_DIRECTORY="/run/suggestions")["control_socket"]
        == "/run/suggestions/gunicorn.ctl"
    )
    assert gunicorn_settings()["control_socket_disable"] is True
    web = unit(DEPLOY / "systemd" / "suggestions-web.service")["Service"]
    assert web["RuntimeDirectory"] == "suggestions"
    chosen = gunicorn_settings(GUNICORN_BIND="127.0.0.1:8110", GUNICORN_WORKERS="3")
    assert (chosen["bind"], chosen["workers"]) == ("127.0.0.1:8110", 3)


def test_the_environment_file_names_every_setting_production_reads():
    text = (DEPLOY / "suggestions.env.example").read_text()
    assigned = dict(re.findall(r"^([A-Z_]+)=(.*)$", text, re.M))
    for name in (
        "DJANGO_ENV",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
        "MEDIA_ROOT",
    ):
        assert assigned.get(name), name
    for name in (
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USER",
        "EMAIL_PASSWORD",
        "EMAIL_USE_TLS",
        "UPLOAD_MAX_BYTES",
    ):
        assert name in assigned, name
    assert assigned["DJANGO_ENV"] == "production"
    assert int(assigned["UPLOAD_MAX_BYTES"]) == settings.UPLOAD_MAX_BYTES
    assert (
        "# ALLOW_PLAIN_HTTP=1" in text and "ALLOW_PLAIN_HTTP" not in assigned
    )  # explicit, never the default
    assert "DEBUG" not in assigned
    # the lockout counts each browser's address, which only the header nginx sets carries behind the proxy
    assert assigned["CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"
    assert "proxy_set_header X-Real-IP $remote_addr;" in (DEPLOY / "nginx-suggestions.conf").read_text()
