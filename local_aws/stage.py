"""
A stage run here: what Lambda gives its function (environment, credentials), the stand-ins of its
bucket, mail domain and queue on the AWS emulator, its database on a local PostgreSQL server, and
Zappa's handler built in this process.
"""

import contextlib
import json
import sys
from secrets import token_urlsafe

import environ
import psycopg2
from psycopg2 import sql

from deploy import stage
from deploy.stage import BASE_DIR, SETTINGS_FILE, STACK_TEMPLATE, resolve, template  # noqa: F401 (for the tests)

from .aws_emulator import CREDENTIALS
from .events import ACCOUNT_ID, http_api_event, rest_event


class Stage(stage.Stage):
    """A stage run here. Until `make stage` writes it from its stack, its bucket and queue are named as the stack
    names them (deploy/aws/stack.yaml), in the emulator's account."""

    @property
    def static_bucket(self):
        if self.written:
            return super().static_bucket
        return f"{self.config['project_name']}-static-{self.name}-{ACCOUNT_ID}"

    @property
    def dead_letter_queue(self):
        if self.written:
            return super().dead_letter_queue
        return f"{self.lambda_name}-failed-tasks"

    @property
    def api_event(self):
        """The builder of the events the stage's API sends the function: http_api_event or rest_event."""
        return http_api_event if self.http_api else rest_event

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

    def function_environment(self, aws_endpoint, secrets, static_url=None):
        """The environment Lambda gives the function: its settings' variables and its `secrets`.

        `aws_endpoint` serves the S3 and SES APIs the function talks to (the AWS emulator). The stage's
        CloudFront address does not exist here: STATIC_URL is `static_url` (the distribution's stand-in,
        local_aws/cloudfront.py), else unset, and the pages name the files at the S3 API itself.
        """
        environment = {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.lambda_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.config["memory_size"]),
            **CREDENTIALS,
            **self.config.get("aws_environment_variables", {}),
            "AWS_STORAGE_BUCKET_NAME": self.static_bucket,
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

    def provide_mail_and_queues(self, emulator):
        """Verify the sender's domain in SES, as the stack does, and create the failed tasks' queue."""
        emulator.client("ses").verify_domain_identity(Domain=self.sender.rpartition("@")[2])
        emulator.client("sqs").create_queue(QueueName=self.dead_letter_queue)


def _create_bucket(client, name):
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=name)


def local_secrets(database_url, *, iam_auth=False):
    """The secrets of a stage, for a local run: a fresh secret key, and the local database in place of the
    stage's, signed in to with an IAM token (through local_aws/rds_proxy.py's stand-in) or not."""
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
