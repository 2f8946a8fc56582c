"""Function instances started, reused, capped and recycled as Lambda does, behind the local API Gateway.

The function here is a small handler that waits, when asked, until the test opens a gate, so that
invocations overlap exactly when the test says; each instance is a real clean interpreter.
"""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from local_aws.bridge import ApiGatewayBridge
from local_aws.pool import FunctionPool, Throttled

HANDLER = """
import base64, json, os, pathlib, time

def lambda_handler(event, context):
    body = event
    if "httpMethod" in event or event.get("version") == "2.0":
        raw = event.get("body")
        body = json.loads(base64.b64decode(raw) if raw else "{}")
    gate = body.get("wait_for")
    if gate:
        pathlib.Path(gate + ".started").touch()
        while not os.path.exists(gate):
            time.sleep(0.01)
    answer = json.dumps({"pid": os.getpid()})
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": answer}
"""


@pytest.fixture
def task_root(tmp_path):
    root = tmp_path / "task"
    root.mkdir()
    (root / "handler.py").write_text(HANDLER)
    return root


@pytest.fixture
def make_pool(task_root):
    pools = []

    def make(**options):
        pool = FunctionPool(task_root, {}, timeout=30, **options)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


class Gate:
    """Holds an invocation inside the function until `open()`."""

    def __init__(self, folder, name):
        self.path = folder / name

    def wait_until_inside(self):
        deadline = time.monotonic() + 30
        while not self.path.with_name(self.path.name + ".started").exists():
            assert time.monotonic() < deadline, "the invocation never started"
            time.sleep(0.01)

    def open(self):
        self.path.touch()


def pid(invocation):
    return json.loads(invocation.check()["body"])["pid"]


def in_background(call):
    results = []
    thread = threading.Thread(target=lambda: results.append(call()))
    thread.start()
    return thread, results


def test_overlapping_invocations_start_a_second_instance_and_a_later_one_reuses_an_idle_one(make_pool, tmp_path):
    pool = make_pool()
    gate = Gate(tmp_path, "first")
    thread, first = in_background(lambda: pid(pool.invoke({"wait_for": str(gate.path)})))
    gate.wait_until_inside()

    second = pid(pool.invoke({}))
    gate.open()
    thread.join()
    later = pid(pool.invoke({}))

    assert first[0] != second
    assert later in {first[0], second}
    assert (pool.stats.cold_starts, pool.stats.peak_instances, pool.instances) == (2, 2, 2)


def test_an_invocation_beyond_the_reserved_concurrency_is_throttled(make_pool, tmp_path):
    pool = make_pool(concurrency=1)
    gate = Gate(tmp_path, "busy")
    thread, busy = in_background(lambda: pid(pool.invoke({"wait_for": str(gate.path)})))
    gate.wait_until_inside()

    with pytest.raises(Throttled):
        pool.invoke({})
    gate.open()
    thread.join()

    assert pid(pool.invoke({})) == busy[0]
    assert (pool.stats.cold_starts, pool.stats.throttles, pool.instances) == (1, 1, 1)


def test_an_idle_instance_is_recycled_and_the_next_invocation_is_a_cold_start(make_pool):
    pool = make_pool(idle_seconds=0.2)
    first = pid(pool.invoke({}))
    deadline = time.monotonic() + 30
    while pool.instances:
        assert time.monotonic() < deadline, "the idle instance was never recycled"
        time.sleep(0.05)

    assert pid(pool.invoke({})) != first
    assert (pool.stats.recycled, pool.stats.cold_starts) == (1, 2)


@pytest.mark.parametrize(
    ("http_api", "answer"),
    [(False, {"message": "Internal server error"}), (True, {"message": "Internal Server Error"})],
    ids=["rest-api", "http-api"],
)
def test_the_gateway_answers_a_throttled_request_as_api_gateway_does(make_pool, tmp_path, http_api, answer):
    pool = make_pool(concurrency=1)
    host = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
    bridge = ApiGatewayBridge(pool, stage="dev", api_host=host, http_api=http_api)
    threading.Thread(target=bridge.serve_forever, daemon=True).start()
    gate = Gate(tmp_path, "busy")
    try:
        body = json.dumps({"wait_for": str(gate.path)}).encode()
        request = urllib.request.Request(bridge.url, data=body)  # noqa: S310 - the bridge's http URL
        thread, answered = in_background(lambda: urllib.request.urlopen(request, timeout=30).status)  # noqa: S310
        gate.wait_until_inside()
        with pytest.raises(urllib.error.HTTPError) as throttled:
            urllib.request.urlopen(bridge.url, timeout=30)  # noqa: S310 - the bridge's http URL
        gate.open()
        thread.join()
    finally:
        bridge.shutdown()
        bridge.server_close()

    assert throttled.value.code == 500
    assert throttled.value.headers["Content-Type"] == "application/json"
    assert json.load(throttled.value) == answer
    assert answered == [200]
