"""
IAM authentication tokens for RDS Proxy: the password of each new database connection.

A token is exactly what boto3's `rds` client's `generate_db_auth_token` returns, a SigV4 presigned
URL (without its scheme) for the `rds-db` service, but signed with botocore's signer directly: a
boto3 client would first load RDS's service model, about 185 ms at a cold start, where signing
takes about 1 ms.

Nothing is created at import: the module is imported before a SnapStart snapshot is taken, and
credentials must be resolved in the restored instance. They are asked for at each signing, since
the session's credentials refresh themselves when they come from the Lambda role.
"""

import botocore.session
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from django.core.exceptions import ImproperlyConfigured

# Seconds a token lets a connection in, as generate_db_auth_token signs it (X-Amz-Expires).
TOKEN_LIFETIME = 900

_session = None


def auth_token(host, port, user, region):
    """The password that lets `user` connect to `host`:`port` in `region` over the next 15 minutes."""
    request = AWSRequest(method="GET", url=f"https://{host}:{port}/", params={"Action": "connect", "DBUser": user})
    SigV4QueryAuth(_credentials(), "rds-db", region, expires=TOKEN_LIFETIME).add_auth(request)
    return request.url.removeprefix("https://")


def prepare():
    """Make the session and its chain of credential providers (about 16 ms) without resolving any credentials:
    what SnapStart's before-snapshot hook does, so that a restored instance's first connection only signs."""
    _get_session().get_component("credential_provider")


def _get_session():
    global _session
    if _session is None:
        _session = botocore.session.get_session()
    return _session


def _credentials():
    credentials = _get_session().get_credentials()
    if credentials is None:
        raise ImproperlyConfigured(
            "IAM database authentication needs AWS credentials to sign a token: none were found "
            "(the function's role provides them on Lambda; locally set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)."
        )
    return credentials.get_frozen_credentials()
