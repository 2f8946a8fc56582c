"""
The PostgreSQL backend, for a database reached through RDS Proxy with IAM authentication.

No password is stored anywhere: each new connection sends a token signed for it, which is good for
15 minutes and for any connection of that user to that endpoint, so it is only ever sent to a
server whose certificate libpq has verified (sslmode=verify-full).
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql import base

from .iam import auth_token


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        if self.settings_dict["PASSWORD"]:
            raise ImproperlyConfigured(
                "The database signs a token for each connection: remove the password from DATABASE_URL."
            )
        params = super().get_connection_params()
        if not params.get("host") or not params.get("user"):
            raise ImproperlyConfigured("IAM database authentication needs the proxy's host name and the user.")
        if params.get("sslmode") != "verify-full":
            raise ImproperlyConfigured(
                "IAM database authentication sends its token only to a verified server: "
                "add ?sslmode=verify-full&sslrootcert=... to DATABASE_URL."
            )
        params["password"] = auth_token(params["host"], params.get("port") or 5432, params["user"], aws_region())
        return params


def aws_region():
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise ImproperlyConfigured(
            "IAM database authentication signs its token for a region: set AWS_REGION (Lambda does) "
            "or AWS_DEFAULT_REGION."
        )
    return region
