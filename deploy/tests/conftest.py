import json
import logging
import os
import subprocess
import sys
import types
from urllib.parse import urlsplit

import environ
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.signals import storages_changed
from django.urls import get_script_prefix, set_script_prefix
from zappa.cli import ZappaCLI
from zappa.core import Zappa
from zappa.handler import LambdaHandler

from deploy.runtime import Context
from deploy.s3_emulator import S3Emulator
from deploy.stage import BASE_DIR, SETTINGS_FILE, Stage, create_database, drop_database, local_secrets

# Names of the request-facing production settings that the in-process handler tests apply.
REQUEST_SETTINGS = [
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="builds the Lambda package: runs once, in the PostgreSQL leg")
    for item in items:
        if item.get_closest_marker("lambda_package"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def s3():
    with S3Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def dev():
    return Stage("dev")


def production_settings(stage, s3_url, names):
    """Values of todo_site.settings.production, evaluated in a fresh interpreter with the stage's environment."""
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))},
        **local_secrets("postgres://todo@db.example.com:5432/todo"),
        **stage.function_environment(s3_url),
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.production",
    }
    script = (
        f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def daily_event(stage):
    """What EventBridge sends the function for the stage's daily schedule."""
    (schedule,) = [event for event in stage.config["events"] if event["expression"] == "rate(1 day)"]
    rule = Zappa(load_credentials=False).get_scheduled_event_name(schedule, schedule["function"], stage.lambda_name)
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-01-01T03:00:00Z",
        "region": stage.region,
        "resources": [f"arn:aws:events:{stage.region}:123456789012:rule/{rule}"],
        "detail": {},
    }


@pytest.fixture
def build_lambda_handler(s3, settings, monkeypatch):
    """Build Zappa's LambdaHandler for a stage in this process; call the result as Lambda calls it.

    Django here runs the test settings plus production's request-facing ones (host, cookies,
    HTTPS); the handler loads the stage's remote environment from the S3 emulator.
    """
    environment = dict(os.environ)
    root_level = logging.getLogger().level
    script_prefix = get_script_prefix()

    def build(stage):
        for name, value in production_settings(stage, s3.url, REQUEST_SETTINGS).items():
            setattr(settings, name, value)
        # The static storage keeps the stage prefix of its first request: on Lambda one process
        # serves one stage, here every test starts with a fresh storage, as a new STATIC_URL gives.
        storages_changed(setting="STATIC_URL")
        stage.provide_s3(s3, local_secrets(environment.get("DATABASE_URL", "")))
        os.environ.update(stage.function_environment(s3.url))
        cli = ZappaCLI()
        cli.api_stage = stage.name
        cli.load_credentials = False
        cli.load_settings(str(SETTINGS_FILE))
        zappa_settings = types.ModuleType("zappa_settings")
        exec(cli.get_zappa_settings_string(), zappa_settings.__dict__)  # noqa: S102 - Zappa's generated settings
        monkeypatch.setitem(sys.modules, "zappa_settings", zappa_settings)
        monkeypatch.setattr(LambdaHandler, "_LambdaHandler__instance", None)
        LambdaHandler("zappa_settings")
        return lambda event: LambdaHandler.lambda_handler(event, Context(timeout=30))

    # As Django's test client does: the test's database connection must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield build
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        logging.getLogger().setLevel(root_level)
        # Django keeps the last request's script prefix (/dev/) for this thread's reverse().
        set_script_prefix(script_prefix)
        storages_changed(setting="STATIC_URL")
        # The handler writes its remote environment and its own variables into os.environ.
        os.environ.clear()
        os.environ.update(environment)


@pytest.fixture
def lambda_handler(build_lambda_handler, dev):
    """The dev stage's handler, built in this process."""
    return build_lambda_handler(dev)


@pytest.fixture(scope="session")
def lambda_zip():
    """The dev stage's package, built by `make package` as the README says."""
    result = subprocess.run(
        ["make", "--no-print-directory", "package", "STAGE=dev"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return BASE_DIR / "dist" / "todo-site-dev.zip"


@pytest.fixture(scope="module")
def scratch_database(request):
    """A PostgreSQL database of its own on the server of DATABASE_URL, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs a PostgreSQL server: set DATABASE_URL")
    name = f"zappa_{environ.Env.db_url_config(url)['NAME']}_{request.module.__name__.rsplit('.', 1)[-1]}"
    scratch_url = urlsplit(url)._replace(path=f"/{name}").geturl()
    drop_database(scratch_url)
    create_database(scratch_url)
    yield scratch_url
    drop_database(scratch_url)
