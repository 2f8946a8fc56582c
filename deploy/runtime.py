"""
The Lambda package run the way AWS Lambda runs it, on this machine.

`LocalFunction` starts this file as a separate interpreter, `python -I -S -B runtime.py
TASK_ROOT HANDLER`: no site-packages, no environment of the caller, nothing written. As on
Lambda, the unpacked package is the working directory and the first entry of `sys.path`,
the handler is imported on the first invocation, and invocations run one at a time. Each
event goes in as a JSON line on stdin; the result (or the error) comes back as a JSON line
together with what the function printed during that invocation, its log.

Standard library only: this module is also the script the clean interpreter runs.
"""

import importlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path


def unpack(package, folder):
    """Unpack a Lambda package into a folder of `folder` named after it, as Lambda unpacks into /var/task."""
    task_root = Path(folder) / Path(package).stem
    with zipfile.ZipFile(package) as archive:
        archive.extractall(task_root)
    return task_root


class LambdaError(Exception):
    """The function raised instead of returning a result."""


@dataclass
class Invocation:
    result: object
    error: dict
    logs: str

    def check(self):
        """The result, or LambdaError with the function's traceback and log."""
        if self.error:
            raise LambdaError(f"{''.join(self.error['stackTrace'])}\n{self.logs}")
        return self.result


class LocalFunction:
    """An unpacked Lambda package served by a clean interpreter, invoked one event at a time."""

    def __init__(self, task_root, environment, *, handler="handler.lambda_handler", timeout=30):
        self.task_root = Path(task_root)
        self.handler = handler
        self.timeout = timeout
        self.environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            # No HOME of the developer: nothing read from ~/.aws, ~/.pgpass and the like.
            "HOME": str(self.task_root.parent / "home"),
            "LAMBDA_TASK_ROOT": str(self.task_root),
            "_HANDLER": handler,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout),
            **environment,
        }
        self.process = None

    def _start(self):
        Path(self.environment["HOME"]).mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", __file__, str(self.task_root), self.handler],
            cwd=self.task_root,
            env=self.environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    def invoke(self, event):
        """Run one event; the first one after a start is a cold start."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        # Lambda stops an invocation at the function's timeout and starts afresh next time.
        if not select.select([self.process.stdout], [], [], self.timeout)[0]:
            self.process.kill()
            self.process.wait()
            raise LambdaError(f"Task timed out after {self.timeout} seconds.")
        reply = self.process.stdout.readline()
        if not reply:
            self.process.wait()
            raise LambdaError(f"The runtime exited with status {self.process.returncode}.")
        return Invocation(**json.loads(reply))

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=10)


class Context:
    """The attributes of the context object Lambda passes to the handler."""

    def __init__(self, timeout):
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{name}"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def serve(task_root, handler_name):
    os.chdir(task_root)
    sys.path.insert(0, task_root)
    timeout = int(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
    replies = os.fdopen(os.dup(1), "w")
    # What the function writes to stdout and stderr is its log, collected per invocation.
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        handler = None
        for event in sys.stdin:
            log.seek(0)
            log.truncate()
            reply = {"result": None, "error": None}
            try:
                if handler is None:
                    module_name, function_name = handler_name.rsplit(".", 1)
                    handler = getattr(importlib.import_module(module_name), function_name)
                reply["result"] = handler(json.loads(event), Context(timeout))
            except Exception as error:
                reply["error"] = _error(type(error).__name__, str(error), traceback.format_exception(error))
            sys.stdout.flush()
            sys.stderr.flush()
            log.seek(0)
            reply["logs"] = log.read().decode(errors="replace")
            try:
                answer = json.dumps(reply)
            except TypeError as error:
                reply.update(result=None, error=_error("Runtime.MarshalError", str(error), []))
                answer = json.dumps(reply)
            replies.write(answer + "\n")
            replies.flush()


def _error(error_type, message, stack_trace):
    return {"errorType": error_type, "errorMessage": message, "stackTrace": stack_trace}


if __name__ == "__main__":
    serve(*sys.argv[1:])
