"""
Zappa's "zip" callback (see zappa_settings.json): add bytecode that Lambda can use.

Zappa zips the sources with a 1980 timestamp, so bytecode checked against source
timestamps never matches on Lambda, and /var/task is read-only: every cold start would
compile every imported module again. The package is built without __pycache__ folders;
this adds bytecode compiled from the packaged sources with unchecked hashes, which the
interpreter loads as is.
"""

import compileall
import py_compile
import tempfile
import zipfile
from pathlib import Path


def compile_bytecode(cli):
    """Add unchecked-hash bytecode for every Python source in the zip that Zappa built."""
    with tempfile.TemporaryDirectory(prefix="lambda-bytecode-") as folder:
        root = Path(folder)
        with zipfile.ZipFile(cli.zip_path) as package:
            package.extractall(root, [name for name in package.namelist() if name.endswith(".py")])
        compileall.compile_dir(
            root,
            quiet=2,
            workers=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        with zipfile.ZipFile(cli.zip_path, "a", zipfile.ZIP_DEFLATED) as package:
            for bytecode in sorted(root.rglob("*.pyc")):
                entry = zipfile.ZipInfo(bytecode.relative_to(root).as_posix())
                entry.create_system = 3
                entry.external_attr = 0o644 << 16
                package.writestr(entry, bytecode.read_bytes(), zipfile.ZIP_DEFLATED)
