"""
Settings shared by every environment.

Every value comes from the environment. The defaults are the safe local ones:
with no environment at all the site runs on a SQLite file in the project folder and
prints e-mails to the console; `make run` also sets DEBUG, so that it serves its own
static files and explains errors. No transaction spans a request: writes that stand or
fall together take a short `transaction.atomic()` of their own, since behind RDS Proxy
an open transaction holds a server connection that every other visitor waits for.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "todo_site.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "accounts",
    "todos",
]

MIDDLEWARE = [
    # On Lambda, what the request logs carries the invocation's id (todo_site/logs.py).
    "todo_site.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compresses what it sends for browsers that accept gzip: a todo page of 14 KB leaves as 2 KB.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "todo_site.middleware.Utf8FormBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of each page: the visitor's choice (the footer's switch, kept in a cookie), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "todo_site.urls"
WSGI_APPLICATION = "todo_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "todo_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# On Lambda the site reaches PostgreSQL through RDS Proxy, a transaction pooler: each transaction may
# run on another server connection, so nothing may outlive one. Server-side cursors (QuerySet.iterator())
# would; the site never streams large results, so it does without them everywhere.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "todos:list"
LOGOUT_REDIRECT_URL = "home"

# What accounts/throttle.py counts, and how many within how many seconds it lets through. The README's
# Security section gives the reason for each number.
MINUTE, HOUR, DAY = 60, 60 * 60, 24 * 60 * 60
THROTTLES = {
    # Failed log-ins to one account from one client address (an IPv6 /64) without the account's device cookie.
    "login_account_address": {"limit": 5, "seconds": 15 * MINUTE},
    # Failed log-ins from one client address to any accounts (password spraying).
    "login_address": {"limit": 100, "seconds": HOUR},
    # Failed log-ins to one account from anywhere without its device cookie: then only browsers that bring one
    # log in, for a day, and the owner is told by e-mail.
    "login_account": {"limit": 100, "seconds": DAY},
    # Failed log-ins from one browser with the account's device cookie: counted there and nowhere else.
    "login_device": {"limit": 10, "seconds": 15 * MINUTE},
    # Sign-ups from one client address with an address that has an account already; past it, every sign-up.
    "signup_taken": {"limit": 5, "seconds": HOUR},
    # New accounts from one client address.
    "signup": {"limit": 20, "seconds": HOUR},
    # Password-reset e-mails to one account, and password-reset requests from one client address.
    "password_reset_account": {"limit": 3, "seconds": HOUR},
    "password_reset_address": {"limit": 10, "seconds": HOUR},
    # Wrong current passwords for one account on the password change and account deletion pages; then the
    # session is signed out.
    "password_check": {"limit": 5, "seconds": 15 * MINUTE},
}
# A browser that logs in to an account keeps a signed cookie naming it for this long (see accounts/devices.py).
LOGIN_DEVICE_COOKIE_AGE = 365 * DAY

# What one user may keep, and what one answer may carry: each keeps every answer far inside Lambda's 6 MB
# response limit and 29 s timeout (the README's "Limits" says why each number).
TODO_LISTS_PER_USER = 100
TODOS_PER_USER = 10_000
TODO_PAGE_SIZE = 500
TODO_IMPORT_MAX_BYTES = 1_000_000
# The largest body a view answers with: Lambda refuses a response over 6 MB (6,291,556 bytes), headers and the
# event's envelope included.
RESPONSE_MAX_BYTES = 5_500_000

# Argon2id first, at OWASP's parameters (see accounts/hashers.py); PBKDF2 hashes made before still verify, and
# Django rehashes each with Argon2id at its owner's next log-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = env("STATIC_URL", default="static/")
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "todo_site" / "static"]


def static_sources(static_url):
    """CSP sources for static files: the site itself, and the origin of an absolute STATIC_URL.

    https://d111.cloudfront.net/static/ adds https://d111.cloudfront.net; a relative URL adds nothing.
    """
    parts = urlsplit(static_url)
    if not parts.netloc:
        return [CSP.SELF]
    return [CSP.SELF, f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc]


def content_security_policy(static_url):
    """The site's Content-Security-Policy: its own pages, scripts and styles only, nothing inline."""
    static = static_sources(static_url)
    return {
        "default-src": [CSP.SELF],
        "script-src": static,
        "style-src": static,
        "img-src": [*static, "data:"],
        "font-src": static,
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }


# Security headers on every response, in every environment (HSTS and secure cookies: production).
SECURE_CSP = content_security_policy(STATIC_URL)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "todo_site.views.csrf_failure"


def mailer(url):
    """A MAILERS entry from an e-mail URL: consolemail://, smtp+tls://user:password@host:587, ..."""
    config = env.email_url_config(url)
    entry = {"BACKEND": config["EMAIL_BACKEND"]}
    if entry["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        entry["OPTIONS"] = {
            "host": config["EMAIL_HOST"],
            "port": config["EMAIL_PORT"],
            "username": config["EMAIL_HOST_USER"],
            "password": config["EMAIL_HOST_PASSWORD"],
            "use_tls": config.get("EMAIL_USE_TLS", False),
            "use_ssl": config.get("EMAIL_USE_SSL", False),
            "timeout": 10,
        }
    return entry


# Every e-mail leaves through an asynchronous task (accounts/mail.py). Locally they are printed to the console;
# the Lambda stages send through SES's API (settings/production.py).
MAILERS = {"default": mailer(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="todo@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# E-mails handed to the mail service in one second, by every instance together: SES's sending rate on a new
# production account (`aws sesv2 get-account` shows yours).
EMAIL_SEND_RATE = env.int("EMAIL_SEND_RATE", default=14)
if EMAIL_SEND_RATE < 1:
    raise ImproperlyConfigured("EMAIL_SEND_RATE must be at least 1 (e-mails a second).")
# Where the links of e-mails sent outside a request (the daily digest) lead: the site's address, with its stage.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000/")

# The daily digest (todos/digest.py): the senders that share EMAIL_SEND_RATE at once (two keep 14 a second
# busy while each waits about 100 ms for SES's answer), how long one sends before it hands the rest on (its
# function's timeout is 30 s), and the todos one e-mail lists.
DIGEST_WORKERS = env.int("DIGEST_WORKERS", default=2)
DIGEST_WORKER_SECONDS = 20
# Users one batch names: its event, about 22 bytes each, stays far inside Lambda's 256 KB for asynchronous events.
DIGEST_BATCH_SIZE = 5000
DIGEST_MAX_TODOS = 50
# Sends of one user's digest of a day that SES may refuse (or that never leave) before it is given up.
DIGEST_ATTEMPTS = 3
