"""
Create or update a stage's CloudFormation stack (deploy/aws/stack.yaml) with the AWS CLI.

    make infrastructure STAGE=production ALARM_EMAIL=you@example.com MAIL_DOMAIN=example.com
    make infrastructure STAGE=production PARAMS="DomainName=todo.example.com ApiId=a1b2c3d4e5"

The stack is <project>-<stage>-infrastructure and its Project parameter zappa_settings.json's
project_name, so the names of everything it makes come from that one place. An update keeps the
parameters not given (the CLI's `deploy` reuses them). Needs an administrator's credentials the
first time (it creates roles and policies).
"""

import argparse
import shutil
import subprocess
import sys

from . import aws_access
from .stage import STACK_TEMPLATE, Stage
from .stage_from_stack import stack_name


def command(stage, parameters):
    """The AWS CLI's command line that creates or updates the stage's stack with `parameters` ({name: value})."""
    overrides = {"Project": stage.config["project_name"], "Stage": stage.name, **parameters}
    return [
        "aws", "cloudformation", "deploy",
        "--template-file", str(STACK_TEMPLATE),
        "--stack-name", stack_name(stage.name),
        "--region", stage.region,
        "--capabilities", "CAPABILITY_NAMED_IAM",
        "--no-fail-on-empty-changeset",
        "--parameter-overrides", *(f"{name}={value}" for name, value in overrides.items()),
    ]  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.infrastructure", description=__doc__.split("\n\n")[0])
    parser.add_argument("stage")
    parser.add_argument("parameters", nargs="*", metavar="NAME=VALUE", help="the stack's parameters")
    args = parser.parse_args(argv)
    stage = Stage(args.stage)
    parameters = dict(parameter.split("=", 1) for parameter in args.parameters if "=" in parameter)
    parameters = {name: value for name, value in parameters.items() if value}
    if shutil.which("aws") is None:
        parser.exit(2, f"{parser.prog}: the AWS CLI (v2) is needed: see https://aws.amazon.com/cli/\n")
    try:
        aws_access.check(stage.region)
    except aws_access.AwsAccessError as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
    sys.exit(subprocess.run(command(stage, parameters), check=False).returncode)


if __name__ == "__main__":
    main()
