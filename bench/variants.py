"""Zip callbacks for the lever ladder of `make bench`: the steps of deploy/package.py, fewer of them.

The packages they finish differ from `make package` only by the steps they leave out, so each
rung of the ladder measures what one step is worth.
"""

import sys
from pathlib import Path

# Zappa loads a callback module by its file, outside any package: make the project importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.package import add_bytecode, add_static_manifest


def bytecode(cli):
    add_bytecode(Path(cli.zip_path))


def bytecode_and_static_manifest(cli):
    add_static_manifest(Path(cli.zip_path))
    add_bytecode(Path(cli.zip_path))
