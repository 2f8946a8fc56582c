"""
Serve a Lambda package built by `make package` at http://127.0.0.1:<port>/<stage>/.

    python -m deploy.lambda_local --stage dev --zip dist/todo-site-dev.zip [--port 8001]

The zip is unpacked into a temporary folder and its `handler.lambda_handler` runs in a
clean interpreter (see deploy/runtime.py) behind a local API Gateway (deploy/bridge.py).
The stage's AWS resources have local stand-ins: PostgreSQL from --database-url (default:
DATABASE_URL, else a database on the local server, created if missing), moto's S3 API with
the stage's static bucket and policy, and the remote environment object holding a freshly
generated SECRET_KEY. Migrations and collectstatic (and createadmin with --admin) run through
the handler's "manage" events before the site is served; the function's log goes to stderr.
"""

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path

import psycopg2

from .bridge import ApiGatewayBridge
from .events import api_host
from .runtime import LocalFunction, unpack
from .s3_emulator import S3Emulator
from .stage import Stage, create_database, local_secrets

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/todo_lambda_local"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.lambda_local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--zip", required=True, type=Path, help="the package built by `make package`")
    parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or LOCAL_DATABASE_URL)
    parser.add_argument(
        "--admin", metavar="EMAIL", help="create this administrator and print the link to set a password"
    )
    args = parser.parse_args(argv)
    # Stopped by a signal, still clean up: the temporary folder, the S3 API, the function.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    stage = Stage(args.stage)
    try:
        create_database(args.database_url)
    except psycopg2.OperationalError as error:
        parser.error(f"PostgreSQL is not reachable (set DATABASE_URL or --database-url): {error}".strip())
    with tempfile.TemporaryDirectory(prefix="lambda-local-") as folder, S3Emulator() as s3:
        task_root = unpack(args.zip, folder)
        stage.provide_s3(s3)
        environment = stage.function_environment(s3.url, local_secrets(args.database_url))
        function = LocalFunction(task_root, environment, timeout=stage.config["timeout_seconds"])
        bridge = ApiGatewayBridge(function, stage=stage.name, api_host=api_host(stage.region), port=args.port)
        try:
            commands = ["migrate --noinput", "collectstatic --noinput"]
            if args.admin:
                commands.append(f"createadmin {args.admin} {bridge.url.rstrip('/')}")
            for command in commands:
                print(f"manage {command}", file=sys.stderr, flush=True)
                invocation = function.invoke({"manage": command})
                sys.stderr.write(invocation.logs)
                if invocation.error:
                    sys.stderr.write("".join(invocation.error["stackTrace"]))
                    sys.exit(f"manage {command} failed: {invocation.error['errorMessage']}")
            print(f"Serving {args.zip} at {bridge.url} (static files from {s3.url})", flush=True)
            bridge.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            bridge.server_close()
            function.close()


if __name__ == "__main__":
    main()
