"""Page weight: the todo page with its CSS and JavaScript, and the asset set of the book's Flask todo app.

The anchor is what that app's pages load before any HTML of their own: Bootstrap 4's CSS and
JavaScript, jQuery 3.3.1 and Popper, the minified files of their npm packages.
"""

import gzip
import json
import shutil
import subprocess
import sys
import tarfile

from deploy.stage import BASE_DIR

ANCHOR = {
    "bootstrap@4.3.1": ["package/dist/css/bootstrap.min.css", "package/dist/js/bootstrap.min.js"],
    "jquery@3.3.1": ["package/dist/jquery.min.js"],
    "popper.js@1.14.7": ["package/dist/umd/popper.min.js"],
}


def todo_page(todos):
    """[(part, bytes, gzipped bytes)] of the todo page of a user with `todos` todos."""
    result = subprocess.run(
        [sys.executable, "scripts/page_weight.py", "--todos", str(todos), "--json"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return [tuple(part) for part in json.loads(result.stdout)]


def anchor(workdir):
    """The anchor's files from the npm registry, or None without npm."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    workdir.mkdir(parents=True, exist_ok=True)
    parts = []
    for package, members in ANCHOR.items():
        result = subprocess.run([npm, "pack", package, "--silent"], cwd=workdir, capture_output=True, text=True)
        if result.returncode != 0:
            return None
        with tarfile.open(workdir / result.stdout.strip().splitlines()[-1]) as archive:
            for member in members:
                content = archive.extractfile(member).read()
                parts.append((f"{package} {member.rsplit('/', 1)[-1]}", len(content), len(gzip.compress(content))))
    return parts
