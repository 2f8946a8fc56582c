"""
Zappa's "zip" callback (see zappa_settings.json): finish the package Zappa built.

`finish_package` runs three steps on the zip, each a lever measured by `make bench`, and then
makes it reproducible:

- `trim`: leave out what the function never loads: the distributions only Zappa's command line
  uses (derived from Zappa's metadata and its handler's imports, see `command_line_only`),
  botocore's models of the AWS services it does not call (all but a handful, three quarters of
  the package), the translations of languages the site does not speak (it speaks English and
  Simplified Chinese) and gettext's `.po` sources (Django reads only the compiled `.mo` catalogues).
- `add_static_manifest`: the manifest of hashed static file names, computed from the sources
  being packaged, so a cold start reads it from the package instead of from the bucket.
- `add_bytecode`: Zappa zips the sources with a 1980 timestamp, so bytecode checked against
  source timestamps never matches on Lambda, and /var/task is read-only: every cold start
  would compile every imported module again. The package is built without __pycache__
  folders; this adds bytecode compiled from the packaged sources with unchecked hashes,
  which the interpreter loads as is.
- `make_reproducible`: the same commit gives the same bytes. Zappa writes the entries in the order
  its folder walk finds them, dates the `__init__.py` files it adds, and writes a package_info.json
  with a random id, the build time and the user; the zip is rewritten with its entries sorted by
  name, all dated 1980-01-01 as Zappa dates the others, and a package_info.json that names the
  commit it was built from (with "-dirty" if the checkout had changes) and the architecture of its
  native code, read from the ELF files themselves. The packages' RECORD files lose the lines of
  their scripts, installed outside the zip with the build's own interpreter path in them.
"""

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = Path(__file__).resolve().parent.parent
# The AWS services the function calls: S3 (collectstatic), SES (e-mail) and Lambda (its asynchronous tasks);
# importing zappa.asynchronous also makes clients of SNS, STS and DynamoDB.
BOTOCORE_SERVICES = {"s3", "ses", "lambda", "sns", "sts", "dynamodb"}
BOTOCORE_MODEL = re.compile(r"botocore/data/(?P<service>[^/]+)/")
# The site's languages (settings.LANGUAGES), as Django names their locale folders.
LOCALES = {"en", "zh_Hans"}
LOCALE = re.compile(r"(?:^|/)locale/(?P<language>[a-z]{2,3}(?:_[A-Za-z0-9]+)*)/")
STATIC_MANIFEST = "todo_site/staticfiles.json"
PACKAGE_INFO = "package_info.json"
LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the zip
# ELF's e_machine values (the System V ABI), as Zappa names the architectures.
ELF_MACHINES = {62: "x86_64", 183: "arm64"}
COLLECT_MANIFEST = """
import sys

import django
from django.core.management import call_command
from django.test.utils import override_settings

django.setup()
storages = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
with override_settings(STATIC_ROOT=sys.argv[1], STORAGES=storages):
    call_command("collectstatic", interactive=False, verbosity=0)
"""


def finish_package(cli):
    package = Path(cli.zip_path)
    trim(package)
    add_static_manifest(package)
    add_bytecode(package)
    make_reproducible(package)


def _rewrite(package, keep):
    """Rewrite the zip with only the entries for which keep(name) is true."""
    kept = package.with_suffix(".trimmed")
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(kept, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if keep(entry.filename):
                target.writestr(entry, source.read(entry), compress_type=entry.compress_type)
    kept.replace(package)


def _needed(name):
    model = BOTOCORE_MODEL.match(name)
    locale = LOCALE.search(name)
    return (
        not name.endswith(".po")
        and (model is None or model["service"] in BOTOCORE_SERVICES)
        and (locale is None or locale["language"] in LOCALES)
    )


def trim(package):
    with zipfile.ZipFile(package) as archive:
        zappas_own = left_out(archive.namelist())
    _rewrite(package, lambda name: _needed(name) and name not in zappas_own)


def _add(package, files):
    """Add {name in the zip: bytes} with read-only file permissions, as Zappa's own entries."""
    with zipfile.ZipFile(package, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            entry = zipfile.ZipInfo(name)
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, content, zipfile.ZIP_DEFLATED)


def add_static_manifest(package):
    """Collect the static files as the bucket will get them, and keep the manifest of their names.

    The names hash each file's content, so collectstatic on Lambda produces the same manifest.
    """
    with tempfile.TemporaryDirectory(prefix="lambda-static-") as folder:
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": folder,
            "DJANGO_SETTINGS_MODULE": "todo_site.settings.base",
        }
        subprocess.run(
            [sys.executable, "-c", COLLECT_MANIFEST, folder], cwd=BASE_DIR, env=environment, check=True, timeout=300
        )
        # Django writes the names in the order it found the files, which is the file system's: sort them.
        manifest = json.loads((Path(folder) / "staticfiles.json").read_text())
        manifest["paths"] = dict(sorted(manifest["paths"].items()))
        _add(package, {STATIC_MANIFEST: json.dumps(manifest).encode()})


def add_bytecode(package):
    """Add unchecked-hash bytecode for every Python source in the zip."""
    with tempfile.TemporaryDirectory(prefix="lambda-bytecode-") as folder:
        root = Path(folder)
        with zipfile.ZipFile(package) as archive:
            archive.extractall(root, [name for name in archive.namelist() if name.endswith(".py")])
        # Each code object names its source file as Lambda will see it, not the folder of this build. A fresh
        # process, one file after the other, a fixed hash seed: marshal flags a constant that is referenced more
        # than once when it writes it, which depends on the state of the process that compiles (two clones built
        # from Zappa's own process once differed by that flag alone).
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-j", "1", "-s", str(root), "-p", LAMBDA_TASK_ROOT]
            + ["--invalidation-mode", "unchecked-hash", str(root)],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONHASHSEED": "0"},
            check=True,
            timeout=600,
        )
        _add(package, {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.pyc"))})


def elf_architecture(header):
    """The architecture of an ELF file from its first 20 bytes (x86_64, arm64, or the machine's number), or
    None if they are not an ELF header."""
    if header[:4] != b"\x7fELF" or len(header) < 20:
        return None
    machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
    return ELF_MACHINES.get(machine, str(machine))


def architectures(package):
    """{architecture: number of ELF files} of a zip."""
    found = {}
    with zipfile.ZipFile(package) as archive:
        for entry in archive.infolist():
            with archive.open(entry) as member:
                architecture = elf_architecture(member.read(20))
            if architecture:
                found[architecture] = found.get(architecture, 0) + 1
    return found


def commit():
    """The commit the project's files come from: its hash, "-dirty" if they have changed since, or "unknown"."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=True)
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=BASE_DIR, capture_output=True, text=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("-dirty" if changes.stdout.strip() else "")


def record_inside(record):
    """A wheel's RECORD without the files installed outside site-packages (its scripts, "../../bin/..."), which
    the zip does not carry and whose hashes cover the build's own interpreter path."""
    return b"".join(line for line in record.splitlines(keepends=True) if not line.startswith(b"../"))


def make_reproducible(package):
    """Rewrite the zip so that the same sources give the same bytes, with a package_info.json naming them."""
    found = architectures(package)
    if len(found) > 1:
        raise SystemExit(f"{package} mixes the native code of several architectures: {found}")
    info = {"commit": commit(), "architecture": next(iter(found), "any")}
    rewritten = package.with_suffix(".reproducible")
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        entries = {entry.filename: entry for entry in source.infolist() if not entry.is_dir()}
        for name in sorted(entries):
            entry = entries[name]
            content = json.dumps(info, indent=4).encode() if name == PACKAGE_INFO else source.read(entry)
            if name.endswith(".dist-info/RECORD"):
                content = record_inside(content)
            fixed = zipfile.ZipInfo(name)  # dated 1980-01-01 00:00
            fixed.create_system = 3
            fixed.external_attr = entry.external_attr & 0xFFFF0000
            target.writestr(fixed, content, zipfile.ZIP_DEFLATED)
    rewritten.replace(package)


# What of Zappa's own dependencies the package leaves out: those only its command line uses. Zappa's
# distribution requires what `zappa deploy` needs on the deployer's machine (click, troposphere, requests,
# pip, setuptools, ...) besides what its handler needs on Lambda. The package leaves out every distribution
# Zappa requires, directly or not, that neither the site's other direct dependencies (requirements.txt)
# require nor Zappa's handler imports when it runs, as traced in a fresh interpreter that, like Lambda's,
# reads no .pth file: the list follows Zappa's metadata as it changes, instead of a list kept by hand.
# What Lambda runs of Zappa: its handler, and the asynchronous tasks' module it imports for a task.
HANDLER_MODULES = ("zappa.handler", "zappa.asynchronous")
TRACE = """
import importlib, json, sys
sys.path.append(sys.argv[1])
for module in sys.argv[2:]:
    importlib.import_module(module)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def closure(requirements):
    """The names of the installed distributions `requirements` (Requirement objects) need, directly or not."""
    found = {}
    pending = [(canonicalize_name(requirement.name), set(requirement.extras)) for requirement in requirements]
    while pending:
        name, extras = pending.pop()
        if name in found and extras <= found[name]:
            continue
        found.setdefault(name, set()).update(extras)
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in requires:
            requirement = Requirement(text)
            environments = [{"extra": extra} for extra in found[name]] or [{"extra": ""}]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
                pending.append((canonicalize_name(requirement.name), set(requirement.extras)))
    return set(found)


def direct_requirements(path=BASE_DIR / "requirements.txt"):
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def imported_by_the_handler():
    """The distributions whose modules Zappa's handler imports, in an interpreter without site processing."""
    result = subprocess.run(
        [sys.executable, "-S", "-c", TRACE, sysconfig.get_paths()["purelib"], *HANDLER_MODULES],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    owners = importlib.metadata.packages_distributions()
    return {canonicalize_name(owner) for module in json.loads(result.stdout) for owner in owners.get(module, [])}


def command_line_only():
    """The distributions only Zappa's command line needs: sorted names."""
    site = closure(
        requirement for requirement in direct_requirements() if canonicalize_name(requirement.name) != "zappa"
    )
    zappa = closure([Requirement("zappa")]) - {"zappa"}
    handler = closure(Requirement(name) for name in imported_by_the_handler() - {"zappa"})
    return sorted(zappa - site - handler)


def files(distributions):
    """The paths, as in the package (relative to site-packages), of the files of `distributions`."""
    paths = set()
    for name in distributions:
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        paths.update(path.as_posix() for path in distribution.files or [] if ".." not in path.parts)
    return paths


def left_out(names):
    """The names of the zip that belong to a distribution only Zappa's command line uses: one of its files, or
    anything under a folder only those distributions install (Zappa adds an __init__.py to every folder)."""
    unneeded = set(command_line_only())
    dropped = files(unneeded)
    kept = files(
        distribution.metadata["Name"]
        for distribution in importlib.metadata.distributions()
        if canonicalize_name(distribution.metadata["Name"]) not in unneeded
    )
    folders = {path.split("/", 1)[0] for path in dropped if "/" in path} - {path.split("/", 1)[0] for path in kept}
    return {name for name in names if name in dropped or name.split("/", 1)[0] in folders}
