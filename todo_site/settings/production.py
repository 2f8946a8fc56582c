"""
Settings for the Lambda stages (see zappa_settings.json).

SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and EMAIL_URL have no default here: a missing one
stops start-up with ImproperlyConfigured naming the variable.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL"):
    if not env.str(name, default="").strip():
        raise ImproperlyConfigured(f"Set the {name} environment variable.")

DEBUG = False

# API Gateway terminates TLS and Zappa marks every request as secure.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
