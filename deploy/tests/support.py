"""Helpers of the Lambda tests: production's settings for a stage, a stage written from a stack, a stage's
scheduled event, the e-mails of `make lambda-local`."""

import email
import email.policy
import json
import os
import subprocess
import sys

from deploy.stage_from_stack import write_stage
from local_aws.invoke import scheduled_event
from local_aws.stage import BASE_DIR, SETTINGS_FILE, Stage, local_secrets

# Names of the request-facing production settings that the in-process handler tests apply.
REQUEST_SETTINGS = [
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
]


def production_settings(stage, s3_url, names, **variables):
    """Values of todo_site.settings.production, evaluated in a fresh interpreter with the stage's environment
    and `variables`."""
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))},
        **stage.function_environment(s3_url, local_secrets("postgres://todo@db.example.com:5432/todo")),
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.production",
        **variables,
    }
    script = (
        f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def stack_outputs(stage, **outputs):
    """Outputs of a stage's stack (deploy/aws/stack.yaml) in an account of its own, named as the stack names them."""
    account, region, name = "210987654321", stage.region, stage.lambda_name
    return {
        "Region": region,
        "CodeBucket": f"{stage.config['project_name']}-code-{stage.name}-{account}",
        "StaticBucket": stage.static_bucket,
        "FunctionRoleArn": f"arn:aws:iam::{account}:role/{name}",
        "SubnetIds": "subnet-1,subnet-2",
        "FunctionSecurityGroupId": "sg-1",
        "MailDomain": "example.com",
        "FailedTasksQueueArn": f"arn:aws:sqs:{region}:{account}:{name}-failed-tasks",
        "DatabaseUser": "todo",
        "DatabaseName": "todo",
        "ProxyEndpoint": f"{name}.proxy-abc.{region}.rds.amazonaws.com",
        "StaticUrl": "https://d111111abcdef8.cloudfront.net/static/",
        **outputs,
    }


def written_stage(name, folder, **outputs):
    """The stage as `make stage` writes it from stack_outputs(), in a copy of zappa_settings.json in `folder`."""
    settings_file = folder / "zappa_settings.json"
    settings_file.write_text(SETTINGS_FILE.read_text())
    write_stage(name, stack_outputs(Stage(name), **outputs), settings_file)
    return Stage(name, settings_file)


def mailed(stage):
    """The e-mails the stage's SES accepted, in order, as lambda-local writes them to dist/mail/<stage>/."""
    folder = BASE_DIR / "dist" / "mail" / stage
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def daily_event(stage):
    """What EventBridge sends the function for the stage's daily schedule."""
    (schedule,) = [event for event in stage.config["events"] if event["expression"] == "rate(1 day)"]
    return scheduled_event(stage, schedule["function"])
