"""
Settings for the Lambda stages (see zappa_settings.json).

SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, EMAIL_URL and AWS_STORAGE_BUCKET_NAME have no
default here: a missing one stops start-up with ImproperlyConfigured naming the variable.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL", "AWS_STORAGE_BUCKET_NAME"):
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

# Static files live in an S3 bucket under hashed names. boto3 takes its credentials from
# the Lambda role; AWS_ENDPOINT_URL_S3 is boto3's own variable, set only for a local S3 API.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "todo_site.storage.StaticStorage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "location": "static",
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "endpoint_url": env("AWS_ENDPOINT_URL_S3", default=None),
        },
    },
}

# Lambda sends stderr to CloudWatch Logs: errors with their traceback, never request data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
