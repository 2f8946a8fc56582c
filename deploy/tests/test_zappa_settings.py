"""What zappa_settings.json promises for each stage (the policies it relies on: deploy/tests/test_stack.py)."""

import inspect
import re

import pytest
from django.utils.module_loading import import_string

from local_aws.stage import BASE_DIR, SETTINGS_FILE, Stage

SECRETS = {"SECRET_KEY", "EMAIL_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


@pytest.fixture(params=["dev", "production"])
def stage(request):
    return Stage(request.param)


@pytest.fixture
def production():
    return Stage("production")


def test_both_stages_run_the_python_the_project_is_built_with(stage):
    """Lambda's runtime is the Python of .python-version, which builds the zip's wheels and runs the suite."""
    major, minor = (BASE_DIR / ".python-version").read_text().strip().split(".")[:2]
    assert stage.config["runtime"] == f"python{major}.{minor}"


def test_production_api_gateway_logs_no_requests(production):
    """API Gateway's own execution logs stay off (errors at most), and never hold request or response bodies."""
    assert production.config.get("cloudwatch_log_level", "OFF") in {"OFF", "ERROR"}
    assert production.config.get("cloudwatch_data_trace", False) is False


def test_secrets_are_never_in_the_settings_file(stage):
    for key in ("environment_variables", "aws_environment_variables"):
        assert not SECRETS & set(stage.config.get(key, {}))
    # A database URL names a user and no password: the function signs an IAM token for each connection.
    assert not re.search(r"(?i)password|secret_key|postgres://[^@/]*:[^@/]*@", SETTINGS_FILE.read_text())


def test_secrets_need_no_fetch_at_cold_start(stage):
    """Secrets live in the function's environment (deploy/set_secrets.py), not in an object loaded at start."""
    assert "remote_env" not in stage.config


def scheduled(stage):
    return {event["function"]: event for event in stage.config["events"]}


def test_every_scheduled_event_runs_a_function_that_takes_the_event_and_its_context(stage):
    """Zappa calls a scheduled function with (event, context) when it takes two arguments: the functions set the
    invocation's id on the log from the context (todo_site/logs.py)."""
    assert scheduled(stage)
    for name in scheduled(stage):
        assert list(inspect.signature(import_string(name)).parameters) == ["event", "context"]


def test_the_static_bucket_is_read_only_by_the_stages_distribution_under_static(stage):
    """The stack's bucket policy, as lambda-local applies it to the stage's bucket."""
    read, tls = stage.static_bucket_policy("E2EXAMPLE")["Statement"]
    assert (read["Effect"], read["Principal"], read["Action"]) == (
        "Allow",
        {"Service": "cloudfront.amazonaws.com"},
        "s3:GetObject",
    )
    assert read["Resource"] == f"arn:aws:s3:::{stage.static_bucket}/static/*"
    assert read["Condition"] == {
        "StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE"}
    }
    assert (tls["Effect"], tls["Principal"], tls["Condition"]) == (
        "Deny",
        "*",
        {"Bool": {"aws:SecureTransport": "false"}},
    )
