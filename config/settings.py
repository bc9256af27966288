"""Settings, read from the environment.

DATABASE_URL   default: a SQLite file under var/; postgres://user@host:port/name uses PostgreSQL.
SECRET_KEY     required unless DEBUG is on.
DEBUG          "1"/"true" turns it on (off by default).
ALLOWED_HOSTS  comma-separated host names.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-not-secret"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "django_tasks_db",
    "accounts",
    "suggestions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "suggestions.context_processors.notifications",
                "suggestions.context_processors.choices",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "suggestions:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# The list's filters: an unset one reads 全部, not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = "全部"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Uploaded reply letters live outside static/ and are served only through a view that checks visibility.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "uploads"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work through Django's tasks API. "database" (the default): tasks wait in the app's own database and
# `python manage.py db_worker` runs them, so an office needs no extra server. "immediate": a task runs at once,
# inside the request that enqueued it (make run, the test suite).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
    }
}

# Set EMAIL_BACKEND / EMAIL_HOST in the environment for a real SMTP relay; the console backend prints mail.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": {"host": os.environ["EMAIL_HOST"]} if os.environ.get("EMAIL_HOST") else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "建议办理系统 <noreply@localhost>")

# Text messages: the class that sends them (suggestions/sms.py). The default writes each message to the log;
# a gateway adapter is a subclass of suggestions.sms.SmsBackend named here, its settings in SMS_OPTIONS.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "suggestions.sms.LoggingSmsBackend")
SMS_OPTIONS = {}
# A failed email or text message is tried again after these waits (seconds), then shown as 发送失败.
DELIVERY_RETRY_DELAYS = [60, 600]
# manage.py requeue_deliveries queues again what is still 待发送 this long (seconds) after its time.
DELIVERY_STALE_AFTER = 900

# The rules of handling (DOMAIN.md). Regions differ: override them here.
SUGGESTION_RULES = {
    "handling_months": 3,  # 办理期限: from the assignment date
    "max_handling_months": 6,  # broad or hard items, with approval
    "opinion_months": 1,  # 协办意见: co-units answer the lead unit within a month
    "reassignment_working_days": 5,  # 申请调整 window after assignment
    "rehandling_months": 1,  # 重新办理 deadline
    "rating_days": 30,  # after this the office may close an unrated reply
    # 不满意: "immediate" sends the suggestion back to the unit at once; "office_confirms" waits for the office,
    # who reads the deputy's comment and starts 重新办理 (or closes it with the rating on record).
    "unsatisfied_rehandling": "immediate",
    "publish_working_days": 20,  # replies published within this many working days
    "remind_days_before": 7,  # 催办: first reminder this many days before a deadline (send_reminders)
}

# The yearly handling report (suggestions/report.py): 我市/市政府/分管副市长; a county sets "县", a district "区".
REPORT_PLACE = "市"
REPORT_CITY = ""  # the city's name as the report writes it (立足于霍州发展实际); "" leaves it out

# The notices the office hands out (suggestions/notices.py: 交办通知单, 督办通知单). NOTICE_ISSUER, e.g.
# 霍州市人民政府办公室: "" writes it from REPORT_CITY and REPORT_PLACE (市人民政府办公室). NOTICE_CONTACT, e.g.
# 督查室 武晓霞 0357-5620000: "" names the office person who issued the notice.
NOTICE_ISSUER = ""
NOTICE_CONTACT = ""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The logging SMS backend's messages are its output: written at INFO whatever LOG_LEVEL says.
    "loggers": {"suggestions.sms": {"level": "INFO"}},
}

# The session and CSRF cookies travel over HTTPS only, unless DEBUG (make run on one's own machine) is on.
# Django's defaults already send nosniff, X-Frame-Options: DENY and HttpOnly session cookies.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
