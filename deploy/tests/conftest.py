import logging
import os
import sys

import botocore.client
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.signals import storages_changed
from django.urls import get_script_prefix, set_script_prefix
from zappa.cli import ZappaCLI
from zappa.handler import LambdaHandler

from local_aws.aws_emulator import AwsEmulator
from local_aws.stage import Stage, local_secrets

from .support import REQUEST_SETTINGS, production_settings


@pytest.fixture(scope="session")
def s3():
    with AwsEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def dev():
    return Stage("dev")


@pytest.fixture
def build_lambda_handler(s3, settings, monkeypatch):
    """Build Zappa's LambdaHandler for a stage in this process; call the result as Lambda calls it.

    Django here runs the test settings plus production's request-facing ones (host, cookies,
    HTTPS); the function's environment is the stage's, with the S3 emulator for S3.
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
        stage.provide_s3(s3)
        os.environ.update(stage.function_environment(s3.url, local_secrets(environment.get("DATABASE_URL", ""))))
        # Put back afterwards what stage.handler() replaces.
        monkeypatch.setitem(sys.modules, "zappa_settings", None)
        monkeypatch.setattr(LambdaHandler, "_LambdaHandler__instance", None)
        return stage.handler()

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
        # The handler writes its own variables into os.environ, as the build above did the stage's.
        os.environ.clear()
        os.environ.update(environment)


@pytest.fixture
def lambda_handler(build_lambda_handler, dev):
    """The dev stage's handler, built in this process."""
    return build_lambda_handler(dev)


# IAM actions whose names differ from the API operation (apigateway's are its HTTP methods).
IAM_ACTIONS = {
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("monitoring", "GetMetricStatistics"): "cloudwatch:GetMetricStatistics",
}
# Calls that need no permission at all.
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}


def iam_action(service_model, operation_name):
    if service_model.signing_name == "apigateway":
        return f"apigateway:{service_model.operation_model(operation_name).http['method']}"
    default = f"{service_model.signing_name}:{operation_name}"
    return IAM_ACTIONS.get((service_model.signing_name, operation_name), default)


@pytest.fixture
def zappa(monkeypatch):
    """Run a Zappa command with a settings file: zappa(settings_file, "deploy", ...); `zappa.calls` collects the
    IAM actions of the AWS calls it makes, `zappa.requests` each call's operation and parameters."""
    calls = set()
    requests = []
    recording = False
    make_api_call = botocore.client.BaseClient._make_api_call

    def call(client, operation_name, api_params):
        if recording:
            calls.add(iam_action(client.meta.service_model, operation_name))
            requests.append((operation_name, api_params))
        if operation_name == "ListFunctionUrlConfigs":
            # Moto gap: no ListFunctionUrlConfigs, which `update` calls to remove function URLs
            # that a stage without `function_url_enabled` never had. AWS answers with none.
            return {"FunctionUrlConfigs": []}
        return make_api_call(client, operation_name, api_params)

    def zappa(settings_file, *argv):
        nonlocal recording
        recording = True
        try:
            ZappaCLI().handle([*argv, "--settings_file", str(settings_file)])
        finally:
            recording = False

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)
    zappa.calls = calls
    zappa.requests = requests
    return zappa
