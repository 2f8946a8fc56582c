"""Production settings start only when their required environment is present, and harden every response."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import certifi
import pytest
from django.conf import settings

from local_aws.aws_emulator import CREDENTIALS, AwsEmulator

REALISTIC_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "todo_site.settings.production",
    "SECRET_KEY": "q9Zr2-w8Xv0pL3mN7bT4yK1uJ6hG5fD0sA8eR2tY7iO9pQ3zX6cV1bN4mL7kJ0h",
    "ALLOWED_HOSTS": "abc123.execute-api.us-east-1.amazonaws.com",
    "DATABASE_URL": (
        "postgres://todo@example-production.proxy-abc.us-east-1.rds.amazonaws.com:5432/todo"
        "?sslmode=verify-full&connect_timeout=5"
    ),
    "DATABASE_IAM_AUTH": "true",
    "AWS_STORAGE_BUCKET_NAME": "example-static",
    "DEFAULT_FROM_EMAIL": "todo@example.com",
    "SITE_URL": "https://abc123.execute-api.us-east-1.amazonaws.com/production/",
}


def manage(*args, **environment):
    env = {key: value for key, value in os.environ.items() if key not in REALISTIC_ENVIRONMENT}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "DEFAULT_FROM_EMAIL", "SITE_URL"],
)
def test_a_missing_required_variable_stops_start_up_naming_it(missing):
    environment = {key: value for key, value in REALISTIC_ENVIRONMENT.items() if key != missing}
    result = manage("check", **environment)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_an_empty_required_variable_counts_as_missing():
    result = manage("check", **{**REALISTIC_ENVIRONMENT, "ALLOWED_HOSTS": " "})
    assert result.returncode != 0
    assert "Set the ALLOWED_HOSTS environment variable" in result.stderr


def test_the_database_is_signed_in_to_with_an_iam_token_over_tls_verified_against_amazons_roots():
    script = (
        "import json; from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(json.dumps([d['ENGINE'], d['PASSWORD'], d['OPTIONS']]))"
    )
    result = manage("shell", "--no-imports", "-c", script, **REALISTIC_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    engine, password, options = json.loads(result.stdout)
    assert (engine, password, options["sslmode"]) == ("todo_site.db", "", "verify-full")
    # The proxy speaks TLS only: libpq does not first look for Kerberos credentials to try GSSAPI's encryption.
    assert options["gssencmode"] == "disable"
    # RDS Proxy's certificate comes from ACM, which chains to the Amazon Root CAs: those, and nothing else.
    assert certificates(Path(options["sslrootcert"]).read_text()) == amazon_root_cas_in_certifi()


def certificates(pem):
    return re.findall(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----", pem, re.DOTALL)


def amazon_root_cas_in_certifi():
    """The Amazon Root CAs of certifi's copy of Mozilla's roots, each as its PEM block."""
    bundle = Path(certifi.where()).read_text()
    labelled = re.findall(
        r'# Label: "(.*?)"\n.*?(-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----)', bundle, re.DOTALL
    )
    return [pem for label, pem in labelled if re.fullmatch(r"Amazon Root CA \d", label)]


def test_iam_authentication_needs_postgresql():
    result = manage("check", **{**REALISTIC_ENVIRONMENT, "DATABASE_URL": "sqlite:///unused.sqlite3"})
    assert result.returncode != 0
    assert "DATABASE_IAM_AUTH signs in to RDS Proxy for PostgreSQL" in result.stderr


def test_the_log_is_one_json_object_a_line_written_once():
    script = "import logging; logging.getLogger('todos').error('A digest was not sent.')"
    result = manage("shell", "--no-imports", "-c", script, **REALISTIC_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.splitlines()
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "todos", "A digest was not sent.")


def test_deploy_checks_pass_with_realistic_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **REALISTIC_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_local_defaults_need_no_environment():
    result = manage("diffsettings", "--output", "unified", DJANGO_SETTINGS_MODULE="todo_site.settings.base")
    assert result.returncode == 0, result.stderr
    # Debug pages only where asked for (`make run` sets DEBUG): a server started bare explains nothing.
    assert "+ DEBUG" not in result.stdout
    assert "django.db.backends.sqlite3" in result.stdout
    assert "django.core.mail.backends.console.EmailBackend" in result.stdout


CLOUDFRONT_STATIC_URL = "https://d111.cloudfront.net/static/"


@pytest.fixture(scope="module")
def production_visit(tmp_path_factory):
    """What a visitor receives from the production settings: log-in page, sign-in, a 404, plain HTTP.

    Static files come from another origin, as they do on Lambda; their manifest from the S3 API.
    """
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"
    env = {key: value for key, value in os.environ.items() if key not in REALISTIC_ENVIRONMENT}
    env.update(REALISTIC_ENVIRONMENT, DATABASE_URL=f"sqlite:///{database}", STATIC_URL=CLOUDFRONT_STATIC_URL)
    env["DATABASE_IAM_AUTH"] = "false"
    with AwsEmulator() as s3:
        s3.client().create_bucket(Bucket=REALISTIC_ENVIRONMENT["AWS_STORAGE_BUCKET_NAME"])
        env.update(CREDENTIALS, AWS_ENDPOINT_URL_S3=s3.url)
        for command in (["manage.py", "collectstatic", "--noinput"], ["-m", "todo_site.tests.production_probe"]):
            result = subprocess.run(
                [sys.executable, *command],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("response", ["login_page", "signed_in", "not_found"])
def test_production_responses_carry_the_security_headers(production_visit, response):
    headers = production_visit[response]["headers"]
    hsts = headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = dict(directive.split(" ", 1) for directive in headers["Content-Security-Policy"].split("; "))
    assert csp["default-src"] == "'self'"
    for directive in ("script-src", "style-src", "font-src"):
        assert csp[directive] == "'self' https://d111.cloudfront.net"
    assert csp["img-src"] == "'self' https://d111.cloudfront.net data:"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_production_cookies_are_secure_httponly_and_same_site(production_visit):
    csrf = production_visit["login_page"]["cookies"]["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    assert production_visit["signed_in"]["status"] == 302
    session = production_visit["signed_in"]["cookies"]["sessionid"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax"}
