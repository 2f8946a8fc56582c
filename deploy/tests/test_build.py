"""
The package as deployed: locked dependencies installed with their hashes checked, the production
zip built for arm64 on this machine, and the same sources giving the same bytes.
"""

import hashlib
import json
import random
import subprocess
import sys
import zipfile

import pytest

from deploy.build import lock_entries, machine_architecture, output_path, stage_architecture
from deploy.package import PACKAGE_INFO, architectures, elf_architecture, make_reproducible
from deploy.stage import BASE_DIR

LOCKS = {
    "requirements.txt": "requirements.lock",
    "requirements-dev.txt": "requirements-dev.lock",
    "bench/requirements.txt": "bench/requirements.lock",
}
# The native code production needs on arm64: the database driver, the password hasher's bindings and cffi.
NATIVE_MODULES = ("psycopg2/_psycopg.", "_argon2_cffi_bindings/_ffi.", "_cffi_backend.")


def pins(requirements):
    """{name: version} of the `name==version` lines of a requirements file."""
    return {
        name.lower().split("[")[0]: version
        for name, _, version in (
            line.split(";")[0].split()[0].partition("==")
            for line in (BASE_DIR / requirements).read_text().splitlines()
            if line and not line.startswith((" ", "#", "-"))
        )
    }


@pytest.mark.parametrize("requirements", LOCKS)
def test_every_locked_package_is_pinned_with_hashes_and_holds_the_direct_pins(requirements):
    lock = (BASE_DIR / LOCKS[requirements]).read_text()
    entries = lock_entries(lock)
    assert entries
    for name, lines in entries.items():
        assert "==" in lines[0], name
        assert any("--hash=sha256:" in line for line in lines), name
    locked = pins(LOCKS[requirements])
    for name, version in pins(requirements).items():
        assert locked[name] == version, name


def test_the_development_locks_install_the_runtime_lock_s_versions():
    runtime = pins("requirements.lock")
    for lock in ("requirements-dev.lock", "bench/requirements.lock"):
        locked = pins(lock)
        assert {name: locked.get(name) for name in runtime} == runtime, lock


def test_every_make_target_that_installs_checks_the_lock_s_hashes(tmp_path):
    """What `make` would run for each virtualenv, from a checkout without any: pip from a lock, hashes required."""
    result = subprocess.run(
        ["make", "-n", "-B", ".venv/.runtime", ".venv/.dev", ".venv-package/.runtime", ".venv/.bench"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    installs = [line for line in result.stdout.splitlines() if "pip install" in line]
    assert len(installs) == 4, result.stdout
    for line in installs:
        assert "--require-hashes" in line
        assert line.split()[-2:][0] == "-r"
        assert line.split()[-1].endswith(".lock")


def wheel(folder, name, version):
    """A minimal pure-Python wheel, made here: (its path, its SHA-256)."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}.py", "ANSWER = 42\n")
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        archive.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        archive.writestr(f"{info}/RECORD", "")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("tampered", [False, True])
def test_pip_installs_from_a_lock_only_what_matches_its_hash(tmp_path, tampered):
    """The flags the Makefile installs with (PIP_LOCKED), on a lock whose file does or does not match its hash."""
    path, digest = wheel(tmp_path, "lockcheck", "1.0")
    if tampered:
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("lockcheck_extra.py", "")
    (tmp_path / "test.lock").write_text(f"lockcheck==1.0 \\\n    --hash=sha256:{digest}\n")
    makefile = (BASE_DIR / "Makefile").read_text()
    flags = makefile.split("PIP_LOCKED := ", 1)[1].splitlines()[0].split()
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--isolated", *flags, str(tmp_path / "test.lock")]
        + ["--no-index", "--find-links", str(tmp_path), "--target", str(tmp_path / "installed")],
        capture_output=True,
        text=True,
    )
    if tampered:
        assert result.returncode != 0
        assert "DO NOT MATCH THE HASHES" in result.stderr
        assert not (tmp_path / "installed" / "lockcheck.py").exists()
    else:
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "installed" / "lockcheck.py").read_text() == "ANSWER = 42\n"


def test_elf_headers_name_their_architecture():
    with open(sys.executable, "rb") as interpreter:
        assert elf_architecture(interpreter.read(20)) == machine_architecture()
    arm64 = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x03\x00" + (183).to_bytes(2, "little")
    assert elf_architecture(arm64) == "arm64"
    assert elf_architecture(b"#!/bin/sh\necho not an ELF file") is None


def shuffled_zip(path, files, seed):
    """A zip of `files` written in a random order, dated now, as Zappa's folder walk and added files leave it."""
    names = sorted(files)
    random.Random(seed).shuffle(names)  # noqa: S311 (an order, not a secret)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            entry = zipfile.ZipInfo(name, date_time=(2026, 12, 3, seed % 24, seed % 60, 0))
            entry.external_attr = 0o755 << 16
            archive.writestr(entry, files[name])
    return path


def test_the_same_files_in_any_order_and_at_any_time_give_the_same_zip(tmp_path):
    record = b"pkg/b.py,sha256=abc,6\n"
    files = {"a.py": b"A = 1\n", "pkg/b.py": b"B = 2\n", "pkg/__init__.py": b"", PACKAGE_INFO: b'{"uuid": "x"}'}
    # A package's scripts are installed outside the zip, with the path of the build's interpreter in them.
    first = shuffled_zip(
        tmp_path / "first.zip", {**files, "pkg-1.dist-info/RECORD": b"../../bin/b,sha256=one,9\n" + record}, 1
    )
    second = shuffled_zip(
        tmp_path / "second.zip",
        {**files, PACKAGE_INFO: b'{"uuid": "y"}', "pkg-1.dist-info/RECORD": b"../../bin/b,sha256=two,9\n" + record},
        7,
    )
    assert first.read_bytes() != second.read_bytes()
    make_reproducible(first)
    make_reproducible(second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == sorted([*files, "pkg-1.dist-info/RECORD"])
        assert archive.read("pkg-1.dist-info/RECORD") == record
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        info = json.loads(archive.read(PACKAGE_INFO))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=True)
    assert info["commit"].removesuffix("-dirty") == head.stdout.strip()
    assert info["architecture"] == "any"


def test_a_zip_that_mixes_architectures_is_refused(tmp_path):
    x86 = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x03\x00" + (62).to_bytes(2, "little") + bytes(44)
    arm64 = x86[:18] + (183).to_bytes(2, "little") + bytes(44)
    package = shuffled_zip(tmp_path / "mixed.zip", {"a.so": x86, "b.so": arm64}, 3)
    with pytest.raises(SystemExit, match="several architectures"):
        make_reproducible(package)


@pytest.mark.lambda_package
def test_the_deployed_production_zip_holds_aarch64_code_only():
    """`make package STAGE=production`, on this x86_64 machine: every ELF file of the zip is for AArch64."""
    assert stage_architecture("production") == "arm64"
    result = subprocess.run(
        ["make", "--no-print-directory", "package", "STAGE=production"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    package = output_path("production", "arm64")
    assert architectures(package) == {"arm64": architectures(package)["arm64"]}
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        info = json.loads(archive.read(PACKAGE_INFO))
    for module in NATIVE_MODULES:
        (native,) = [name for name in names if name.startswith(module) and ".so" in name]
        assert "x86_64" not in native
    assert info["architecture"] == "arm64"
    assert f"SHA-256: {hashlib.sha256(package.read_bytes()).hexdigest()}" in result.stdout.splitlines()[-1]
