"""
The instances of one Lambda function, started, reused and recycled the way Lambda does it.

Lambda runs one invocation per execution environment at a time. An invocation goes to an idle
environment if there is one; otherwise Lambda starts a new one (a cold start), unless the
function's reserved concurrency (Zappa's `lambda_concurrency`) is reached: then the invocation
is throttled. An environment left idle for a while is shut down. `FunctionPool` does the same
with `LocalFunction`s, each a clean interpreter of the unpacked package.
"""

import sys
import threading
import time
from dataclasses import dataclass, field

from .runtime import LocalFunction

# Lambda does not publish how long an idle environment lives; it was measured at 10 minutes
# (https://mikhail.io/2019/08/aws-lambda-cold-starts-after-10-minutes/).
IDLE_SECONDS = 600


class Throttled(Exception):
    """Every instance the function's reserved concurrency allows is busy (Lambda's 429 TooManyRequestsException)."""


@dataclass
class PoolStats:
    cold_starts: int = 0
    throttles: int = 0
    recycled: int = 0
    peak_instances: int = 0
    cold_start_ms: list = field(default_factory=list)


class FunctionPool:
    """Instances of the package at `task_root`, at most `concurrency` at once (None: no cap).

    An instance idle for `idle_seconds` is stopped, and with it its database connection. With a `snapshot`
    (local_aws.runtime.Snapshot, SnapStart's stand-in), new instances are restored from it instead of started.
    """

    def __init__(self, task_root, environment, *, timeout=30, concurrency=None, idle_seconds=IDLE_SECONDS, log=None):
        if concurrency is not None and concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.task_root = task_root
        self.environment = environment
        self.timeout = timeout
        self.concurrency = concurrency
        self.idle_seconds = idle_seconds
        self.log = log or sys.stderr
        self.snapshot = None
        self.stats = PoolStats()
        self._idle = []  # (instance, idle since), the most recently used last
        self._busy = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._reaper = threading.Thread(target=self._recycle_idle, daemon=True)
        self._reaper.start()

    @property
    def instances(self):
        with self._lock:
            return self._busy + len(self._idle)

    def invoke(self, event):
        """Run the event on an idle instance, else on a new one; Throttled when none may start."""
        function = self._acquire()
        cold = function is None
        if cold:
            function = LocalFunction(self.task_root, self.environment, timeout=self.timeout, snapshot=self.snapshot)
        started = time.monotonic()
        try:
            return function.invoke(event)
        finally:
            if cold:
                self._cold_start_done(function, (time.monotonic() - started) * 1000)
            self._release(function)

    def _acquire(self):
        with self._lock:
            if self._idle:
                function, _ = self._idle.pop()
                self._busy += 1
                return function
            if self.concurrency is not None and self._busy >= self.concurrency:
                self.stats.throttles += 1
                raise Throttled(f"all {self.concurrency} instances are busy")
            self._busy += 1
            self.stats.cold_starts += 1
            self.stats.peak_instances = max(self.stats.peak_instances, self._busy + len(self._idle))
            return None

    def _cold_start_done(self, function, milliseconds):
        with self._lock:
            self.stats.cold_start_ms.append(milliseconds)
            running = self._busy + len(self._idle)
        how = "restored instance" if self.snapshot else "new instance"
        self.log.write(f"Cold start: a {how} answered in {milliseconds:.0f} ms ({running} running)\n")
        self.log.flush()

    def _release(self, function):
        with self._lock:
            self._busy -= 1
            # An instance whose runtime ended (a timeout kills it) is gone, as on Lambda.
            if function.alive and not self._closed.is_set():
                self._idle.append((function, time.monotonic()))
                return
        function.close()

    def _recycle_idle(self):
        while not self._closed.wait(min(1.0, self.idle_seconds / 4)):
            cutoff = time.monotonic() - self.idle_seconds
            with self._lock:
                expired = [function for function, since in self._idle if since <= cutoff]
                self._idle = [(function, since) for function, since in self._idle if since > cutoff]
                self.stats.recycled += len(expired)
            for function in expired:
                function.close()

    def close(self):
        """Stop every instance, then the snapshot; invocations still running finish first."""
        self._closed.set()
        with self._lock:
            idle, self._idle = self._idle, []
        for function, _ in idle:
            function.close()
        if self.snapshot is not None:
            self.snapshot.close()
