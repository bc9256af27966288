"""Settings, read from the environment.

DJANGO_ENV     "development" (the default: make run, the tests) or "production" (an office's server, see
               docs/operations.md): DEBUG is never on, SECRET_KEY and ALLOWED_HOSTS are required, mail goes out
               through SMTP, HTTPS is assumed behind the nginx site (ALLOW_PLAIN_HTTP=1 for an intranet without
               TLS, explicitly), static files are compressed with hashed names (collectstatic first).
DATABASE_URL   default: a SQLite file under var/; postgres://user@host:port/name uses PostgreSQL.
DATABASE_REPLICA_URL  optional: a read replica for the read-only pages (docs/scaling.md).
SECRET_KEY     required unless DEBUG is on.
DEBUG          "1"/"true" turns it on (off by default; refused in production).
ALLOWED_HOSTS  comma-separated host names.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV 只能是 development 或 production，不能是「{DJANGO_ENV}」。")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # No debug page ever: a production server refuses to start rather than show one.
    if env_bool("DEBUG"):
        raise ImproperlyConfigured("生产环境（DJANGO_ENV=production）不能开启 DEBUG：请删除 DEBUG 设置。")
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not os.environ.get(name, "").strip()]
    if missing:
        raise ImproperlyConfigured(
            f"生产环境（DJANGO_ENV=production）缺少环境变量 {'、'.join(missing)}：见 deploy/suggestions.env.example。"
        )

DEBUG = env_bool("DEBUG") and not PRODUCTION
SECRET_KEY = os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-not-secret"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

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
    "axes",
    "accounts",
    "suggestions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "suggestions.middleware.ReadOnlyAdminPagesMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    # last: turns a login refused for too many failures into the login page with its message (accounts/lockout.py)
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # The files collectstatic gathered, served by the app itself (runserver and the tests serve static/ as is).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
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
        # a kept connection is checked before a request uses it: after PostgreSQL restarts, the first request
        # of each worker reconnects instead of failing
        conn_health_checks=True,
    )
}
# A read replica (docs/scaling.md): DATABASE_REPLICA_URL, parsed like DATABASE_URL, adds the alias "replica";
# the router sends the reads of the dashboard, the exports, the handling report and the public portal there
# (suggestions/db_routers.py), everything else to the primary. Under test it mirrors the test database.
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"].strip(),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["suggestions.db_routers.ReplicaRouter"]
# Behind PgBouncer in transaction mode (docs/scaling.md) a server-side cursor (the exports' .iterator()) cannot
# outlive the transaction PgBouncer gives it: DISABLE_SERVER_SIDE_CURSORS=1 makes Django fetch in chunks instead.
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "suggestions:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.NotTheDemoPasswordValidator"},
    {"NAME": "accounts.passwords.NoUsernameInPasswordValidator"},
]

# Lockout after repeated failed logins (django-axes), in every mode: AXES_FAILURE_LIMIT failures for one account
# (from anywhere) or from one address (against any accounts) lock it for AXES_COOLOFF_TIME; the office unlocks
# earlier on 「登录锁定」. Behind a proxy, CLIENT_IP_HEADER names the header carrying the client's address
# (e.g. HTTP_X_REAL_IP, which the nginx site sets); without it every user would share the proxy's address.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the cool-off runs from the lockout, not the last try
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed login kept (axes_accessfailurelog), not only the counts
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
    h for h in (os.environ.get("CLIENT_IP_HEADER", "").strip(), "REMOTE_ADDR") if h
)

# An account whose password the office set chooses its own at its first login (accounts/middleware.py). On in
# production (DJANGO_ENV=production) unless turned off; the demo accounts of seed_demo are never asked.
PASSWORD_CHANGE_ON_FIRST_LOGIN = env_bool(
    "PASSWORD_CHANGE_ON_FIRST_LOGIN", os.environ.get("DJANGO_ENV", "").strip().lower() == "production"
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# The list's filters: an unset one reads 全部, not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = "全部"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Production serves the files collectstatic gathered, through whitenoise: compressed (gzip, and brotli when
# installed), hashed names cached for a year (immutable). make run and the tests read static/ as it is.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads (signed reply letters, the downloads of 「我的下载」, an import waiting for its confirmation) in
# S3-compatible object storage instead of MEDIA_ROOT, for more than one app server (docs/scaling.md):
# STORAGE_S3_BUCKET names the bucket, STORAGE_S3_ENDPOINT_URL the service (MinIO, a government cloud's OSS),
# STORAGE_S3_REGION and STORAGE_S3_PREFIX optional; the keys come from boto3's own environment
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). Needs `pip install "django-storages[s3]"`, imported only then.
if os.environ.get("STORAGE_S3_BUCKET", "").strip():
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            key: value
            for key, value in {
                "bucket_name": os.environ["STORAGE_S3_BUCKET"].strip(),
                "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL", "").strip(),
                "region_name": os.environ.get("STORAGE_S3_REGION", "").strip(),
                "location": os.environ.get("STORAGE_S3_PREFIX", "").strip(),
                "file_overwrite": False,
                # files are served by the app, after its visibility check, never by a link to the bucket
                "querystring_auth": True,
            }.items()
            if value != ""
        },
    }

# Uploaded reply letters live outside static/ and are served only through a view that checks visibility.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "uploads"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The figures' covering index (``Suggestion.Meta.indexes``) carries its columns on PostgreSQL; SQLite builds it
# without them (a plain index), which is all a small county's file needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

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

# Long jobs (suggestions/jobs.py): a job of at most JOBS_INSTANT_ROWS rows (suggestions in an export or report,
# rows of an import) answers at once; a longer one runs as a task with a progress bar, its file kept in
# 「我的下载」 for DOWNLOADS_KEEP_DAYS days after it ends, then pruned (prune_downloads, run by send_reminders).
JOBS_INSTANT_ROWS = int(os.environ.get("JOBS_INSTANT_ROWS", "500"))
DOWNLOADS_KEEP_DAYS = int(os.environ.get("DOWNLOADS_KEEP_DAYS", "7"))

# Mail. Production: SMTP through EMAIL_HOST (default localhost, the server's own relay), EMAIL_PORT, EMAIL_USER,
# EMAIL_PASSWORD, EMAIL_USE_TLS. Development: the console backend prints mail unless EMAIL_HOST is set.
# EMAIL_BACKEND overrides either.
EMAIL_OPTIONS = {
    key: value
    for key, value in {
        "host": os.environ.get("EMAIL_HOST", "localhost" if PRODUCTION else ""),
        "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
        "username": os.environ.get("EMAIL_USER"),
        "password": os.environ.get("EMAIL_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS") or None,
    }.items()
    if value
}
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if EMAIL_OPTIONS.get("host")
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": EMAIL_OPTIONS,
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

# The rules of handling (DOMAIN.md). Regions differ: an office keeps its own in a TOML file named by
# SUGGESTION_RULES_FILE (docs/rules/ holds worked files), read and checked by suggestions/rules.py, which every
# part of the app asks; these are the defaults the file overrides.
SUGGESTION_RULES_FILE = os.environ.get("SUGGESTION_RULES_FILE", "")
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
    # 答复函 (suggestions/reply_letters.py): the publication mark of a reply not for publication (不公开, with its
    # reason): "依申请公开" where such letters are given on request, "不予公开" where they are not; a public reply
    # is always 主动公开.
    "withheld_publication": "依申请公开",
    "remind_days_before": 7,  # 催办: first reminder this many days before a deadline (send_reminders)
    # The report and the notices: 我市/市政府/分管副市长 ("县" for a county, "区" for a district), and the city's
    # name as they write it (立足于霍州发展实际; "" leaves it out).
    "place": "市",
    "city": "",
    # 答复类别: the codes stored with each reply, in the order every table lists them; commitment = true marks the
    # classes whose reply carries a commitment and a target date (落实跟踪).
    "result_classes": [
        {"code": "A", "label": "已解决或采纳"},
        {"code": "B", "label": "正在解决或列入计划解决", "commitment": True},
        {"code": "C", "label": "因条件限制暂时无法解决"},
    ],
    # 承办单位办理工作考核: the points each measured item is worth (suggestions/assessment.py says what each
    # measures); a rules file overrides some of them as a table: [assessment_weights] satisfaction = 40.
    "assessment_weights": {
        "signed_on_time": 10,  # 按时签收: signed for within the reassignment window
        "contacted": 20,  # 答复前沟通: contact with the deputy logged before the reply was accepted
        "replied_on_time": 20,  # 按期答复: replied by the part's deadline
        "returned": 10,  # 答复退回: replies the office returned (fewer is better)
        "satisfaction": 30,  # 代表评价: first-round ratings, 基本满意 counted half
        "commitments_kept": 10,  # 承诺落实: commitments done by their due date
    },
}

# The notices the office hands out (suggestions/notices.py: 交办通知单, 督办通知单). NOTICE_ISSUER, e.g.
# 霍州市人民政府办公室: "" writes it from the rules' city and place (市人民政府办公室). NOTICE_CONTACT, e.g.
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

# --- security headers and cookies, in every mode (docs/operations.md, 生产部署) -----------------------------------
# Scripts only from our own static files: no inline <script>, no onclick=; the JSON a page carries for its
# scripts is <script type="application/json">, which no browser runs. Styles allow inline style attributes
# (the charts and Bootstrap's components set them); nothing is loaded from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A working day idle ends the session: 8 hours, counted again from each request.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the pages send the token from the form or hx-headers, never from the cookie

# HTTPS: the nginx site (deploy/nginx-suggestions.conf) terminates TLS and says so in X-Forwarded-Proto; gunicorn
# listens on 127.0.0.1 only, so no one else can set that header. The session and CSRF cookies travel over HTTPS
# only unless DEBUG (make run on one's own machine) is on. An intranet without TLS must say so:
# ALLOW_PLAIN_HTTP=1 (production) drops the redirect, HSTS and secure cookies; check --deploy then warns, rightly.
ALLOW_PLAIN_HTTP = env_bool("ALLOW_PLAIN_HTTP")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not (DEBUG or ALLOW_PLAIN_HTTP)
if PRODUCTION and not ALLOW_PLAIN_HTTP:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # The header alone changes nothing: a name is preloaded only once submitted to hstspreload.org.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
