"""
IAM database authentication: tokens that todo_site.db.iam signs as boto3 signs them, checked by the
RDS Proxy stand-in (local_aws.rds_proxy) as RDS Proxy checks them, over TLS that libpq verifies as in
production (sslmode=verify-full), in front of the PostgreSQL server of DATABASE_URL.
"""

import contextlib
import datetime
import logging
import socket
import ssl
import struct

import boto3
import botocore.auth
import environ
import psycopg2
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS
from django.db.utils import ConnectionHandler

from local_aws.database import PgBouncer
from local_aws.rds_proxy import CLOCK_SKEW, SSL_REQUEST, IamProxy
from todo_site.db import iam
from todo_site.db.iam import TOKEN_LIFETIME, auth_token

# AWS's documentation's example keys, as the function's role would provide them (with a session token).
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "eu-west-1"


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch, tmp_path):
    """The function's credentials and region, as Lambda sets them, found afresh by the signer."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE/session+token=")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setattr(iam, "_session", None)


@contextlib.contextmanager
def botocore_clock(moment):
    """botocore signs at `moment` (UTC, naive, as botocore keeps it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.auth, "get_current_datetime", lambda remove_tzinfo=True: moment)
        yield


def utc_now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def server(scratch_database):
    return environ.Env.db_url_config(scratch_database)


@pytest.fixture(scope="module")
def proxy(server):
    upstream = (server["HOST"], server["PORT"] or 5432)
    with IamProxy(upstream, credentials={ACCESS_KEY: SECRET_KEY}, region=REGION) as proxy:
        yield proxy


def connect(proxy, server, token, **options):
    return psycopg2.connect(proxy.url(server["USER"], server["NAME"]), password=token, **options)


def refusal(proxy, server, token, **options):
    with pytest.raises(psycopg2.OperationalError) as refused:
        connect(proxy, server, token, **options)
    return str(refused.value)


def refused_token(proxy, server, token):
    """What libpq says when the proxy turns the token down: its reason (the DETAIL), after RDS's message."""
    message = refusal(proxy, server, token)
    assert f'FATAL:  PAM authentication failed for user "{server["USER"]}"\nDETAIL:  ' in message
    return message


def test_a_token_from_auth_token_connects_over_verified_tls_and_queries(proxy, server):
    token = auth_token("localhost", proxy.port, server["USER"], REGION)
    with contextlib.closing(connect(proxy, server, token)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        assert cursor.fetchone() == (server["USER"], server["NAME"])
        assert connection.info.ssl_in_use


def test_libpq_refuses_the_certificate_for_another_host_name_before_sending_a_password(proxy, server, caplog):
    """The certificate names localhost: connecting to 127.0.0.1 fails verification, the proxy never hears a token."""
    token = auth_token("127.0.0.1", proxy.port, server["USER"], REGION)
    with caplog.at_level(logging.DEBUG, logger="local_aws.rds_proxy"):
        message = refusal(proxy, server, token, host="127.0.0.1")
    assert 'server certificate for "localhost" (and 1 other name) does not match host name "127.0.0.1"' in message
    assert [record for record in caplog.records if record.name == "local_aws.rds_proxy"] == []


def test_a_token_for_another_user_is_refused(proxy, server):
    token = auth_token("localhost", proxy.port, "someone_else", REGION)
    assert 'The token was signed for user "someone_else".' in refused_token(proxy, server, token)


def test_a_token_for_another_host_is_refused(proxy, server):
    token = auth_token("db.example.com", proxy.port, server["USER"], REGION)
    assert f"signed for db.example.com:{proxy.port}, not for this proxy's localhost:{proxy.port}" in refused_token(
        proxy, server, token
    )


def test_a_token_with_a_tampered_signature_is_refused(proxy, server):
    token = auth_token("localhost", proxy.port, server["USER"], REGION)
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert "The token's signature does not match." in refused_token(proxy, server, tampered)


def test_an_expired_token_is_refused(proxy, server):
    with botocore_clock(utc_now() - datetime.timedelta(seconds=TOKEN_LIFETIME + 60)):
        token = auth_token("localhost", proxy.port, server["USER"], REGION)
    assert "The token expired at" in refused_token(proxy, server, token)


def test_a_token_dated_in_the_future_is_refused(proxy, server):
    with botocore_clock(utc_now() + CLOCK_SKEW + datetime.timedelta(minutes=1)):
        token = auth_token("localhost", proxy.port, server["USER"], REGION)
    assert "in the future" in refused_token(proxy, server, token)


def test_a_token_signed_by_an_unknown_access_key_is_refused(proxy, server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAI44QH8DHBEXAMPLE")
    monkeypatch.setattr(iam, "_session", None)
    token = auth_token("localhost", proxy.port, server["USER"], REGION)
    assert "access key AKIAI44QH8DHBEXAMPLE, which this proxy does not know" in refused_token(proxy, server, token)


def test_a_refusal_is_a_fatal_invalid_password_error(proxy, server):
    """The SQLSTATE, which libpq reads but does not show, is 28P01 (invalid_password), as RDS sends it."""
    startup = struct.pack("!i", 3 << 16) + f"user\0{server['USER']}\0database\0{server['NAME']}\0\0".encode()
    password = b"not a token\0"
    with socket.create_connection(("127.0.0.1", proxy.port)) as plain:
        plain.sendall(struct.pack("!ii", 8, SSL_REQUEST))
        assert plain.recv(1) == b"S"
        context = ssl.create_default_context(cafile=proxy.ca_file)
        with context.wrap_socket(plain, server_hostname="localhost") as secure, secure.makefile("rb") as replies:
            secure.sendall(struct.pack("!i", len(startup) + 4) + startup)
            assert replies.read(9) == b"R" + struct.pack("!ii", 8, 3)  # AuthenticationCleartextPassword
            secure.sendall(b"p" + struct.pack("!i", len(password) + 4) + password)
            kind, length = struct.unpack("!ci", replies.read(5))
            fields = {field[:1]: field[1:] for field in replies.read(length - 4).decode().split("\0") if field}
    assert kind == b"E"
    assert (fields["S"], fields["C"]) == ("FATAL", "28P01")


def test_a_client_without_tls_is_refused(proxy, server):
    token = auth_token("localhost", proxy.port, server["USER"], REGION)
    assert "FATAL:  This RDS Proxy requires TLS connections" in refusal(proxy, server, token, sslmode="disable")


def test_the_proxy_reaches_pgbouncer_over_tls(scratch_database, server):
    """PgBouncer, the pooling stand-in, takes clients over TLS only: the proxy connects to it so."""
    with (
        PgBouncer(scratch_database, pool_size=1) as bouncer,
        IamProxy(("127.0.0.1", bouncer.port), credentials={ACCESS_KEY: SECRET_KEY}, region=REGION) as proxy,
    ):
        token = auth_token("localhost", proxy.port, server["USER"], REGION)
        with contextlib.closing(connect(proxy, server, token)) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


def test_stopping_the_proxy_closes_the_connections_through_it(server):
    upstream = (server["HOST"], server["PORT"] or 5432)
    with IamProxy(upstream, credentials={ACCESS_KEY: SECRET_KEY}, region=REGION) as proxy:
        token = auth_token("localhost", proxy.port, server["USER"], REGION)
        connection = connect(proxy, server, token)
    with contextlib.closing(connection), pytest.raises(psycopg2.OperationalError, match="EOF detected"):
        connection.cursor().execute("SELECT 1")


def test_auth_token_is_what_boto3s_generate_db_auth_token_returns():
    client = boto3.session.Session().client("rds", region_name=REGION)
    with botocore_clock(utc_now()):
        ours = auth_token("proxy.example.com", 5432, "todo", REGION)
        boto3s = client.generate_db_auth_token("proxy.example.com", 5432, "todo", REGION)
    assert ours == boto3s


def test_auth_token_without_credentials_is_an_improper_configuration(monkeypatch):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ImproperlyConfigured, match="needs AWS credentials"):
        auth_token("localhost", 5432, "todo", REGION)


def database_connection(**settings):
    """The connection of a DATABASES entry with ENGINE todo_site.db, as Django builds it."""
    return ConnectionHandler({DEFAULT_DB_ALIAS: {"ENGINE": "todo_site.db", **settings}})[DEFAULT_DB_ALIAS]


def test_the_todo_site_db_engine_connects_through_the_proxy_with_a_token_as_password(proxy, server, django_db_blocker):
    connection = database_connection(
        NAME=server["NAME"],
        USER=server["USER"],
        HOST="localhost",
        PORT=proxy.port,
        OPTIONS={"sslmode": "verify-full", "sslrootcert": proxy.ca_file},
    )
    with botocore_clock(utc_now()):
        assert connection.get_connection_params()["password"] == auth_token(
            "localhost", proxy.port, server["USER"], REGION
        )
    with django_db_blocker.unblock(), contextlib.closing(connection), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_todo_site_db_engine_refuses_a_stored_password():
    connection = database_connection(
        NAME="todo", USER="todo", PASSWORD="secret", HOST="localhost", OPTIONS={"sslmode": "verify-full"}
    )
    with pytest.raises(ImproperlyConfigured, match="remove the password"):
        connection.get_connection_params()


def test_the_todo_site_db_engine_sends_its_token_only_to_a_verified_server():
    connection = database_connection(NAME="todo", USER="todo", HOST="localhost", OPTIONS={"sslmode": "require"})
    with pytest.raises(ImproperlyConfigured, match="sslmode=verify-full"):
        connection.get_connection_params()


def test_the_todo_site_db_engine_needs_a_region(monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    connection = database_connection(NAME="todo", USER="todo", HOST="localhost", OPTIONS={"sslmode": "verify-full"})
    with pytest.raises(ImproperlyConfigured, match="set AWS_REGION"):
        connection.get_connection_params()


def test_prepared_before_a_snapshot_the_signer_signs_with_the_restored_instances_credentials(monkeypatch):
    """SnapStart's before-snapshot hook prepares the signer: its session, and no credentials, which a restored
    instance resolves for itself at its first connection."""
    monkeypatch.setattr(iam, "_session", None)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    iam.prepare()
    prepared = iam._session
    assert prepared._credentials is None
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIARESTOREDINSTANCE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "restored-secret")
    token = iam.auth_token("proxy.example.com", 5432, "todo", "us-east-1")
    assert iam._session is prepared
    assert "X-Amz-Credential=ASIARESTOREDINSTANCE%2F" in token
