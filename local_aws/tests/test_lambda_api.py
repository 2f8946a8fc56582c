"""The local Lambda Invoke API refuses what Lambda refuses, before any instance runs (the rest: through
`make lambda-local` in test_production_package.py), and `make invoke` says what is wrong."""

import json
import subprocess
import sys
import threading

import pytest
from botocore.exceptions import ClientError

from deploy.stage import BASE_DIR
from local_aws.aws_emulator import local_client
from local_aws.lambda_api import LambdaApi


@pytest.fixture
def api():
    api = LambdaApi(pool=None, function_name="example-dev", workers=0)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    yield api
    api.shutdown()
    api.server_close()


@pytest.fixture
def client(api):
    return local_client("lambda", api.url)


def error_code(call):
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"]


def test_another_function_is_not_found(client):
    assert error_code(lambda: client.invoke(FunctionName="someone-else", Payload=b"{}")) == "ResourceNotFoundException"


def test_an_asynchronous_event_over_256_kb_is_refused(client, api):
    payload = json.dumps({"padding": "x" * 262_144})
    call = lambda: client.invoke(FunctionName="example-dev", InvocationType="Event", Payload=payload)  # noqa: E731
    assert error_code(call) == "RequestTooLargeException"
    assert api.queued() == []


def test_an_asynchronous_event_is_accepted_and_queued_by_name_or_arn(client, api):
    arn = "arn:aws:lambda:us-east-1:123456789012:function:example-dev:$LATEST"
    for name in ("example-dev", arn):
        answer = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
        assert answer["StatusCode"] == 202
    assert api.queued() == [{"n": 1}, {"n": 1}]


def invoke(*arguments):
    command = [sys.executable, "-m", "local_aws.invoke", *arguments]
    return subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, timeout=60)


def test_make_invoke_names_a_function_the_stage_does_not_schedule():
    result = invoke("--stage", "production", "--function", "todo_site.tasks.nothing")
    assert result.returncode == 2
    assert "the production stage schedules no todo_site.tasks.nothing" in result.stderr


def test_make_invoke_without_lambda_local_says_to_start_it(api):
    api.shutdown()
    api.server_close()
    result = invoke("--stage", "production", "--function", "todo_site.tasks.daily_digests", "--endpoint", api.url)
    assert result.returncode == 1
    assert "start `make lambda-local STAGE=production`" in result.stderr
