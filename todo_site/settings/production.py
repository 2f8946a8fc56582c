"""
Settings for the Lambda stages (see zappa_settings.json).

SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, AWS_STORAGE_BUCKET_NAME, DEFAULT_FROM_EMAIL and SITE_URL
have no default here: a missing one stops start-up with ImproperlyConfigured naming the variable.
"""

from urllib.parse import urlsplit

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

from todo_site import snapstart  # noqa: F401 (registers SnapStart's hooks while Lambda initialises the function)

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, STATIC_URL, content_security_policy, env

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "DEFAULT_FROM_EMAIL", "SITE_URL")
for name in REQUIRED:
    if not env.str(name, default="").strip():
        raise ImproperlyConfigured(f"Set the {name} environment variable.")

DEBUG = False

# The database through RDS Proxy with IAM authentication: DATABASE_URL names a user and no password, and
# todo_site.db signs a token for each new connection with the function's role (rds-db:connect on that user
# at the proxy). The proxy's certificate is verified, host name included (sslmode=verify-full), against the
# Amazon Root CAs its ACM certificate chains to, and no others: libpq reads the file at each new connection, and
# certifi's 117 roots took 3 to 4 ms longer to read than these four.
if env.bool("DATABASE_IAM_AUTH", default=False):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_IAM_AUTH signs in to RDS Proxy for PostgreSQL: DATABASE_URL is not one.")
    DATABASES["default"]["ENGINE"] = "todo_site.db"
options = DATABASES["default"].setdefault("OPTIONS", {})
if options.get("sslmode") in ("verify-ca", "verify-full"):
    options.setdefault("sslrootcert", str(BASE_DIR / "todo_site" / "db" / "amazon-root-cas.pem"))
if DATABASES["default"]["ENGINE"] in ("django.db.backends.postgresql", "todo_site.db"):
    # RDS Proxy speaks TLS, never GSSAPI's encryption, which libpq otherwise tries first: on an instance's first
    # connection that means starting Kerberos and looking for its credentials, several milliseconds for nothing.
    options.setdefault("gssencmode", "disable")

# API Gateway answers HTTPS only and Zappa marks every request secure (HTTPS=on), so this redirect never fires
# behind it: it is for the same settings behind another front that also speaks plain HTTP.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Static files live in an S3 bucket under hashed names; browsers fetch them from STATIC_URL:
# a CloudFront distribution's https://<domain>/static/ when set, else the bucket's own address.
# boto3 takes its credentials from the Lambda role; AWS_ENDPOINT_URL_S3 is boto3's own
# variable, set only for a local S3 API.
bucket = env("AWS_STORAGE_BUCKET_NAME")
s3_endpoint = env("AWS_ENDPOINT_URL_S3", default=None)
if not urlsplit(STATIC_URL).netloc:
    if s3_endpoint:
        STATIC_URL = f"{s3_endpoint.rstrip('/')}/{bucket}/static/"
    else:
        STATIC_URL = f"https://{bucket}.s3.{env('AWS_REGION', default='us-east-1')}.amazonaws.com/static/"
static = urlsplit(STATIC_URL)
if not static.path.endswith("/static/"):
    raise ImproperlyConfigured("STATIC_URL must end with /static/, the folder of the bucket collectstatic fills.")
SECURE_CSP = content_security_policy(STATIC_URL)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "todo_site.storage.StaticStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": "static",
            "endpoint_url": s3_endpoint,
            # A file's URL is STATIC_URL and its hashed name, built without a call to S3.
            "custom_domain": static.netloc + static.path.removesuffix("/static/"),
            "url_protocol": f"{static.scheme}:",
        },
    },
}

# E-mail goes through SES's API with the function's role: no password. The stack lets the role send from the
# stage's verified domain only. AWS_ENDPOINT_URL_SES is boto3's own variable, set only for a local SES API.
MAILERS = {"default": {"BACKEND": "django_ses.SESBackend"}}
AWS_SES_REGION_NAME = env("AWS_REGION", default="us-east-1")
AWS_SES_REGION_ENDPOINT_URL = env("AWS_ENDPOINT_URL_SES", default=f"https://email.{AWS_SES_REGION_NAME}.amazonaws.com")
# django-ses's own throttle asks SES for the quota (GetSendQuota, which the role may not call) before each first
# send: EMAIL_SEND_RATE, counted for every instance together, keeps the rate instead (accounts/mail.py).
AWS_SES_AUTO_THROTTLE = None
# A send SES has not answered within seconds fails, and is not retried by botocore: it may have gone, and the
# digest's claim decides (todos/digest.py). Well inside the function's 30 s.
AWS_SES_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={"total_max_attempts": 1})

# Lambda sends stderr to CloudWatch Logs: one JSON object a line (todo_site/logs.py), errors with their
# traceback, never request data. Not passed on to the root logger, whose handler (Lambda's runtime's, or
# the one Zappa's handler adds) would write each record a second time as text.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "todo_site.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # An e-mail not sent, a digest not sent, an unknown time zone: ERROR, which the stack's alarm counts.
        "accounts": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "todos": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "todo_site": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
