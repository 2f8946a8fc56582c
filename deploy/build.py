"""
`make package`: a stage's Lambda zip, built by Zappa from the locked dependencies, for the stage's architecture.

    python -m deploy.build STAGE [--architecture x86_64|arm64]

The stage's `architecture` (zappa_settings.json; Zappa's default x86_64) says which processor the
function runs on; production runs on arm64 (Graviton). Zappa packages the site-packages of the
virtualenv named by VIRTUAL_ENV. For this machine's architecture that is `.venv-package`, installed
from requirements.lock by `make`. For another one it is `.venv-package-<architecture>`, made here:
requirements.lock installed as usual (hash-checked), then every package that is not pure Python
installed again from its manylinux wheel for the target (hash-checked too: the lock holds the
hashes of every file of each pinned version). The build fails if an ELF file of another
architecture is left.

The zip is `dist/<project>-<stage>-<architecture>.zip` (<project>: zappa_settings.json's
project_name): `make package STAGE=production` builds the arm64 one that is deployed, and `make
lambda-local`, `make load` and the tests serve the stage built for this machine (`--architecture
x86_64` here). Zappa's `zip` callback (deploy/package.py) finishes it and makes it reproducible;
the last line printed is its SHA-256.
"""

import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.utils import canonicalize_name

from .package import elf_architecture

BASE_DIR = Path(__file__).resolve().parent.parent
LOCK_FILE = BASE_DIR / "requirements.lock"
PACKAGE_VENV = BASE_DIR / ".venv-package"
ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}  # Zappa's names, and the wheels' platform tags
# Lambda's python3.13 runtime is Amazon Linux 2023 (glibc 2.34): wheels for any manylinux up to 2.34 run on it.
GLIBC_MINORS = range(34, 16, -1)


def machine_architecture():
    machine = platform.machine()
    return {"aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def stage_architecture(stage):
    from .stage import Stage

    return Stage(stage).architecture


def output_path(stage, architecture):
    """dist/<project>-<stage>-<architecture>.zip: the function's name (zappa_settings.json's project_name and the
    stage), then the processor."""
    from .stage import Stage

    return BASE_DIR / "dist" / f"{Stage(stage).lambda_name}-{architecture}.zip"


def lock_entries(text):
    """{normalised name: the entry's lines} of a lock file written by `uv pip compile --generate-hashes`."""
    entries, name = {}, None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            name = canonicalize_name(re.split(r"[=<>;\s\[]", line, maxsplit=1)[0])
            entries[name] = [line]
        elif name is not None and line.startswith(" "):
            entries[name].append(line)
    return entries


def native_distributions(site_packages):
    """{name: dist-info folder} of the installed distributions that are not pure Python (their wheel's
    Root-Is-Purelib is false)."""
    found = {}
    for wheel in site_packages.glob("*.dist-info/WHEEL"):
        if "Root-Is-Purelib: false" in wheel.read_text():
            metadata = (wheel.parent / "METADATA").read_text()
            found[canonicalize_name(re.search(r"^Name: (.+)$", metadata, re.MULTILINE)[1].strip())] = wheel.parent
    return found


def recorded_files(site_packages, dist_info):
    """The paths an installed distribution's RECORD lists."""
    return [site_packages / row.rsplit(",", 2)[0] for row in (dist_info / "RECORD").read_text().splitlines()]


def file_architecture(path):
    """elf_architecture() of a file, reading only its header."""
    with path.open("rb") as file:
        return elf_architecture(file.read(20))


def remove(site_packages, dist_info):
    """Delete an installed distribution's files (its RECORD lists them), as `pip uninstall` would."""
    for path in recorded_files(site_packages, dist_info):
        if path.is_file():
            path.unlink()
    for folder in sorted({path.parent for path in site_packages.rglob("*")}, key=lambda p: len(p.parts), reverse=True):
        if folder != site_packages and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    shutil.rmtree(dist_info, ignore_errors=True)


def foreign_site_packages(architecture):
    """A virtualenv-shaped folder whose site-packages hold requirements.lock built for `architecture`."""
    venv = BASE_DIR / f".venv-package-{architecture}"
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = venv / "lib" / version / "site-packages"
    stamp = venv / ".lock-sha256"
    lock = LOCK_FILE.read_bytes()
    if stamp.exists() and stamp.read_text() == hashlib.sha256(lock).hexdigest():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    site_packages.mkdir(parents=True)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    locked = ["--require-hashes", "--no-deps", "--target", str(site_packages)]
    subprocess.run([*pip, *locked, "-r", str(LOCK_FILE)], check=True)
    entries = lock_entries(lock.decode())
    installed = native_distributions(site_packages)
    native = sorted(installed)
    for dist_info in installed.values():
        remove(site_packages, dist_info)
    tag = ARCHITECTURES[architecture]
    platforms = [f"--platform=manylinux_2_{minor}_{tag}" for minor in GLIBC_MINORS] + [
        f"--platform=manylinux2014_{tag}"
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lock") as subset:
        subset.write("\n".join(line for name in native for line in entries[name]) + "\n")
        subset.flush()
        subprocess.run(
            [*pip, *locked, "--upgrade", "--only-binary=:all:", *platforms]
            + ["--python-version", f"{sys.version_info.major}.{sys.version_info.minor}", "--implementation", "cp"]
            + ["-r", subset.name],
            check=True,
        )
    shutil.rmtree(site_packages / "bin", ignore_errors=True)  # the scripts pip installed for the target
    wrong = sorted(
        str(path.relative_to(site_packages))
        for path in site_packages.rglob("*")
        if path.is_file() and file_architecture(path) not in (None, architecture)
    )
    if wrong:
        raise SystemExit(f"{len(wrong)} native files of another architecture in {site_packages}: {', '.join(wrong)}")
    for name, dist_info in native_distributions(site_packages).items():
        files = recorded_files(site_packages, dist_info)
        if not any(path.is_file() and file_architecture(path) == architecture for path in files):
            raise SystemExit(f"{name} has no native code for {architecture} in {site_packages}")
    stamp.write_text(hashlib.sha256(lock).hexdigest())
    print(f"Built {', '.join(native)} for {architecture} into {venv.name}", flush=True)
    return venv


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.build", description=__doc__.strip().splitlines()[0])
    parser.add_argument("stage")
    parser.add_argument("--architecture", choices=sorted(ARCHITECTURES), help="default: the stage's")
    args = parser.parse_args(argv)
    architecture = args.architecture or stage_architecture(args.stage)
    venv = PACKAGE_VENV if architecture == machine_architecture() else foreign_site_packages(architecture)
    output = output_path(args.stage, architecture)
    output.parent.mkdir(exist_ok=True)
    environment = {**os.environ, "VIRTUAL_ENV": str(venv)}
    zappa = Path(sys.executable).parent / "zappa"
    subprocess.run([zappa, "package", args.stage, "--output", output], cwd=BASE_DIR, env=environment, check=True)
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    print(f"{output.relative_to(BASE_DIR)}: {architecture}, {output.stat().st_size / 1e6:.1f} MB")
    print(f"SHA-256: {digest}")


if __name__ == "__main__":
    main()
