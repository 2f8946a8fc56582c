"""
The Lambda package run the way AWS Lambda runs it, on this machine.

`LocalFunction` starts this file as a separate interpreter, `python -I -S -B runtime.py
TASK_ROOT HANDLER`: no site-packages, no environment of the caller, nothing written. As on
Lambda, the unpacked package is the working directory and the first entry of `sys.path`,
the handler is imported on the first invocation, and invocations run one at a time. Each
event goes in as a JSON line on stdin; the result (or the error) comes back as a JSON line
together with what the function printed during that invocation, its log.

With SnapStart, Lambda initialises the function once, snapshots it, and starts each new instance
from that snapshot. `Snapshot` stands in for it: `python -I -S -B runtime.py --snapshot ...`
imports the handler (the init phase) and runs the before-snapshot hooks, then forks one child
per new instance; the child runs the after-restore hooks and serves. A fork is not a Firecracker
restore: it shows what the hooks do and how long an instance takes from "restored" to its first
answer, not how long AWS takes to load a snapshot; and a fork re-seeds `random` by itself, which
a restore does not (todo_site/snapstart.py's hook does, tested on its own).

Standard library only: this module is also the script the clean interpreter runs.
"""

import contextlib
import importlib
import json
import os
import resource
import select
import shutil
import signal
import socket
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
    # Minor page faults of the instance during the invocation: in an instance forked from a Snapshot, chiefly
    # the copies of the snapshot's pages it writes to for the first time (copy-on-write).
    page_faults: int = 0
    # What Lambda's REPORT line calls Duration: the handler's milliseconds, the runtime's own work left out.
    duration_ms: float = 0.0
    # Its Restore Duration, on a restored instance's first invocation only: milliseconds from the snapshot's
    # fork to the end of the after-restore hooks.
    restore_duration_ms: float | None = None

    def check(self):
        """The result, or LambdaError with the function's traceback and log."""
        if self.error:
            raise LambdaError(f"{''.join(self.error['stackTrace'])}\n{self.logs}")
        return self.result


def lambda_environment(task_root, handler, timeout, environment):
    """The environment Lambda gives the function: its own variables and the runtime's."""
    task_root = Path(task_root)
    home = task_root.parent / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        # No HOME of the developer: nothing read from ~/.aws, ~/.pgpass and the like.
        "HOME": str(home),
        "LAMBDA_TASK_ROOT": str(task_root),
        "_HANDLER": handler,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout),
        **environment,
    }


class LocalFunction:
    """An unpacked Lambda package served by a clean interpreter, invoked one event at a time.

    With a `snapshot`, the interpreter is a child of that Snapshot instead of a new process."""

    def __init__(self, task_root, environment, *, handler="handler.lambda_handler", timeout=30, snapshot=None):
        self.task_root = Path(task_root)
        self.handler = handler
        self.timeout = timeout
        self.snapshot = snapshot
        self.environment = lambda_environment(task_root, handler, timeout, environment)
        self.process = None

    def _start(self):
        if self.snapshot is not None:
            self.process = self.snapshot.restore()
            return
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
            if isinstance(self.process, RestoredInstance):
                self.process.close_input()
            else:
                self.process.stdin.close()
            self.process.wait(timeout=10)


class Snapshot:
    """A primed interpreter of an unpacked package (handler imported, before-snapshot hooks run) that forks
    one restored instance per `restore()`."""

    def __init__(self, task_root, environment, *, handler="handler.lambda_handler", timeout=30, log=None):
        self.folder = Path(tempfile.mkdtemp(prefix="snapshot-"))
        self.socket_path = self.folder / "restore.sock"
        runtime = self.folder / "runtime"
        runtime.mkdir()
        # Lambda's Python runtime provides the hooks' registry, snapshot_restore_py; here, the copy
        # installed for the tests, on the path of this interpreter only, as /var/runtime is on Lambda's.
        import snapshot_restore_py

        shutil.copy(snapshot_restore_py.__file__, runtime / "snapshot_restore_py.py")
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", __file__, "--snapshot", str(task_root), handler]
            + [str(self.socket_path), str(runtime)],
            cwd=task_root,
            env=lambda_environment(task_root, handler, timeout, environment),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        if not select.select([self.process.stdout], [], [], max(timeout, 60))[0] or (
            self.process.stdout.readline() != "ready\n"
        ):
            self.close()
            raise LambdaError(f"The snapshot's initialisation failed (status {self.process.poll()}).")

    def restore(self):
        return RestoredInstance(self.socket_path)

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


class RestoredInstance:
    """A child of a Snapshot, reached through a Unix socket, with what LocalFunction uses of a Popen."""

    def __init__(self, socket_path):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.connect(str(socket_path))
        self.stdin = self.socket.makefile("w")
        self.stdout = self.socket.makefile("r")
        self.pid = int(self.stdout.readline())
        self.returncode = None

    def poll(self):
        if self.returncode is None and not self._running():
            self.returncode = 0
            self.socket.close()
        return self.returncode

    def _running(self):
        # Not our child, so no waitpid: gone, or a zombie no one reaped yet (its parent, the snapshot, has ended).
        try:
            return Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout=None):
        deadline = time.monotonic() + (timeout or 3600)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"instance {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode

    def close_input(self):
        """End the instance: no more events (its runtime then exits)."""
        self.stdin.close()
        self.socket.shutdown(socket.SHUT_WR)


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


def load(handler_name):
    module_name, function_name = handler_name.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), function_name)


def serve(handler_name, events, replies, handler=None, restore_duration_ms=None):
    """Answer each event (a JSON line of `events`) with a JSON line on `replies`; the handler is imported on
    the first event unless given. A restored instance's first reply carries its `restore_duration_ms`."""
    timeout = int(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
    # What the function writes to stdout and stderr is its log, collected per invocation in a file in memory: a
    # temporary file would cost each instance a search for the temporary folder, which Lambda's runtime does not do.
    with open(os.memfd_create("log"), "w+b") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        for event in events:
            log.seek(0)
            log.truncate()
            reply = {"result": None, "error": None, "restore_duration_ms": restore_duration_ms}
            restore_duration_ms = None
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            try:
                if handler is None:
                    handler = load(handler_name)
                event = json.loads(event)
                start = time.perf_counter()
                try:
                    reply["result"] = handler(event, Context(timeout))
                finally:
                    reply["duration_ms"] = (time.perf_counter() - start) * 1000
            except Exception as error:
                reply["error"] = _error(type(error).__name__, str(error), traceback.format_exception(error))
            reply["page_faults"] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
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


def snapshot(task_root, handler_name, socket_path, runtime):
    """Initialise (import the handler), run the before-snapshot hooks, then fork an instance per connection."""
    sys.path.append(runtime)
    # What initialisation prints is log, like an instance's: to stderr, stdout keeping only "ready".
    ready = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    handler = load(handler_name)
    import snapshot_restore_py

    for function, args, kwargs in snapshot_restore_py.get_before_snapshot():
        function(*args, **kwargs)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the instances that end are reaped at once
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    ready.write("ready\n")
    ready.flush()
    while True:
        connection, _ = listener.accept()
        # Nothing the initialisation left buffered is written again by each instance.
        sys.stdout.flush()
        sys.stderr.flush()
        forked = time.perf_counter()  # the monotonic clock: the child reads it on the same time line
        if os.fork():
            connection.close()
            continue
        listener.close()
        ready.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        replies = connection.makefile("w")
        replies.write(f"{os.getpid()}\n")
        replies.flush()
        try:
            for function, args, kwargs in snapshot_restore_py.get_after_restore():
                function(*args, **kwargs)
            restored = (time.perf_counter() - forked) * 1000
            serve(handler_name, connection.makefile("r"), replies, handler, restore_duration_ms=restored)
        finally:
            os._exit(0)


def _error(error_type, message, stack_trace):
    return {"errorType": error_type, "errorMessage": message, "stackTrace": stack_trace}


def start(task_root):
    """As Lambda starts the runtime: in the unpacked package, which is first on the path."""
    os.chdir(task_root)
    sys.path.insert(0, task_root)


if __name__ == "__main__":
    if sys.argv[1] == "--snapshot":
        start(sys.argv[2])
        snapshot(*sys.argv[2:])
    else:
        start(sys.argv[1])
        serve(sys.argv[2], sys.stdin, os.fdopen(os.dup(1), "w"))
