"""
Write a stage of zappa_settings.json from the outputs of its CloudFormation stack (deploy/aws/stack.yaml).

    .venv-package/bin/python -m deploy.stage_from_stack production

Reads the stack `<project>-<stage>-infrastructure` and writes into the stage its region, code bucket,
role, subnets and security group, static bucket and its CloudFront address, the database's address at
RDS Proxy (a user and no password: the function signs an IAM token for each connection), allowed hosts
(the custom domain's too, its origin as a trusted CSRF origin and the site's address), the sender of
e-mails and the failed tasks' queue: every account-, region- or resource-specific value the stage
holds, so nothing is edited by hand. Other keys and variables of the stage stay as they are. Prints
what changed.
"""

import argparse
import json
import sys
from urllib.parse import urlencode

import boto3
import botocore.exceptions

from . import aws_access
from .stage import SETTINGS_FILE, Stage


def stack_name(stage):
    """Zappa names its own stack after the function, <project>-<stage>; the infrastructure's is another."""
    return f"{Stage(stage).lambda_name}-infrastructure"


def outputs(client, stage):
    (stack,) = client.describe_stacks(StackName=stack_name(stage))["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def database_url(outputs):
    """DATABASE_URL: the database's user at RDS Proxy, with no password (DATABASE_IAM_AUTH: an IAM token each
    connection), over TLS with the proxy's certificate verified against its host name.

    connect_timeout makes an unreachable database fail within seconds with the site's 503 page, not at
    API Gateway's 29 s timeout.
    """
    options = urlencode({"sslmode": "verify-full", "connect_timeout": 5})
    return f"postgres://{outputs['DatabaseUser']}@{outputs['ProxyEndpoint']}:5432/{outputs['DatabaseName']}?{options}"


def stage_settings(outputs, variables):
    """The settings of a stage from its stack's outputs; `variables` are the stage's environment variables now."""
    region = outputs["Region"]
    hosts = [f".execute-api.{region}.amazonaws.com"]
    variables = {
        **variables,
        "AWS_STORAGE_BUCKET_NAME": outputs["StaticBucket"],
        "STATIC_URL": outputs["StaticUrl"],
        "DATABASE_URL": database_url(outputs),
        "DATABASE_IAM_AUTH": "true",
        "DEFAULT_FROM_EMAIL": f"todo@{outputs['MailDomain']}",
    }
    if outputs.get("DomainName"):
        hosts.append(outputs["DomainName"])
        variables["CSRF_TRUSTED_ORIGINS"] = f"https://{outputs['DomainName']}"
        variables["SITE_URL"] = f"https://{outputs['DomainName']}/"
    variables["ALLOWED_HOSTS"] = ",".join(hosts)
    return {
        "aws_region": region,
        "s3_bucket": outputs["CodeBucket"],
        "role_name": outputs["FunctionRoleArn"].rpartition("/")[2],
        "role_arn": outputs["FunctionRoleArn"],
        "vpc_config": {
            "SubnetIds": outputs["SubnetIds"].split(","),
            "SecurityGroupIds": [outputs["FunctionSecurityGroupId"]],
        },
        "dead_letter_arn": outputs["FailedTasksQueueArn"],
        "aws_environment_variables": variables,
    }


def write_stage(name, outputs, settings_file=SETTINGS_FILE):
    """Write the stage's settings from the outputs; returns the keys whose value changed."""
    stage = Stage(name, settings_file)
    written = stage_settings(outputs, stage.config.get("aws_environment_variables", {}))
    document = json.loads(settings_file.read_text())
    changed = sorted(key for key, value in written.items() if stage.config.get(key) != value)
    document[name].update(written)
    settings_file.write_text(json.dumps(document, indent=4, ensure_ascii=False) + "\n")
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m deploy.stage_from_stack", description=__doc__.split("\n\n")[0].strip()
    )
    parser.add_argument("stage")
    parser.add_argument("--region", help="where the stack is (default: the stage's aws_region)")
    args = parser.parse_args(argv)
    region = args.region or Stage(args.stage).region
    try:
        aws_access.check(region)
        found = outputs(boto3.client("cloudformation", region_name=region), args.stage)
    except aws_access.AwsAccessError as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        parser.exit(2, f"{parser.prog}: {aws_access.explain(error, stack_name(args.stage))}\n")
    changed = write_stage(args.stage, found)
    print(f"{SETTINGS_FILE.name} [{args.stage}]: {', '.join(changed) or 'already up to date'}", file=sys.stdout)


if __name__ == "__main__":
    main()
