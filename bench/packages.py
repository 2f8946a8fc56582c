"""The packages `make bench` measures: the baseline, the rungs of the lever ladder, and `make package`'s.

Each rung is the production stage of zappa_settings.json with the levers above it taken away,
packaged by Zappa from the runtime-only virtualenv, exactly as `make package` packages the real one.
"""

import copy
import glob
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.build import machine_architecture, output_path, stage_architecture
from local_aws.stage import BASE_DIR, Stage

PACKAGE_VENV = BASE_DIR / ".venv-package"
STAGE = "production"
# Where the rungs with `remote_env` find their secrets.
REMOTE_ENV_BUCKET, REMOTE_ENV_KEY = f"{Stage(STAGE).lambda_name}-bench-config", f"{STAGE}.json"


@dataclass
class Rung:
    name: str
    label: str
    remote_env: bool
    zip_path: Path


def dependency_excludes(patterns):
    """The exclude_glob patterns that drop installed packages (Zappa's command-line-only ones)."""
    (site_packages,) = (PACKAGE_VENV / "lib").glob("python3.*/site-packages")
    return [pattern for pattern in patterns if glob.glob(str(site_packages / pattern))]


def ladder_settings():
    """(name, label, remote_env, stage config) per rung, each adding one lever to the one before."""
    production = {key: value for key, value in Stage(STAGE).config.items() if key != "extends"}
    lean_excludes = dependency_excludes(production["exclude_glob"])
    stock = copy.deepcopy(production)
    stock.pop("callbacks")
    stock["exclude_glob"] = [pattern for pattern in production["exclude_glob"] if pattern not in lean_excludes]
    # Zappa's own packaging keeps the installed packages' __pycache__, bytecode stale once unpacked.
    stock["exclude"] = [pattern for pattern in production["exclude"] if pattern != "__pycache__"]
    stock["remote_env"] = f"s3://{REMOTE_ENV_BUCKET}/{REMOTE_ENV_KEY}"
    bytecode = {
        **copy.deepcopy(stock),
        "callbacks": {"zip": "bench.variants.bytecode"},
        "exclude": production["exclude"],  # the stale __pycache__ out, valid bytecode in
    }
    env_secrets = {key: value for key, value in bytecode.items() if key != "remote_env"}
    manifest = {**copy.deepcopy(env_secrets), "callbacks": {"zip": "bench.variants.bytecode_and_static_manifest"}}
    return [
        ("stock", "Zappa's packaging, secrets from S3 (remote_env)", True, stock),
        ("bytecode", "+ valid bytecode in the zip", True, bytecode),
        ("env_secrets", "+ secrets in the function's environment", False, env_secrets),
        ("static_manifest", "+ static manifest in the zip", False, manifest),
    ]


def zappa_package(settings_file, output):
    subprocess.run(
        [PACKAGE_VENV / "bin/zappa", "package", STAGE, "--settings_file", settings_file, "--output", output],
        cwd=BASE_DIR,
        env={"PATH": f"{PACKAGE_VENV / 'bin'}:/usr/bin:/bin", "VIRTUAL_ENV": str(PACKAGE_VENV), "HOME": str(BASE_DIR)},
        check=True,
        capture_output=True,
    )


def build(workdir, *, ladder):
    """The packages to measure: `make package STAGE=production`'s zip, after every rung of the ladder if asked."""
    rungs = []
    for name, label, remote_env, config in ladder_settings() if ladder else []:
        settings = workdir / f"{name}.json"
        settings.write_text(json.dumps({STAGE: config}, indent=4))
        zappa_package(settings, workdir / f"{name}.zip")
        rungs.append(Rung(name, label, remote_env, workdir / f"{name}.zip"))
    # Measured here, so built for this machine's processor: the same zip as the deployed one but for its native code.
    architecture = machine_architecture()
    subprocess.run(
        ["make", "--no-print-directory", "package", f"STAGE={STAGE}", f"ARCH={architecture}"], cwd=BASE_DIR, check=True
    )
    final = output_path(STAGE, architecture)
    rungs.append(
        Rung("make_package", "+ lean zip: `make package` (only S3's botocore model, no CLI tools)", False, final)
    )
    return rungs


def deployed():
    """The zip `make package STAGE=production` builds for the stage's own architecture: the one uploaded."""
    subprocess.run(["make", "--no-print-directory", "package", f"STAGE={STAGE}"], cwd=BASE_DIR, check=True)
    return output_path(STAGE, stage_architecture(STAGE))
