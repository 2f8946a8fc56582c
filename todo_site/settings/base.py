"""
Settings shared by every environment.

Every value comes from the environment. The defaults are the safe local ones:
with no environment at all the site runs in debug mode on a SQLite file in the
project folder, serves its own static files and prints e-mails to the console.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "accounts",
    "todos",
]

MIDDLEWARE = [
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
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# On Lambda the site reaches PostgreSQL through RDS Proxy, a transaction pooler: each transaction may
# run on another server connection, so nothing may outlive one. Server-side cursors (QuerySet.iterator())
# would; the site never streams large results, so it does without them everywhere.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "todos:list"
LOGOUT_REDIRECT_URL = "home"

# Log-in throttling (accounts/throttle.py): this many failed log-ins for one account from one client address
# within LOGIN_LOCKOUT_SECONDS refuse that address for a while; LOGIN_DAILY_FAILURE_LIMIT failures for one
# account from anywhere within a day lock it until its password is reset.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
LOGIN_DAILY_FAILURE_LIMIT = env.int("LOGIN_DAILY_FAILURE_LIMIT", default=100)

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


MAILERS = {"default": mailer(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="todo@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
