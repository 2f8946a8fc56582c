"""The targets that talk to AWS say in one line what is missing, as a new user meets it, not a traceback."""

import os
import subprocess
import sys

import pytest
from moto import mock_aws

from deploy import collectstatic, run_zappa, stage_from_stack
from deploy.stage import BASE_DIR, Stage

from .support import written_stage


def without_aws():
    """This environment with no AWS credentials or region anywhere botocore looks."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    return {
        **environment,
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        "AWS_CONFIG_FILE": "/nonexistent/config",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@pytest.mark.parametrize(
    "command",
    [
        ["deploy.stage_from_stack", "production"],
        ["deploy.collectstatic", "production"],
        ["deploy.run_zappa", "production", "status"],
        ["deploy.run_zappa", "production", "manage", "migrate"],
    ],
    ids=["stage", "collectstatic", "status", "manage"],
)
def test_without_credentials_each_says_so_in_one_line(command):
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=BASE_DIR, env=without_aws(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "No AWS credentials: set AWS_PROFILE" in line
    assert "Traceback" not in result.stderr


def test_another_region_than_the_stages_is_named(monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    with pytest.raises(SystemExit) as exited:
        run_zappa.main(["production", "status"])
    assert exited.value.code == 2
    assert "The stage is in us-east-1 (its aws_region) but this shell names eu-west-1" in capsys.readouterr().err


def test_a_missing_stack_is_named(monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with mock_aws(), pytest.raises(SystemExit) as exited:
        stage_from_stack.main(["production"])
    assert exited.value.code == 2
    stack = f"{Stage('production').lambda_name}-infrastructure"
    assert f"No stack {stack} in this region: create it first" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("main", "arguments"),
    [
        (run_zappa.main, ["production", "deploy"]),
        (run_zappa.main, ["production", "update"]),
        (collectstatic.main, ["production"]),
    ],
    ids=["deploy", "update", "collectstatic"],
)
def test_a_stage_not_yet_written_from_its_stack_is_named(monkeypatch, capsys, main, arguments):
    """The committed settings hold nothing of an account's stack: the role, buckets and subnets come from it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(arguments)
    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith(
        "The production stage of zappa_settings.json holds nothing of its stack yet: "
        "make infrastructure STAGE=production, then make stage STAGE=production."
    )


def test_deploy_and_update_upload_the_stages_zip_and_need_it_built(tmp_path, monkeypatch):
    production = written_stage("production", tmp_path)
    monkeypatch.setattr(run_zappa, "output_path", lambda stage, architecture: tmp_path / f"{stage}-{architecture}.zip")
    with pytest.raises(run_zappa.aws_access.AwsAccessError, match="make package STAGE=production"):
        run_zappa.zappa_arguments(production, "deploy", [])
    (tmp_path / "production-arm64.zip").write_bytes(b"PK")
    assert run_zappa.zappa_arguments(production, "update", []) == [
        "update",
        "production",
        "--zip",
        str(tmp_path / "production-arm64.zip"),
    ]
    assert run_zappa.zappa_arguments(production, "rollback", ["-n", "1"]) == ["rollback", "production", "-n", "1"]
