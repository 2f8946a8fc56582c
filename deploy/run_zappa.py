"""
Zappa's command line for a stage, as the Makefile's deploy targets run it.

    python -m deploy.run_zappa production deploy        # make deploy STAGE=production
    python -m deploy.run_zappa production manage migrate   # make manage STAGE=production CMD=migrate

`deploy` and `update` upload the zip `make package` built for the stage's architecture
(dist/<project>-<stage>-<architecture>.zip), once `make stage` has written the stage from its
stack. Before Zappa starts, what would stop it is said in one line (no credentials, another region
than the stage's, a stage not written yet, no zip) rather than as a traceback.
"""

import argparse
import os
import sys
from pathlib import Path

from . import aws_access
from .build import output_path
from .stage import NotWritten, Stage

UPLOADS = ("deploy", "update")


def zappa_arguments(stage, command, arguments):
    """The arguments of Zappa's command line; raises AwsAccessError when the stage's zip is missing."""
    extra = []
    if command in UPLOADS:
        stage.require_written()
    if command in UPLOADS and "--zip" not in arguments:
        package = output_path(stage.name, stage.architecture)
        if not package.exists():
            raise aws_access.AwsAccessError(f"No {package.name}: build it first with make package STAGE={stage.name}.")
        extra = ["--zip", str(package)]
    return [command, stage.name, *arguments, *extra]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.run_zappa", description=__doc__.split("\n\n")[0])
    parser.add_argument("stage")
    parser.add_argument("command", help="a Zappa command: deploy, update, manage, status, tail, undeploy, ...")
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    stage = Stage(args.stage)
    try:
        aws_access.check(stage.region)
        command = zappa_arguments(stage, args.command, args.arguments)
    except (aws_access.AwsAccessError, NotWritten) as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
    zappa = Path(sys.executable).with_name("zappa")
    os.execv(zappa, [str(zappa), *command])  # noqa: S606 - Zappa itself, with the arguments built above


if __name__ == "__main__":
    main()
