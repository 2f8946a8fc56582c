"""
The stage's infrastructure as code (deploy/aws/stack.yaml): cfn-lint and checkov pass on it (checkov with
only the suppressions the template explains), moto creates it, and the stage written from its outputs
deploys with Zappa.

Moto's CloudFormation creates most of the stack for real (the VPC, subnets, route table, endpoints,
security groups, RDS instance, buckets, roles, policies, log group, SNS topic), so their properties are
checked on what moto made, IAM documents resolved. The resources of the types named in MOTO_GAPS it
cannot create, and the attributes in MOTO_ATTRIBUTE_GAPS it cannot give: the test leaves them out,
replacing references to them with a stand-in value, and only cfn-lint and checkov check them.
"""

import ast
import copy
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from moto import mock_aws
from moto.cloudformation.parsing import get_model_map

from deploy import infrastructure, set_secrets
from deploy.stage_from_stack import stack_name, write_stage
from local_aws.stage import SETTINGS_FILE, STACK_TEMPLATE, Stage, template

# Resource types of the template that moto 5.2's CloudFormation does not create.
MOTO_GAPS = {
    "AWS::ApiGatewayV2::ApiMapping",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::CertificateManager::Certificate",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::Logs::MetricFilter",
    "AWS::RDS::DBProxy",
    "AWS::RDS::DBProxyTargetGroup",
    "AWS::S3::BucketPolicy",
    "AWS::SES::EmailIdentity",
    "AWS::SNS::Subscription",
}
# Attributes moto's resources do not give: the secret RDS makes for the database's password.
MOTO_ATTRIBUTE_GAPS = {("Database", "MasterUserSecret.SecretArn")}
ALARM_EMAIL = "ops@example.com"
# Zappa names a stage's function <project_name>-<stage>; the stack names the stage's resources after it.
PROJECT = Stage("production").config["project_name"]
FUNCTION = f"{PROJECT}-production"
PROXY_ENDPOINT = f"{FUNCTION}.proxy-abc.us-east-1.rds.amazonaws.com"
STATIC_URL = "https://d111111abcdef8.cloudfront.net/static/"
MAIL_DOMAIN = "todo.example.com"


def test_cfn_lint_passes_on_the_template():
    result = subprocess.run(
        [Path(sys.executable).with_name("cfn-lint"), STACK_TEMPLATE], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


CHECKOV = Path(sys.executable).parents[2] / ".venv-checkov" / "bin" / "checkov"


def checkov(template_path):
    """checkov's report on a template: {"passed": n, "failed": [check ids], "skipped": [check ids]}."""
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: `make test` installs it (`make .venv-checkov/.installed`)")
    result = subprocess.run(
        [CHECKOV, "--file", template_path, "--framework", "cloudformation", "--output", "json", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)["results"]
    return {
        "passed": len(report.get("passed_checks", [])),
        "failed": [check["check_id"] for check in report.get("failed_checks", [])],
        "skipped": [
            (
                check["check_id"],
                check["resource"].rpartition(".")[2],
                (check.get("check_result") or {}).get("suppress_comment"),
            )
            for check in report.get("skipped_checks", [])
        ],
    }


def suppressions(document):
    """{(check id, resource): reason} of the checkov suppressions in the resources' Metadata."""
    return {
        (skip["id"], name): skip.get("comment", "")
        for name, resource in document["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    }


def test_checkov_finds_nothing_the_template_does_not_explain(tmp_path):
    report = checkov(STACK_TEMPLATE)
    assert report["failed"] == []
    assert report["passed"] > 50
    explained = suppressions(template())
    assert {(check, resource): reason for check, resource, reason in report["skipped"]} == explained
    assert not [key for key, reason in explained.items() if len(reason.split()) < 8], "each suppression says why"
    # None of them is stale: without the Metadata, each suppressed check fails.
    bare = re.sub(r"    Metadata:\n      checkov:\n(?:        .*\n|\s{10,}.*\n)+", "", STACK_TEMPLATE.read_text())
    (tmp_path / "stack.yaml").write_text(bare)
    assert sorted(checkov(tmp_path / "stack.yaml")["failed"]) == sorted(check for check, _ in explained)


def test_the_gaps_are_exactly_the_types_moto_cannot_create():
    types = {resource["Type"] for resource in template()["Resources"].values()}
    assert {kind for kind in types if kind not in get_model_map()} == MOTO_GAPS


def stand_in(name):
    """What a reference to a resource moto cannot create becomes: a string of an ARN's shape, whose seventh part,
    as in an RDS Proxy's ARN, is the resource's id."""
    return f"arn:aws:cloudformation:us-east-1:123456789012:moto-gap:{name}"


def without_gaps(document):
    """The template without the resources moto cannot create; references to them become stand-ins."""
    document = copy.deepcopy(dict(document))
    gone = {name for name, resource in document["Resources"].items() if resource["Type"] in MOTO_GAPS}

    def replace(value):
        if isinstance(value, dict):
            if list(value) == ["Ref"] and value["Ref"] in gone:
                return stand_in(value["Ref"])
            if list(value) == ["Fn::GetAtt"] and (
                value["Fn::GetAtt"][0] in gone or tuple(value["Fn::GetAtt"]) in MOTO_ATTRIBUTE_GAPS
            ):
                return stand_in(value["Fn::GetAtt"][0])
            if list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
                text = value["Fn::Sub"]
                for name in gone:
                    text = re.sub(rf"\$\{{{name}(\.[A-Za-z.]+)?\}}", stand_in(name), text)
                return {"Fn::Sub": text}
            return {key: replace(item) for key, item in value.items()}
        if isinstance(value, list):
            return [replace(item) for item in value]
        return value

    document["Resources"] = {
        name: replace(dict(resource)) for name, resource in document["Resources"].items() if name not in gone
    }
    document["Outputs"] = {
        name: output for name, output in document["Outputs"].items() if "moto-gap:" not in json.dumps(replace(output))
    }
    return document


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # Not moto's default account, 123456789012, which zappa_settings.json's placeholders use.
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "210987654321")
    with mock_aws():
        yield


def create_stack(stage, **parameters):
    project = Stage(stage).config["project_name"]
    parameters = {
        "Project": project,
        "Stage": stage,
        "AlarmEmail": ALARM_EMAIL,
        "MailDomain": MAIL_DOMAIN,
        **parameters,
    }
    client = boto3.client("cloudformation")
    client.create_stack(
        StackName=stack_name(stage),
        TemplateBody=json.dumps(without_gaps(template())),
        Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    (stack,) = client.describe_stacks(StackName=stack_name(stage))["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    # The outputs of resources moto cannot create (RDS Proxy, CloudFront), as AWS would give them.
    return {**outputs, "ProxyEndpoint": PROXY_ENDPOINT, "StaticUrl": STATIC_URL}


@pytest.fixture
def production(aws):
    return create_stack("production")


@pytest.fixture
def dev(aws):
    return create_stack("dev")


def test_the_outputs_name_the_stages_resources(production):
    ec2 = boto3.client("ec2")
    subnets = ec2.describe_subnets(SubnetIds=production["SubnetIds"].split(","))["Subnets"]
    assert len({subnet["AvailabilityZone"] for subnet in subnets}) == 2
    assert not [subnet for subnet in subnets if subnet["MapPublicIpOnLaunch"]]
    (vpc,) = {subnet["VpcId"] for subnet in subnets}
    assert (
        ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
        == []
    )
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
    assert {(endpoint["VpcEndpointType"], endpoint["ServiceName"]) for endpoint in endpoints} == {
        ("Interface", "com.amazonaws.us-east-1.email"),
        ("Interface", "com.amazonaws.us-east-1.lambda"),
    }
    buckets = {bucket["Name"] for bucket in boto3.client("s3").list_buckets()["Buckets"]}
    assert {production["CodeBucket"], production["StaticBucket"]} <= buckets
    assert production["FunctionRoleArn"].endswith(f":role/{FUNCTION}")
    assert production["AccountId"] in production["FunctionRoleArn"]
    assert production["Region"] == "us-east-1"
    group = boto3.client("logs").describe_log_groups(logGroupNamePrefix=production["LogGroup"])["logGroups"][0]
    assert (group["logGroupName"], group["retentionInDays"]) == (f"/aws/lambda/{FUNCTION}", 30)


def security_group(group_id):
    (group,) = boto3.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return group


def physical_id(stage, logical_id):
    resource = boto3.client("cloudformation").describe_stack_resource(
        StackName=stack_name(stage), LogicalResourceId=logical_id
    )
    return resource["StackResourceDetail"]["PhysicalResourceId"]


def test_the_database_is_encrypted_private_and_backed_up(production):
    (database,) = boto3.client("rds").describe_db_instances()["DBInstances"]
    assert database["StorageEncrypted"] is True
    assert database["PubliclyAccessible"] is False
    assert database["BackupRetentionPeriod"] >= 7


def test_a_dev_database_keeps_fewer_backups(dev):
    (database,) = boto3.client("rds").describe_db_instances()["DBInstances"]
    assert database["BackupRetentionPeriod"] < 7


def test_the_database_is_reachable_only_from_the_proxy(production):
    rules = security_group(physical_id("production", "DatabaseSecurityGroup"))["IpPermissions"]
    sources = {pair["GroupId"] for rule in rules for pair in rule["UserIdGroupPairs"]}
    assert sources == {physical_id("production", "ProxySecurityGroup")}
    assert {(rule["FromPort"], rule["ToPort"]) for rule in rules} == {(5432, 5432)}
    assert not [rule for rule in rules if rule["IpRanges"]]
    proxy_rules = security_group(physical_id("production", "ProxySecurityGroup"))["IpPermissions"]
    assert {pair["GroupId"] for rule in proxy_rules for pair in rule["UserIdGroupPairs"]} == {
        production["FunctionSecurityGroupId"]
    }


def test_what_moto_ignores_of_the_database_the_template_says():
    """Moto's RDS ignores an instance's DeletionProtection and VPCSecurityGroups: read from the template."""
    database = template()["Resources"]["Database"]
    assert database["Properties"]["DeletionProtection"] == {"Fn::If": ["IsProduction", True, False]}
    assert database["Properties"]["VPCSecurityGroups"] == [{"Ref": "DatabaseSecurityGroup"}]
    assert database["DeletionPolicy"] == "Snapshot"


def role_policy(role_name):
    iam = boto3.client("iam")
    (policy_name,) = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    # Moto gap: a role's inline policy made by CloudFormation comes back as the text of a Python dict.
    return ast.literal_eval(document) if isinstance(document, str) else document


def statements(document):
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        yield statement, actions, resources


def test_only_lambda_may_assume_the_functions_role(production):
    role = boto3.client("iam").get_role(RoleName=FUNCTION)["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == (
        "Allow",
        {"Service": "lambda.amazonaws.com"},
        "sts:AssumeRole",
    )


def test_the_functions_role_reaches_only_the_stages_own_resources(production):
    """Its log group, its database user at the proxy, its network interfaces, its mail domain, itself (its
    asynchronous tasks) and its failed tasks' queue; the one "*" is EC2's Describe calls. No S3 at all: nothing it
    runs can rewrite the static files every page loads."""
    granted = {}
    for statement, actions, resources in statements(role_policy(FUNCTION)):
        assert statement["Effect"] == "Allow"
        assert not [action for action in actions if "*" in action]
        if resources == ["*"]:
            assert all(action.startswith("ec2:Describe") for action in actions)
        for action in actions:
            granted.setdefault(action, set()).update(resources)
    assert [action for action in granted if action.startswith("s3:")] == []
    account = production["AccountId"]
    log_group = f"arn:aws:logs:us-east-1:{account}:log-group:/aws/lambda/{FUNCTION}"
    assert granted["logs:PutLogEvents"] == {f"{log_group}:log-stream:*"}
    # The proxy's id is the last part of its ARN (moto has no proxy: a stand-in of the same shape).
    database_user = f"arn:aws:rds-db:us-east-1:{account}:dbuser:Proxy/{production['DatabaseUser']}"
    assert granted["rds-db:connect"] == {database_user}
    subnets = {f"arn:aws:ec2:us-east-1:{account}:subnet/{subnet}" for subnet in production["SubnetIds"].split(",")}
    assert subnets <= granted["ec2:CreateNetworkInterface"]
    identities = f"arn:aws:ses:us-east-1:{account}:identity/*"
    function = f"arn:aws:lambda:us-east-1:{account}:function:{FUNCTION}"
    assert granted["ses:SendRawEmail"] == {identities}
    assert granted["lambda:InvokeFunction"] == {function}
    assert granted["sqs:SendMessage"] == {production["FailedTasksQueueArn"]}
    assert production["FailedTasksQueueArn"] == f"arn:aws:sqs:us-east-1:{account}:{FUNCTION}-failed-tasks"
    own = (log_group, database_user, f"arn:aws:ec2:us-east-1:{account}:", identities, function)
    outside = [
        resource
        for resources in granted.values()
        for resource in resources
        if resource != "*" and not resource.startswith(own) and resource != production["FailedTasksQueueArn"]
    ]
    assert outside == []


def test_the_functions_role_as_the_template_gives_it_names_the_proxys_id():
    """What moto cannot show: the rds-db:connect resource is built from the proxy's ARN, whose seventh part is its
    id (arn:aws:rds:<region>:<account>:db-proxy:prx-0123456789abcdef0), and the user DATABASE_URL names."""
    policy = template()["Resources"]["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    (statement,) = [statement for statement in policy["Statement"] if statement["Action"] == "rds-db:connect"]
    pattern, names = statement["Resource"]["Fn::Sub"]
    assert names == {"ProxyId": {"Fn::Select": [6, {"Fn::Split": [":", {"Fn::GetAtt": ["Proxy", "DBProxyArn"]}]}]}}
    arn = "arn:aws:rds:us-east-1:210987654321:db-proxy:prx-0123456789abcdef0"
    resolved = pattern.replace("${ProxyId}", arn.split(":")[6]).replace("${AWS::Partition}", "aws")
    resolved = resolved.replace("${AWS::Region}", "us-east-1").replace("${AWS::AccountId}", "210987654321")
    user = template()["Resources"]["Database"]["Properties"]["MasterUsername"]
    assert resolved == f"arn:aws:rds-db:us-east-1:210987654321:dbuser:prx-0123456789abcdef0/{user}"
    assert template()["Resources"]["Proxy"]["Properties"]["Auth"][0]["IAMAuth"] == "REQUIRED"


def test_the_function_sends_e_mail_only_from_its_domain(production):
    (statement,) = [
        statement for statement, actions, _ in statements(role_policy(FUNCTION)) if "ses:SendRawEmail" in actions
    ]
    assert statement["Condition"] == {"StringLike": {"ses:FromAddress": f"*@{MAIL_DOMAIN}"}}


def test_a_task_kept_in_the_failed_tasks_queue_raises_an_alarm():
    """Moto creates no alarms: the template's, read as CloudFormation would resolve it."""
    alarm = template()["Resources"]["FailedTasksAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailedTasksQueue", "QueueName"]}}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_failed_tasks_queue_keeps_them_two_weeks_encrypted(production):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=f"{FUNCTION}-failed-tasks")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["MessageRetentionPeriod"], attributes["SqsManagedSseEnabled"]) == ("1209600", "true")


def deployer_policy(arn):
    iam = boto3.client("iam")
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


# What AWS does not let the deployer's policy scope to the stage, by statement, and why (the README's list).
DEPLOYER_EXCEPTIONS = {
    "Apis": "API Gateway chooses an API's id when Zappa creates it: until the stack is given ApiId, any API",
    "FindItsSchedules": "events:ListRuleNamesByTarget is authorised on rules, and Zappa asks it of every rule",
    "StatusMetricsAcceptNoResource": "cloudwatch:GetMetricStatistics accepts no resource",
}


def stage_resources(outputs, stage):
    """The prefixes of every ARN that is the stage's own."""
    account, region = outputs["AccountId"], "us-east-1"
    return (
        f"arn:aws:s3:::{outputs['CodeBucket']}",
        f"arn:aws:s3:::{outputs['StaticBucket']}",
        outputs["FunctionRoleArn"],
        f"arn:aws:lambda:{region}:{account}:function:{PROJECT}-{stage}",
        f"arn:aws:cloudformation:{region}:{account}:stack/{PROJECT}-{stage}/",
        f"arn:aws:cloudformation:{region}:{account}:stack/{PROJECT}-{stage}-infrastructure/",
        f"arn:aws:events:{region}:{account}:rule/{PROJECT}-{stage}-",
        f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{PROJECT}-{stage}",
    )


def outside_the_stage(policy, outputs, stage):
    """{statement id: [resources not the stage's]}."""
    own = stage_resources(outputs, stage)
    outside = {}
    for statement, actions, resources in statements(policy):
        assert statement["Effect"] == "Allow"
        assert not [action for action in actions if "*" in action]
        for resource in resources:
            if not resource.startswith(own):
                outside.setdefault(statement["Sid"], []).append(resource)
    return outside


def test_the_deployer_may_touch_only_the_stages_resources_but_the_listed_exceptions(production):
    policy = deployer_policy(production["DeployerPolicyArn"])
    outside = outside_the_stage(policy, production, "production")
    assert set(outside) == set(DEPLOYER_EXCEPTIONS)
    assert outside["StatusMetricsAcceptNoResource"] == ["*"]
    assert outside["FindItsSchedules"] == [f"arn:aws:events:us-east-1:{production['AccountId']}:rule/*"]
    # No secret, no log group deletion, nothing of another stage.
    actions = {action for _, actions, _ in statements(policy) for action in actions}
    assert not [action for action in actions if action.startswith(("secretsmanager:", "kms:"))]
    assert "logs:DeleteLogGroup" not in actions
    assert f"{PROJECT}-dev" not in json.dumps(policy)


def test_with_its_api_id_the_deployer_may_touch_only_that_api(aws):
    outputs = create_stack("production", ApiId="a1b2c3d4e5")
    outside = outside_the_stage(deployer_policy(outputs["DeployerPolicyArn"]), outputs, "production")
    assert sorted(outside["Apis"]) == [
        "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5",
        "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5/*",
        "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5",
        "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/*",
    ]


def test_the_stage_written_from_the_outputs_keeps_no_placeholder(production, tmp_path):
    settings_file = tmp_path / "zappa_settings.json"
    settings_file.write_text(SETTINGS_FILE.read_text())

    changed = write_stage("production", production, settings_file)

    stage = Stage("production", settings_file)
    assert {"s3_bucket", "role_arn", "vpc_config", "aws_environment_variables"} <= set(changed)
    assert stage.config["vpc_config"] == {
        "SubnetIds": production["SubnetIds"].split(","),
        "SecurityGroupIds": [production["FunctionSecurityGroupId"]],
    }
    assert stage.config["aws_environment_variables"]["AWS_STORAGE_BUCKET_NAME"] == production["StaticBucket"]
    assert stage.config["aws_environment_variables"]["CONN_MAX_AGE"] == "300"
    assert stage.config["aws_environment_variables"]["DEFAULT_FROM_EMAIL"] == f"todo@{MAIL_DOMAIN}"
    assert stage.config["dead_letter_arn"] == production["FailedTasksQueueArn"]
    written = json.dumps(stage.config)
    for placeholder in ("change-me", "123456789012", "subnet-0aaaa", "subnet-0bbbb", "sg-0cccc"):
        assert placeholder not in written
    assert write_stage("production", production, settings_file) == []


def test_a_custom_domain_is_an_allowed_host_and_a_trusted_origin(aws, tmp_path):
    outputs = {**create_stack("dev"), "DomainName": "todo.example.com"}
    settings_file = tmp_path / "zappa_settings.json"
    settings_file.write_text(SETTINGS_FILE.read_text())
    write_stage("dev", outputs, settings_file)
    variables = Stage("dev", settings_file).config["aws_environment_variables"]
    assert variables["ALLOWED_HOSTS"].split(",") == [".execute-api.us-east-1.amazonaws.com", "todo.example.com"]
    assert variables["CSRF_TRUSTED_ORIGINS"] == "https://todo.example.com"
    assert variables["SITE_URL"] == "https://todo.example.com/"


def test_the_stage_reaches_the_database_as_its_user_with_no_password(production, tmp_path):
    """Moto has no RDS Proxy and no CloudFront: their outputs, as the stack would give them."""
    outputs = production
    settings_file = tmp_path / "zappa_settings.json"
    settings_file.write_text(SETTINGS_FILE.read_text())
    write_stage("production", outputs, settings_file)
    variables = Stage("production", settings_file).config["aws_environment_variables"]
    assert variables["DATABASE_URL"] == (
        f"postgres://todo@{PROXY_ENDPOINT}:5432/todo?sslmode=verify-full&connect_timeout=5"
    )
    assert variables["DATABASE_IAM_AUTH"] == "true"
    assert variables["STATIC_URL"] == STATIC_URL
    assert not passwords(variables)


def passwords(variables):
    """The variables named like a password, and a DATABASE_URL that holds one."""
    named = [name for name in variables if set_secrets.PASSWORD_LIKE.search(name) and name != "DATABASE_URL"]
    url = variables.get("DATABASE_URL", "")
    return named + (["DATABASE_URL"] if url and urlsplit(url).password else [])


@pytest.mark.lambda_package
def test_the_stage_from_the_stack_deploys_updates_and_undeploys(dev, tmp_path, lambda_zip, capsys, monkeypatch, zappa):
    """The README's sequence on moto: stack, stage from its outputs, deploy, secrets, update, status, undeploy."""
    settings_file = tmp_path / "zappa_settings.json"
    settings_file.write_text(SETTINGS_FILE.read_text())
    write_stage("dev", dev, settings_file)
    stage = Stage("dev", settings_file)

    zappa(settings_file, "deploy", "dev", "--zip", str(lambda_zip))
    assert "Deployment complete!: https://" in capsys.readouterr().out
    function = boto3.client("lambda").get_function_configuration(FunctionName=stage.lambda_name)
    assert function["Role"] == dev["FunctionRoleArn"]
    assert function["VpcConfig"]["SubnetIds"] == dev["SubnetIds"].split(",")
    assert function["VpcConfig"]["SecurityGroupIds"] == [dev["FunctionSecurityGroupId"]]
    assert function["Environment"]["Variables"]["AWS_STORAGE_BUCKET_NAME"] == dev["StaticBucket"]
    # Moto keeps no dead-letter configuration: what Zappa asked Lambda for.
    (created,) = [parameters for operation, parameters in zappa.requests if operation == "CreateFunction"]
    assert created["DeadLetterConfig"] == {"TargetArn": dev["FailedTasksQueueArn"]}

    secrets = {"SECRET_KEY": "k" * 50}
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{name}={value}\n" for name, value in secrets.items())))
    set_secrets.main(["dev", "--settings-file", str(settings_file)])
    assert "now holds SECRET_KEY" in capsys.readouterr().out

    zappa(settings_file, "update", "dev", "--zip", str(lambda_zip))
    assert "Your updated Zappa deployment is live!" in capsys.readouterr().out
    variables = boto3.client("lambda").get_function_configuration(FunctionName=stage.lambda_name)["Environment"]
    assert variables["Variables"] == {**stage.config["aws_environment_variables"], **secrets}
    assert urlsplit(variables["Variables"]["DATABASE_URL"]).username == "todo"
    assert not passwords(variables["Variables"])
    zappa(settings_file, "status", "dev")
    assert stage.lambda_name in capsys.readouterr().out
    zappa(settings_file, "undeploy", "dev", "--yes")
    with pytest.raises(boto3.client("lambda").exceptions.ResourceNotFoundException):
        boto3.client("lambda").get_function(FunctionName=stage.lambda_name)

    allowed = {action for _, actions, _ in statements(deployer_policy(dev["DeployerPolicyArn"])) for action in actions}
    assert zappa.calls - {"sts:GetCallerIdentity"} <= allowed, "the deployer policy lacks actions these commands use"


MAILER_CALLS = """
import json

import botocore.client
from moto import mock_aws

calls = []
make_api_call = botocore.client.BaseClient._make_api_call


def call(client, operation_name, api_params):
    calls.append(f"{client.meta.service_model.signing_name}:{operation_name}")
    return make_api_call(client, operation_name, api_params)


botocore.client.BaseClient._make_api_call = call
with mock_aws():
    import boto3
    import django
    from django.conf import settings
    from django.core.mail import EmailMessage

    django.setup()
    domain = settings.DEFAULT_FROM_EMAIL.split("@")[1]
    boto3.client("ses", region_name="us-east-1").verify_domain_identity(Domain=domain)
    calls.clear()
    EmailMessage("A subject", "A body", to=["ann@example.com"]).send()
print(json.dumps(calls))
"""


def test_the_production_mailer_calls_only_what_the_functions_role_allows():
    """Moto allows any call: the SES calls production's mailer makes (django-ses, as settings/production.py
    configures it, sending one e-mail) must each be an action of the role's policy."""
    stage = Stage("production")
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_", "AWS_"))},
        **stage.function_environment(
            "http://unused.invalid", {"SECRET_KEY": "k" * 50, "DATABASE_URL": "sqlite://", "DATABASE_IAM_AUTH": "false"}
        ),
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.production",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    del environment["AWS_ENDPOINT_URL_SES"], environment["AWS_ENDPOINT_URL_S3"]
    result = subprocess.run(
        [sys.executable, "-c", MAILER_CALLS], cwd=SETTINGS_FILE.parent, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    calls = json.loads(result.stdout)
    assert calls, "the mailer made no call"
    policy = template()["Resources"]["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    allowed = {action for _, actions, _ in statements(policy) for action in actions}
    assert set(calls) <= allowed


def test_make_infrastructure_names_the_stack_and_its_project_from_the_settings_file():
    production = Stage("production")
    line = infrastructure.command(production, {"AlarmEmail": ALARM_EMAIL, "MailDomain": MAIL_DOMAIN})
    assert line[:3] == ["aws", "cloudformation", "deploy"]
    assert line[line.index("--stack-name") + 1] == f"{FUNCTION}-infrastructure"
    overrides = line[line.index("--parameter-overrides") + 1 :]
    assert overrides == [
        f"Project={production.config['project_name']}",
        "Stage=production",
        f"AlarmEmail={ALARM_EMAIL}",
        f"MailDomain={MAIL_DOMAIN}",
    ]
    assert set(template()["Parameters"]) >= {name.split("=")[0] for name in overrides}
