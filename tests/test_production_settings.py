"""DJANGO_ENV=production, as the server starts it (a fresh Python process with only the environment): it refuses
to start without what it needs or with DEBUG on, reads everything else from the environment, and passes
``check --deploy --fail-level WARNING`` with nothing to report. An intranet without TLS is an explicit setting,
and check --deploy then says what it costs."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOST = "jyb.example.gov.cn"


def production_env(**extra):
    """A production environment and nothing else of this process's: no DEBUG, no test settings."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH"}}
    return {
        **keep,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        **extra,
    }


def manage(*args, env):
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


SHOW = """
import json
from django.conf import settings
mailer = settings.MAILERS["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG, "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS, "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "STATIC_ROOT": str(settings.STATIC_ROOT), "database": settings.DATABASES["default"]["NAME"],
    "engine": settings.DATABASES["default"]["ENGINE"], "mail": mailer["BACKEND"], "mail_options": mailer["OPTIONS"],
    "storage": settings.STORAGES["staticfiles"]["BACKEND"], "middleware": settings.MIDDLEWARE,
    "hsts": settings.SECURE_HSTS_SECONDS, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "proxy": list(settings.SECURE_PROXY_SSL_HEADER or ()), "cookies_secure": [settings.SESSION_COOKIE_SECURE,
    settings.CSRF_COOKIE_SECURE], "csp_script": settings.SECURE_CSP["script-src"],
}))
"""


def production_settings(**extra):
    result = manage("shell", "-c", SHOW, env=production_env(**extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_nothing_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": " "}, "SECRET_KEY、ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_its_secret_or_its_host_names(unset, named):
    result = manage("check", env=production_env(**unset))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"生产环境（DJANGO_ENV=production）缺少环境变量 {named}：" in result.stderr


def test_production_never_runs_with_debug_on():
    result = manage("check", env=production_env(DEBUG="1"))
    assert result.returncode != 0
    assert "生产环境（DJANGO_ENV=production）不能开启 DEBUG" in result.stderr


def test_an_unknown_environment_name_is_refused():
    result = manage("check", env=production_env(DJANGO_ENV="prod"))
    assert result.returncode != 0 and "DJANGO_ENV 只能是 development 或 production" in result.stderr


def test_production_reads_the_database_mail_files_and_origins_from_the_environment(tmp_path):
    shown = production_settings(
        DATABASE_URL="postgres://suggestions@db.example:5432/jianyi",
        EMAIL_HOST="smtp.example.gov.cn",
        EMAIL_PORT="587",
        EMAIL_USER="jyb",
        EMAIL_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
        MEDIA_ROOT=str(tmp_path / "uploads"),
        STATIC_ROOT=str(tmp_path / "static"),
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        ALLOWED_HOSTS=f"{HOST}, 10.0.0.5",
    )
    assert shown["DEBUG"] is False
    assert shown["ALLOWED_HOSTS"] == [HOST, "10.0.0.5"]
    assert shown["CSRF_TRUSTED_ORIGINS"] == [f"https://{HOST}"]
    assert shown["engine"] == "django.db.backends.postgresql" and shown["database"] == "jianyi"
    assert shown["mail"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["mail_options"] == {
        "host": "smtp.example.gov.cn",
        "port": 587,
        "username": "jyb",
        "password": "s3cret",
        "use_tls": True,
    }
    assert shown["MEDIA_ROOT"] == str(tmp_path / "uploads")
    assert shown["STATIC_ROOT"] == str(tmp_path / "static")


def test_production_mails_through_smtp_on_localhost_when_no_relay_is_named():
    shown = production_settings()
    assert shown["mail"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["mail_options"] == {"host": "localhost"}


def test_production_serves_hashed_compressed_static_files_and_trusts_only_the_proxys_https():
    shown = production_settings()
    assert shown["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    middleware = shown["middleware"]
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in middleware
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert shown["hsts"] >= 365 * 24 * 60 * 60 and shown["ssl_redirect"] is True
    assert shown["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["cookies_secure"] == [True, True]
    assert shown["csp_script"] == ["'self'"]


def test_plain_http_on_an_intranet_is_explicit_and_check_deploy_says_what_it_costs():
    shown = production_settings(ALLOW_PLAIN_HTTP="1")
    assert shown["hsts"] == 0 and shown["ssl_redirect"] is False and shown["cookies_secure"] == [False, False]
    assert shown["csp_script"] == ["'self'"]  # the policy stays

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(ALLOW_PLAIN_HTTP="1"))
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_make_run_keeps_debug_the_console_mail_and_static_as_it_is():
    env = {
        k: v for k, v in production_env().items() if k not in {"DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    result = manage("shell", "-c", SHOW, env={**env, "DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["DEBUG"] is True and shown["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert shown["mail"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["storage"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert shown["cookies_secure"] == [False, False] and shown["hsts"] == 0
    assert shown["csp_script"] == ["'self'"]  # the policy is on in every mode


SHOW_SCALING = """
import json
from django.conf import settings
print(json.dumps({
    "aliases": sorted(settings.DATABASES), "routers": getattr(settings, "DATABASE_ROUTERS", []),
    "replica": {k: settings.DATABASES.get("replica", {}).get(k) for k in ("HOST", "PORT", "NAME")},
    "replica_mirrors": settings.DATABASES.get("replica", {}).get("TEST", {}).get("MIRROR"),
    "server_side_cursors_off": {a: d.get("DISABLE_SERVER_SIDE_CURSORS") for a, d in settings.DATABASES.items()},
    "conn_max_age": {a: d.get("CONN_MAX_AGE") for a, d in settings.DATABASES.items()},
    "default_storage": settings.STORAGES["default"],
}))
"""


def scaling_settings(**extra):
    result = manage("shell", "-c", SHOW_SCALING, env=production_env(**extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_one_database_and_files_under_media_root_unless_told_otherwise():
    shown = scaling_settings(DATABASE_URL="postgres://app@db.internal:5432/suggestions")
    assert shown["aliases"] == ["default"] and shown["routers"] == []
    assert shown["server_side_cursors_off"] == {"default": False}
    assert shown["default_storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_replica_pgbouncer_and_a_bucket_are_settings_only():
    """docs/scaling.md: a read replica, PgBouncer in transaction mode and S3-compatible storage, from the
    environment; django-storages is imported only when the bucket is used, so it need not be installed here."""
    shown = scaling_settings(
        DATABASE_URL="postgres://app@pgbouncer.internal:6432/suggestions",
        DATABASE_REPLICA_URL="postgres://app@replica.internal:6432/suggestions",
        DISABLE_SERVER_SIDE_CURSORS="1",
        CONN_MAX_AGE="0",
        STORAGE_S3_BUCKET="suggestions-uploads",
        STORAGE_S3_ENDPOINT_URL="https://oss.gov.example.cn",
    )
    assert shown["aliases"] == ["default", "replica"]
    assert shown["routers"] == ["suggestions.db_routers.ReplicaRouter"]
    assert shown["replica"] == {"HOST": "replica.internal", "PORT": 6432, "NAME": "suggestions"}
    assert shown["replica_mirrors"] == "default"  # under test, the replica alias reads the test database
    assert shown["server_side_cursors_off"] == {"default": True, "replica": True}
    assert shown["conn_max_age"] == {"default": 0, "replica": 0}
    assert shown["default_storage"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "suggestions-uploads",
            "endpoint_url": "https://oss.gov.example.cn",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
