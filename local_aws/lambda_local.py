"""
Serve a Lambda package built by `make package` at http://127.0.0.1:<port>/<stage>/.

    python -m local_aws.lambda_local --stage dev --zip dist/<project>-dev-x86_64.zip [--port 8001]

The zip is unpacked into a temporary folder and its `handler.lambda_handler` runs in clean
interpreters (local_aws/runtime.py), started, reused and recycled as Lambda does it
(local_aws/pool.py), at most the stage's `lambda_concurrency` at once, behind a local API Gateway
(local_aws/bridge.py) of the stage's type: a REST API, or an HTTP API (`apigateway_version` v2).
The stage's AWS resources have local stand-ins: PostgreSQL from --database-url (default:
DATABASE_URL, else a database on the local server, created if missing) behind PgBouncer
standing in for RDS Proxy's pool (local_aws/database.py) and, for a stage with DATABASE_IAM_AUTH,
in front of it a TLS endpoint that checks the IAM token of each connection (local_aws/rds_proxy.py);
moto's S3 API with the stage's static bucket and the stack template's bucket policy, read by a
stand-in of the stage's CloudFront distribution, the site's STATIC_URL (local_aws/cloudfront.py);
moto's SES with the stage's sender verified (every message it accepts is written to
dist/mail/<stage>/ as an .eml file, emptied at start) and SQS with the stage's dead-letter queue;
and secrets in the function's environment with a freshly generated SECRET_KEY. The Lambda
Invoke API of the function (local_aws/lambda_api.py) serves Zappa's asynchronous tasks and `make
invoke`, at --lambda-port. Migrations (and createadmin with --admin) run through the handler's
"manage" events before the site is served, and collectstatic as the deployer runs it
(deploy/collectstatic.py); the function's log goes to stderr.
"""

import argparse
import contextlib
import dataclasses
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import typing
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2

from deploy.collectstatic import collectstatic
from deploy.collectstatic import environment as collectstatic_environment
from deploy.package import PACKAGE_INFO

from .aws_emulator import CREDENTIALS, REGION, AwsEmulator
from .bridge import ApiGatewayBridge
from .cloudfront import StaticDistribution
from .database import PgBouncer, Unavailable
from .events import api_host
from .lambda_api import LambdaApi
from .pool import IDLE_SECONDS, FunctionPool
from .rds_proxy import IamProxy
from .runtime import Snapshot, unpack
from .stage import BASE_DIR, Stage, create_database, local_secrets

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/todo_lambda_local"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m local_aws.lambda_local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--zip", required=True, type=Path, help="the package built by `make package`")
    parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    parser.add_argument(
        "--lambda-port", type=int, default=8002, help="the function's Lambda Invoke API (0 picks a free port)"
    )
    parser.add_argument(
        "--ses-latency", type=float, default=0, help="seconds SES takes to accept a message (default 0, moto's)"
    )
    parser.add_argument(
        "--retry-delays",
        default="2,4",
        help="seconds before the retries of a failed asynchronous invocation (Lambda's: 60,120; default 2,4)",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or LOCAL_DATABASE_URL)
    parser.add_argument(
        "--admin", metavar="EMAIL", help="create this administrator and print the link to set a password"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        help="instances that may run at once (default: the stage's lambda_concurrency; 0: no cap)",
    )
    parser.add_argument(
        "--proxy-pool",
        type=int,
        default=15,
        help="server connections of the RDS Proxy stand-in (default 15); 0 connects straight to the database",
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=IDLE_SECONDS,
        help=f"an instance idle this long is recycled (default {IDLE_SECONDS})",
    )
    parser.add_argument(
        "--environment",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a variable of the function's environment (CONN_MAX_AGE=0, say); may be repeated",
    )
    parser.add_argument("--stats", type=Path, help="write the instances' figures to this JSON file on exit")
    args = parser.parse_args(argv)
    # Stopped by a signal, still clean up: the temporary folder, the S3 API, the proxy, the instances.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    stage = Stage(args.stage)
    concurrency = stage.config.get("lambda_concurrency") if args.concurrency is None else args.concurrency or None
    try:
        create_database(args.database_url)
    except psycopg2.OperationalError as error:
        parser.error(f"PostgreSQL is not reachable (set DATABASE_URL or --database-url): {error}".strip())
    with contextlib.ExitStack() as stack:
        database_url = args.database_url
        if args.proxy_pool:
            try:
                database_url = stack.enter_context(PgBouncer(args.database_url, pool_size=args.proxy_pool)).url
            except Unavailable as error:
                parser.error(str(error))
        if stage.iam_database_auth:
            database_url = iam_proxy_url(stack, database_url)
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="lambda-local-"))
        mail_dir = BASE_DIR / "dist" / "mail" / stage.name
        shutil.rmtree(mail_dir, ignore_errors=True)
        aws = stack.enter_context(AwsEmulator(mail_dir=mail_dir, ses_latency=args.ses_latency))
        task_root = unpack(args.zip, folder)
        stage.provide_s3(aws)
        stage.provide_mail_and_queues(aws)
        distribution = stack.enter_context(StaticDistribution(aws.url, stage.static_bucket))
        environment = stage.function_environment(aws.url, local_secrets(database_url, iam_auth=stage.iam_database_auth))
        environment["STATIC_URL"] = distribution.static_url
        environment.update(variable.split("=", 1) for variable in args.environment)
        pool = FunctionPool(
            task_root,
            environment,
            timeout=stage.config["timeout_seconds"],
            concurrency=concurrency,
            idle_seconds=args.idle_seconds,
        )
        stack.callback(write_stats, pool, args.stats)
        stack.callback(pool.close)
        bridge = ApiGatewayBridge(
            pool, stage=stage.name, api_host=api_host(stage.region), http_api=stage.http_api, port=args.port
        )
        stack.callback(bridge.server_close)
        lambda_api = LambdaApi(
            pool,
            function_name=stage.lambda_name,
            dead_letter=dead_letter_queue(aws, stage.dead_letter_queue),
            retry_delays=[float(delay) for delay in args.retry_delays.split(",") if delay],
            port=args.lambda_port,
        )
        stack.callback(lambda_api.server_close)
        threading.Thread(target=lambda_api.serve_forever, daemon=True).start()
        # The function's tasks call this Lambda API; its e-mails link to this site.
        environment.update(AWS_ENDPOINT_URL_LAMBDA=lambda_api.url, SITE_URL=bridge.url)
        if stage.snap_start:
            # Closed by pool.close(), after the instances restored from it.
            pool.snapshot = Snapshot(task_root, environment, timeout=stage.config["timeout_seconds"])
        print("collectstatic, as the deployer", file=sys.stderr, flush=True)
        try:
            collectstatic(collectstatic_environment(stage, **environment))
        except subprocess.CalledProcessError as error:
            sys.exit(f"collectstatic failed:\n{error.stderr}")
        commands = ["migrate --noinput"]
        if args.admin:
            commands.append(f"createadmin {args.admin} {bridge.url.rstrip('/')}")
        for command in commands:
            print(f"manage {command}", file=sys.stderr, flush=True)
            invocation = pool.invoke({"manage": command})
            sys.stderr.write(invocation.logs)
            if invocation.error:
                sys.stderr.write("".join(invocation.error["stackTrace"]))
                sys.exit(f"manage {command} failed: {invocation.error['errorMessage']}")
        database = f"PostgreSQL through PgBouncer ({args.proxy_pool} connections)" if args.proxy_pool else "PostgreSQL"
        if stage.iam_database_auth:
            database += ", signed in to with IAM tokens over verified TLS"
        cap = f"at most {concurrency} instances" if concurrency else "no concurrency cap"
        api = "an HTTP API" if stage.http_api else "a REST API"
        print(f"{api}, {database}, {cap}; e-mails in {mail_dir.relative_to(BASE_DIR)}/", file=sys.stderr, flush=True)
        print(f"{built_for(args.zip, stage)}; {starts(stage)}", file=sys.stderr, flush=True)
        print(
            f"Serving {args.zip} at {bridge.url} (static files from {distribution.url}, AWS APIs at {aws.url}, "
            f"Lambda API at {lambda_api.url})",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            bridge.serve_forever()


def iam_proxy_url(stack, database_url):
    """Put the IAM stand-in of RDS Proxy in front of `database_url` (PgBouncer or PostgreSQL); the URL the
    function connects to: its user, no password, TLS verified against the stand-in's own certificate authority."""
    server = urlsplit(database_url)
    proxy = stack.enter_context(
        IamProxy(
            (server.hostname or "127.0.0.1", server.port or 5432),
            credentials={CREDENTIALS["AWS_ACCESS_KEY_ID"]: CREDENTIALS["AWS_SECRET_ACCESS_KEY"]},
            region=REGION,
        )
    )
    return proxy.url(server.username or "postgres", server.path.lstrip("/"))


class NotServing(Exception):
    pass


class Running(typing.NamedTuple):
    site: str
    static: str
    aws: str
    lambda_api: str


@contextlib.contextmanager
def background(package, database_url, log, *, stage="dev", admin=None, options=()):
    """Run lambda-local as `make lambda-local` does, on free ports; yields its Running URLs.

    Its log (the function's included) goes to the file `log`; `options` are more of its command-line options.
    Raises NotServing when it does not start, or does not stop cleanly.
    """
    command = [sys.executable, "-m", "local_aws.lambda_local", "--stage", stage, "--zip", str(package), "--port", "0"]
    command += ["--lambda-port", "0"]
    command += ["--database-url", database_url, *(["--admin", admin] if admin else []), *options]
    with log.open("w") as stderr:
        process = subprocess.Popen(command, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        deadline = time.monotonic() + 180
        line = ""
        while not line.startswith("Serving") and time.monotonic() < deadline and process.poll() is None:
            if select.select([process.stdout], [], [], deadline - time.monotonic())[0]:
                line = process.stdout.readline()
        served = (
            rf" at (http://\S+/{stage}/) \(static files from (http://\S+), AWS APIs at (http://\S+), "
            r"Lambda API at (http://\S+)\)"
        )
        match = re.search(served, line)
        if not match:
            raise NotServing(f"lambda-local did not start:\n{log.read_text()}")
        yield Running(*match.groups())
    finally:
        process.terminate()
        returncode = process.wait(timeout=60)
    if returncode != 0:
        raise NotServing(f"lambda-local exited with status {returncode}:\n{log.read_text()}")


def dead_letter_queue(aws, name):
    """Send a failed asynchronous invocation to the SQS queue `name` as Lambda does: the event as the body, the
    request id, status code and error message as attributes."""
    sqs = aws.client("sqs")
    queue = sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def send(event, request_id, error):
        sqs.send_message(
            QueueUrl=queue,
            MessageBody=json.dumps(event),
            MessageAttributes={
                "RequestID": {"DataType": "String", "StringValue": request_id},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {"DataType": "String", "StringValue": error["errorMessage"][:1024] or "-"},
            },
        )

    return send


def built_for(package, stage):
    """What the zip was built for, beside what the stage is deployed on."""
    with zipfile.ZipFile(package) as archive:
        architecture = json.loads(archive.read(PACKAGE_INFO))["architecture"]
    deployed = stage.architecture
    if architecture == deployed:
        return f"Built for {architecture}, as deployed"
    return f"Built for {architecture} (this machine); the stage is deployed on {deployed}, everything else the same"


def starts(stage):
    if stage.snap_start:
        return (
            "SnapStart's stand-in: new instances are forked from one primed interpreter (the zip imported, the "
            "before-snapshot hooks run), then run the after-restore hooks; AWS's time to load a snapshot is not shown"
        )
    return "new instances start a fresh interpreter (a cold start)"


def write_stats(pool, path):
    if path is not None:
        path.write_text(json.dumps(dataclasses.asdict(pool.stats)))


if __name__ == "__main__":
    main()
