"""
Upload a stage's static files to its bucket with the deployer's credentials.

    make collectstatic STAGE=production    # .venv-package/bin/python -m deploy.collectstatic production

The function's role has no S3 permission at all, so that nothing running in it can rewrite the
scripts every page loads: `zappa manage <stage> "collectstatic --noinput"` is refused by S3.
This runs Django's collectstatic here instead, with the stage's settings (todo_site.settings.production
and the stage's variables; SECRET_KEY a throwaway one, since collectstatic signs nothing) and the
credentials of the environment (the deployer's profile, whose policy may write the bucket's static/).
The hashed names are those of the manifest `make package` put in the zip, from the same sources.
"""

import argparse
import os
import subprocess
import sys
from secrets import token_urlsafe

from . import aws_access
from .stage import BASE_DIR, SETTINGS_FILE, NotWritten, Stage


def environment(stage, **overrides):
    """The environment of collectstatic for `stage`: this one, the stage's variables and `overrides`."""
    return {
        **os.environ,
        **stage.config.get("aws_environment_variables", {}),
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.production",
        "SECRET_KEY": token_urlsafe(50),
        "AWS_REGION": stage.region,
        **overrides,
    }


def collectstatic(environment):
    """Run collectstatic in a fresh process; raises CalledProcessError with its output when it fails."""
    return subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.collectstatic", description=__doc__.split("\n\n")[0])
    parser.add_argument("stage")
    args = parser.parse_args(argv)
    stage = Stage(args.stage, SETTINGS_FILE)
    try:
        aws_access.check(stage.region)
        bucket = stage.static_bucket
    except (aws_access.AwsAccessError, NotWritten) as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
    try:
        output = collectstatic(environment(stage))
    except subprocess.CalledProcessError as error:
        parser.exit(1, f"{parser.prog}: collectstatic failed for s3://{bucket}/static/\n{error.stderr}")
    print(f"{output.strip()} (s3://{bucket}/static/)")


if __name__ == "__main__":
    main()
