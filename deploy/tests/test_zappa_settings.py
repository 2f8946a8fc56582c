"""What zappa_settings.json promises for each stage, and the IAM policies it relies on."""

import json
import re

import pytest
from django.utils.module_loading import import_string

from deploy.stage import POLICIES, SETTINGS_FILE, Stage

SECRETS = {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


@pytest.fixture(params=["dev", "production"])
def stage(request):
    return Stage(request.param)


@pytest.fixture
def production():
    return Stage("production")


def statements(document):
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        yield statement, actions, resources


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


def test_the_role_policy_allows_only_the_stages_own_resources_and_no_wildcard(stage):
    """The one "*" resource is EC2's Describe calls for the VPC, which accept no resource."""
    granted = {}
    for statement, actions, resources in statements(stage.policy("role")):
        assert statement["Effect"] == "Allow"
        assert not [action for action in actions if "*" in action]
        if resources == ["*"]:
            assert all(action.startswith("ec2:Describe") for action in actions)
        for action in actions:
            granted.setdefault(action, set()).update(resources)
    log_group = f"arn:aws:logs:{stage.region}:123456789012:log-group:/aws/lambda/{stage.lambda_name}"
    assert granted["logs:PutLogEvents"] == {f"{log_group}:log-stream:*"}
    assert granted["s3:ListBucket"] == {f"arn:aws:s3:::{stage.static_bucket}"}
    assert granted["s3:PutObject"] == {f"arn:aws:s3:::{stage.static_bucket}/static/*"}
    assert granted["s3:GetObject"] == {f"arn:aws:s3:::{stage.static_bucket}/static/*"}
    subnets = {f"arn:aws:ec2:{stage.region}:123456789012:subnet/{id}" for id in stage.config["vpc_config"]["SubnetIds"]}
    assert subnets <= granted["ec2:CreateNetworkInterface"]


def test_every_resource_of_the_role_is_the_stages_own(stage):
    """Its log group, its bucket, and network interfaces in its own account and region: no wildcard beyond them."""
    own = [
        f"arn:aws:logs:{stage.region}:123456789012:log-group:/aws/lambda/{stage.lambda_name}",
        f"arn:aws:s3:::{stage.static_bucket}",
        f"arn:aws:ec2:{stage.region}:123456789012",
    ]
    inside = tuple(f"{name}{separator}" for name in own for separator in "/:")
    resources = [resource for _, _, resources in statements(stage.policy("role")) for resource in resources]
    assert [resource for resource in resources if resource not in {"*", *own} and not resource.startswith(inside)] == []


def test_only_lambda_may_assume_the_role():
    (statement,) = json.loads((POLICIES / "lambda-trust-policy.json").read_text())["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"


def test_the_static_bucket_is_readable_by_anyone_under_static_only(stage):
    ((statement, actions, resources),) = statements(stage.policy("static-bucket"))
    assert statement["Principal"] == "*"
    assert actions == ["s3:GetObject"]
    assert resources == [f"arn:aws:s3:::{stage.static_bucket}/static/*"]


def test_the_deployer_may_touch_only_the_projects_resources(stage):
    deployer = json.loads((POLICIES / "deployer-policy.json").read_text())
    for _, actions, resources in statements(deployer):
        assert not [action for action in actions if "*" in action]
        if resources == ["*"]:
            assert actions == ["cloudwatch:GetMetricStatistics"]
    (functions,) = [
        resources for _, actions, resources in statements(deployer) if "lambda:UpdateFunctionCode" in actions
    ]
    assert f"arn:aws:lambda:{stage.region}:123456789012:function:{stage.lambda_name}" in functions


def test_expired_sessions_are_cleared_daily(stage):
    (event,) = stage.config["events"]
    assert event["expression"] == "rate(1 day)"
    assert callable(import_string(event["function"]))


def test_the_database_is_reached_inside_the_vpc(stage):
    assert stage.config["vpc_config"]["SubnetIds"]
    assert stage.config["vpc_config"]["SecurityGroupIds"]
