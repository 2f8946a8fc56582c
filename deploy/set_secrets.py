"""
Put a stage's secrets into its Lambda function's environment, keeping every other variable.

    .venv-package/bin/python -m deploy.set_secrets production < production.env

The one secret the site needs is SECRET_KEY. The database has no password in the function: it signs
an IAM token for each connection to RDS Proxy, and DATABASE_URL (a user, the proxy's address, no
password) is a plain setting of the stage, written by `make stage`. So a name like a password, and
DATABASE_URL, are refused here.

stdin holds NAME=value lines (blank lines and # comments are skipped), so values never show on
a command line, in shell history or in the repository. Lambda keeps its environment encrypted
at rest (with the stage's `aws_kms_key_arn` for a key of your own), hands it to the function
before its code starts, so a cold start spends nothing on fetching secrets, and `zappa update`
keeps the variables zappa_settings.json does not name. Prints the names it set, never a value.
"""

import argparse
import re
import sys
from pathlib import Path

import boto3

from .stage import SETTINGS_FILE, Stage

REQUIRED = ("SECRET_KEY",)
# What would put a database password back into the function.
PASSWORD_LIKE = re.compile(r"PASS|PWD|DATABASE_URL", re.IGNORECASE)


class SecretsError(Exception):
    pass


def parse(lines):
    """{NAME: value} from NAME=value lines."""
    secrets = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise SecretsError(f"line {number}: expected NAME=value")
        secrets[name] = value.strip()
    return secrets


def check(stage, secrets):
    """Refuse what would be lost or leave the function unable to start."""
    refused = sorted(name for name in secrets if PASSWORD_LIKE.search(name))
    if refused:
        raise SecretsError(
            f"{', '.join(refused)}: the function holds no database password (it signs an IAM token for each "
            "connection) and DATABASE_URL is the stage's, written by `make stage`"
        )
    named = set(stage.config.get("aws_environment_variables", {})) & set(secrets)
    if named:
        raise SecretsError(
            f"{', '.join(sorted(named))}: set in zappa_settings.json, where `zappa update` would overwrite it"
        )
    empty = [name for name, value in secrets.items() if not value]
    if empty:
        raise SecretsError(f"{', '.join(empty)}: empty")


def set_secrets(client, function_name, secrets):
    """Merge `secrets` into the function's environment; returns the names of every secret it now holds."""
    configuration = client.get_function_configuration(FunctionName=function_name)
    variables = configuration.get("Environment", {}).get("Variables", {})
    merged = {**variables, **secrets}
    client.update_function_configuration(FunctionName=function_name, Environment={"Variables": merged})
    client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    return sorted(name for name in merged if name in REQUIRED or name in secrets)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.set_secrets", description=__doc__.split("\n\n")[0])
    parser.add_argument("stage")
    parser.add_argument("--settings-file", type=Path, default=SETTINGS_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    stage = Stage(args.stage, args.settings_file)
    try:
        secrets = parse(sys.stdin)
        if not secrets:
            raise SecretsError("no NAME=value lines on stdin")
        check(stage, secrets)
    except SecretsError as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
    client = boto3.client("lambda", region_name=stage.region)
    held = set_secrets(client, stage.lambda_name, secrets)
    print(f"{stage.lambda_name} now holds {', '.join(held)}")
    missing = [name for name in REQUIRED if name not in held]
    if missing:
        print(f"Still missing, the site will not start without them: {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
