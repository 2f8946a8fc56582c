"""
A Zappa stage as zappa_settings.json describes it, and the stack template it is deployed with
(deploy/aws/stack.yaml). The local stand-ins of what it needs on AWS are local_aws/stage.py's.

The settings file holds what the project chooses; what an account's stack decides (its code
bucket, the function's role, subnets, the static bucket, the database's address, the failed
tasks' queue) is written into the stage by `make stage` (deploy/stage_from_stack.py) from the
stack's outputs, and is absent until then.
"""

import re
import types
from pathlib import Path

from zappa.cli import ZappaCLI

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILE = BASE_DIR / "zappa_settings.json"
# The stage's infrastructure: one CloudFormation template, the one place of its policies.
STACK_TEMPLATE = BASE_DIR / "deploy" / "aws" / "stack.yaml"


def template():
    """The stack's template as data, intrinsic functions as {"Fn::Sub": ...} and the like (cfn-lint's reader)."""
    from cfnlint.decode.cfn_yaml import load

    return load(str(STACK_TEMPLATE))


def resolve(value, names):
    """A template value with its Ref, Fn::GetAtt and Fn::Sub resolved from `names` ({"Bucket.Arn": ...})."""
    if isinstance(value, dict):
        if list(value) == ["Ref"]:
            return names[value["Ref"]]
        if list(value) == ["Fn::GetAtt"]:
            return names[".".join(value["Fn::GetAtt"])]
        if list(value) == ["Fn::Sub"]:
            return re.sub(r"\$\{([^}]+)\}", lambda match: names[match[1]], value["Fn::Sub"])
        return {key: resolve(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, names) for item in value]
    return value


class NotWritten(Exception):
    """The stage holds nothing of its stack yet: `make stage` has not written it."""


class Stage:
    def __init__(self, name, settings_file=SETTINGS_FILE):
        cli = ZappaCLI()
        cli.api_stage = name
        cli.load_settings_file(str(settings_file))
        self.settings_file = settings_file
        self.name = name
        self.config = cli.stage_config
        self.lambda_name = f"{self.config['project_name']}-{name}"
        self.region = self.config["aws_region"]

    @property
    def written(self):
        """Whether `make stage` has written the stage from its stack's outputs (the function's role among them)."""
        return "role_arn" in self.config

    def require_written(self):
        if not self.written:
            raise NotWritten(
                f"The {self.name} stage of zappa_settings.json holds nothing of its stack yet: "
                f"make infrastructure STAGE={self.name}, then make stage STAGE={self.name}."
            )

    @property
    def static_bucket(self):
        self.require_written()
        return self.config["aws_environment_variables"]["AWS_STORAGE_BUCKET_NAME"]

    @property
    def architecture(self):
        """The processor the stage's function runs on: its "architecture", else Zappa's default x86_64."""
        return self.config.get("architecture", "x86_64")

    @property
    def snap_start(self):
        """Whether Lambda starts the stage's new instances from a snapshot (SnapStart on published versions)."""
        return self.config.get("snap_start", "None") not in (None, "None")

    @property
    def http_api(self):
        """Whether API Gateway serves the stage as an HTTP API (payload 2.0) rather than a REST API."""
        return self.config.get("apigateway_version", "v1") == "v2"

    def zappa_settings(self):
        """The `zappa_settings` module Zappa generates into the package, which its handler imports."""
        cli = ZappaCLI()
        cli.api_stage = self.name
        cli.load_credentials = False
        cli.load_settings(str(self.settings_file))
        module = types.ModuleType("zappa_settings")
        exec(cli.get_zappa_settings_string(), module.__dict__)  # noqa: S102 - Zappa's generated settings
        return module

    def static_bucket_policy(self, distribution="E2LOCALSTANDIN"):
        """The static bucket's policy as the stack gives it (only the stage's CloudFront distribution reads
        static/*), for this stage's bucket and a `distribution` id."""
        document = template()["Resources"]["StaticBucketPolicy"]["Properties"]["PolicyDocument"]
        names = {
            "StaticBucket.Arn": f"arn:aws:s3:::{self.static_bucket}",
            "AWS::Partition": "aws",
            "AWS::AccountId": "123456789012",
            "StaticDistribution": distribution,
        }
        return resolve(document, names)

    @property
    def iam_database_auth(self):
        """Whether the function signs in to the database with an IAM token (through RDS Proxy)."""
        return self.config.get("aws_environment_variables", {}).get("DATABASE_IAM_AUTH", "").lower() == "true"

    @property
    def sender(self):
        return self.config["aws_environment_variables"]["DEFAULT_FROM_EMAIL"]

    @property
    def dead_letter_queue(self):
        """The name of the SQS queue of the stage's `dead_letter_arn`."""
        self.require_written()
        return self.config["dead_letter_arn"].rpartition(":")[2]
