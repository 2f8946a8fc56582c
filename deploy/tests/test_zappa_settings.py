"""What zappa_settings.json promises for each stage (the policies it relies on: deploy/tests/test_stack.py)."""

import json
import re

import pytest
from django.utils.module_loading import import_string

from deploy.stage import SETTINGS_FILE, Stage

SECRETS = {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


@pytest.fixture(params=["dev", "production"])
def stage(request):
    return Stage(request.param)


@pytest.fixture
def production():
    return Stage("production")


def test_both_stages_run_django_on_python_3_13_with_the_production_settings(stage):
    assert stage.config["runtime"] == "python3.13"
    assert stage.config["django_settings"] == "todo_site.settings.production"


def test_production_extends_dev_and_is_quiet_and_warm(production):
    raw = json.loads(SETTINGS_FILE.read_text())
    assert raw["production"]["extends"] == "dev"
    assert production.config["debug"] is False
    assert production.config["log_level"] == "WARNING"
    assert production.config["keep_warm"] is True


def test_production_api_gateway_logs_no_requests(production):
    """API Gateway's own execution logs stay off (errors at most), and never hold request or response bodies."""
    assert production.config.get("cloudwatch_log_level", "OFF") in {"OFF", "ERROR"}
    assert production.config.get("cloudwatch_data_trace", False) is False


def test_secrets_are_never_in_the_settings_file(stage):
    for key in ("environment_variables", "aws_environment_variables"):
        assert not SECRETS & set(stage.config.get(key, {}))
    assert not re.search(r"(?i)password|secret_key|postgres://", SETTINGS_FILE.read_text())


def test_secrets_need_no_fetch_at_cold_start(stage):
    """Secrets live in the function's environment (deploy/set_secrets.py), not in an object loaded at start."""
    assert "remote_env" not in stage.config


def test_each_stage_runs_with_its_own_role(stage):
    assert stage.config["manage_roles"] is False
    assert stage.config["role_name"] == stage.lambda_name


def test_expired_sessions_are_cleared_daily(stage):
    (event,) = stage.config["events"]
    assert event["expression"] == "rate(1 day)"
    assert callable(import_string(event["function"]))


def test_the_database_is_reached_inside_the_vpc(stage):
    assert stage.config["vpc_config"]["SubnetIds"]
    assert stage.config["vpc_config"]["SecurityGroupIds"]


def test_the_static_bucket_is_readable_by_anyone_under_static_only(stage):
    """The stack's bucket policy, as lambda-local applies it to the stage's bucket."""
    (statement,) = stage.static_bucket_policy()["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Allow", "*", "s3:GetObject")
    assert statement["Resource"] == f"arn:aws:s3:::{stage.static_bucket}/static/*"
