"""
A Zappa stage as zappa_settings.json describes it, and local stand-ins for what it needs on AWS.

On AWS a stage's function gets the Lambda role's credentials, its `aws_environment_variables`
and the secrets an operator put into its environment (deploy/set_secrets.py); it stores static
files in its bucket and talks to PostgreSQL. Here the S3 API is moto's server and PostgreSQL a local
server; everything else comes from the same settings file and the stack template (deploy/aws/stack.yaml).
"""

import contextlib
import json
import re
import sys
import types
from pathlib import Path
from secrets import token_urlsafe

import environ
import psycopg2
from psycopg2 import sql
from zappa.cli import ZappaCLI

from .aws_emulator import CREDENTIALS
from .events import http_api_event, rest_event

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
    def static_bucket(self):
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

    @property
    def api_event(self):
        """The builder of the events the stage's API sends the function: http_api_event or rest_event."""
        return http_api_event if self.http_api else rest_event

    def zappa_settings(self):
        """The `zappa_settings` module Zappa generates into the package, which its handler imports."""
        cli = ZappaCLI()
        cli.api_stage = self.name
        cli.load_credentials = False
        cli.load_settings(str(self.settings_file))
        module = types.ModuleType("zappa_settings")
        exec(cli.get_zappa_settings_string(), module.__dict__)  # noqa: S102 - Zappa's generated settings
        return module

    def handler(self):
        """Zappa's LambdaHandler for the stage, built in this process as Lambda's runtime builds it.

        Returns the function Lambda calls, taking an event. The handler is a singleton that keeps
        the first settings it read; this forgets it, as a fresh instance of the function would.
        """
        # The settings first: with INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT, importing zappa.handler builds the handler.
        sys.modules["zappa_settings"] = self.zappa_settings()
        # Imported here: zappa.handler configures the root logger when it is imported.
        from zappa.handler import LambdaHandler

        from .runtime import Context

        LambdaHandler._LambdaHandler__instance = None
        LambdaHandler("zappa_settings")
        return lambda event: LambdaHandler.lambda_handler(event, Context(timeout=30))

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

    def function_environment(self, aws_endpoint, secrets, static_url=None):
        """The environment Lambda gives the function: its settings' variables and its `secrets`.

        `aws_endpoint` serves the S3 and SES APIs the function talks to (the AWS emulator). The stage's
        CloudFront address does not exist here: STATIC_URL is `static_url` (the distribution's stand-in,
        deploy/cloudfront.py), else unset, and the pages name the files at the S3 API itself.
        """
        environment = {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.lambda_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.config["memory_size"]),
            **CREDENTIALS,
            **self.config.get("aws_environment_variables", {}),
            **secrets,
            "AWS_ENDPOINT_URL_S3": aws_endpoint,
            "AWS_ENDPOINT_URL_SES": aws_endpoint,
            "STATIC_URL": static_url,
        }
        return {name: value for name, value in environment.items() if value is not None}

    def provide_s3(self, s3):
        """Create the static bucket with its policy, but for the statement that refuses plain HTTP, which is all
        the emulator speaks (moto applies a policy's denials)."""
        client = s3.client()
        _create_bucket(client, self.static_bucket)
        policy = self.static_bucket_policy()
        policy["Statement"] = [statement for statement in policy["Statement"] if statement["Sid"] != "OnlyOverTls"]
        client.put_bucket_policy(Bucket=self.static_bucket, Policy=json.dumps(policy))

    @property
    def sender(self):
        return self.config["aws_environment_variables"]["DEFAULT_FROM_EMAIL"]

    @property
    def dead_letter_queue(self):
        """The name of the SQS queue of the stage's `dead_letter_arn`."""
        return self.config["dead_letter_arn"].rpartition(":")[2]

    def provide_mail_and_queues(self, emulator):
        """Verify the sender's domain in SES, as the stack does, and create the failed tasks' queue."""
        emulator.client("ses").verify_domain_identity(Domain=self.sender.rpartition("@")[2])
        emulator.client("sqs").create_queue(QueueName=self.dead_letter_queue)


def _create_bucket(client, name):
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=name)


def local_secrets(database_url, *, iam_auth=False):
    """The secrets of a stage, for a local run: a fresh secret key, and the local database in place of the
    stage's, signed in to with an IAM token (through deploy/rds_proxy.py's stand-in) or not."""
    return {
        "SECRET_KEY": token_urlsafe(50),
        "DATABASE_URL": database_url,
        "DATABASE_IAM_AUTH": "true" if iam_auth else "false",
        "EMAIL_URL": "consolemail://",
    }


def _connect_to_server(url):
    config = environ.Env.db_url_config(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    connection.autocommit = True
    return connection, config["NAME"]


def create_database(url):
    """Create the PostgreSQL database of `url` unless it exists, in RDS's default time zone, UTC.

    Django sets the time zone of every new connection whose server's zone differs from UTC
    (Etc/UTC on Debian, say), a session state that would pin each connection to RDS Proxy.
    """
    connection, name = _connect_to_server(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("ALTER DATABASE {} SET timezone TO 'UTC'").format(sql.Identifier(name)))
    connection.close()


def drop_database(url):
    connection, name = _connect_to_server(url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.close()
