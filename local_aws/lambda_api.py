"""
A local stand-in for the Lambda Invoke API of one function, in front of its `FunctionPool`.

Zappa's asynchronous tasks call it as boto3 calls Lambda (the function's AWS_ENDPOINT_URL_LAMBDA points here),
and so does `make invoke` for a scheduled event. It answers as Lambda does
(https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html):

- RequestResponse: runs the event now; 200 with the result, or with X-Amz-Function-Error and the error; 429 when
  the function's concurrency is taken.
- Event: 202 at once; the event is queued and runs on an instance of the pool. If the function fails it runs
  again after `retry_delays` (Lambda waits one minute, then two), and after the last retry it goes to the
  dead-letter queue (Zappa's `dead_letter_arn`, an SQS queue of the AWS emulator) as Lambda sends it: the
  event as the body, RequestID, ErrorCode and ErrorMessage as message attributes. A throttled event waits
  and runs later, as Lambda keeps it for up to six hours.

`GET /_local/drained?timeout=<seconds>` is this stand-in's own: it answers once no asynchronous invocation is
queued or running (504 if that takes longer), with the counts so far.
"""

import heapq
import itertools
import json
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .pool import Throttled
from .runtime import LambdaError

# Lambda's own delays before the two retries of a failed asynchronous invocation.
RETRY_DELAYS = (60, 120)
THROTTLE_DELAY = 1
# The largest event of an asynchronous invocation (256 KB).
EVENT_PAYLOAD_LIMIT = 262_144


@dataclass
class AsyncStats:
    accepted: int = 0
    succeeded: int = 0
    retried: int = 0
    dead_lettered: int = 0
    # What Lambda bills: the seconds asynchronous invocations ran, all instances together.
    busy_seconds: float = 0.0


class LambdaApi(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(
        self, pool, *, function_name, dead_letter=None, retry_delays=RETRY_DELAYS, workers=4, port=0, log=sys.stderr
    ):
        """`dead_letter(event, request_id, error)` receives what failed after the retries."""
        super().__init__(("127.0.0.1", port), _Handler)
        self.pool = pool
        self.function_name = function_name
        self.dead_letter = dead_letter
        self.retry_delays = tuple(retry_delays)
        self.log = log
        self.stats = AsyncStats()
        self._queue = []  # (run at, order, event, request id, attempt)
        self._order = itertools.count()
        self._running = 0
        self._changed = threading.Condition()
        self._closed = False
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for worker in self._workers:
            worker.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def names(self, function):
        """Whether `function` (a name, an ARN, either with a qualifier) names this function."""
        name = function.split(":function:", 1)[-1].split(":", 1)[0]
        return name == self.function_name

    def enqueue(self, event, request_id, attempt=0, delay=0):
        with self._changed:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), event, request_id, attempt))
            self._changed.notify_all()

    def queued(self):
        """The events of the asynchronous invocations waiting to run, the next first."""
        with self._changed:
            return [item[2] for item in sorted(self._queue)]

    def drained(self, timeout):
        """Wait until no asynchronous invocation is queued or running; False if that takes over `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._queue or self._running:
                if not self._changed.wait(deadline - time.monotonic()) and time.monotonic() >= deadline:
                    return False
        return True

    def _next(self):
        with self._changed:
            while not self._closed:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    self._running += 1
                    return heapq.heappop(self._queue)
                self._changed.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
        return None

    def _work(self):
        while (item := self._next()) is not None:
            _, _, event, request_id, attempt = item
            try:
                self._run(event, request_id, attempt)
            finally:
                with self._changed:
                    self._running -= 1
                    self._changed.notify_all()

    def _run(self, event, request_id, attempt):
        started = time.monotonic()
        try:
            invocation = self.pool.invoke(event)
        except Throttled:
            return self.enqueue(event, request_id, attempt, THROTTLE_DELAY)
        except Exception as error:
            # A timeout, or a runtime that died: the invocation failed, as Lambda counts it.
            return self._failed(
                event, request_id, attempt, {"errorType": type(error).__name__, "errorMessage": str(error)}
            )
        finally:
            self._count(busy_seconds=time.monotonic() - started)
        self.log.write(invocation.logs)
        if invocation.error:
            self.log.write("".join(invocation.error["stackTrace"]))
            return self._failed(event, request_id, attempt, invocation.error)
        self._count(succeeded=1)

    def _count(self, **increments):
        with self._changed:
            for name, value in increments.items():
                setattr(self.stats, name, getattr(self.stats, name) + value)

    def _failed(self, event, request_id, attempt, error):
        if attempt < len(self.retry_delays):
            self._count(retried=1)
            delay = self.retry_delays[attempt]
            self.log.write(f"Asynchronous invocation {request_id} failed; retry {attempt + 1} in {delay} s\n")
            return self.enqueue(event, request_id, attempt + 1, delay)
        self._count(dead_lettered=1)
        self.log.write(f"Asynchronous invocation {request_id} failed {attempt + 1} times: to the dead-letter queue\n")
        if self.dead_letter is not None:
            try:
                self.dead_letter(event, request_id, error)
            except Exception as failure:
                # Lambda too drops the event then, and counts it in the DeadLetterErrors metric.
                self.log.write(f"The dead-letter queue refused invocation {request_id}: {failure}\n")

    def server_close(self):
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        super().server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LambdaApi

    def do_POST(self):
        api = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path).path.split("/")
        # /2015-03-31/functions/<name>/invocations
        if len(parts) != 5 or parts[1:3] != ["2015-03-31", "functions"] or parts[4] != "invocations":
            return self.error(404, "UnknownOperationException", f"Unknown operation {self.path}")
        function = unquote(parts[3])
        if not api.names(function):
            return self.error(404, "ResourceNotFoundException", f"Function not found: {function}")
        try:
            event = json.loads(body or b"{}")
        except ValueError:
            return self.error(400, "InvalidRequestContentException", "Could not parse request body into json")
        request_id = str(uuid.uuid4())
        kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if kind not in {"RequestResponse", "Event", "DryRun"}:
            return self.error(400, "InvalidParameterValueException", f"Unsupported invocation type {kind}")
        if kind == "DryRun":
            return self.reply(204, b"", request_id)
        if kind == "Event":
            if len(body) > EVENT_PAYLOAD_LIMIT:
                return self.error(413, "RequestTooLargeException", "Request must be smaller than 262144 bytes")
            api._count(accepted=1)
            api.enqueue(event, request_id)
            return self.reply(202, b"", request_id)
        try:
            invocation = api.pool.invoke(event)
        except Throttled as error:
            return self.error(429, "TooManyRequestsException", str(error))
        except LambdaError as error:
            return self.reply(200, json.dumps({"errorMessage": str(error)}).encode(), request_id, error="Unhandled")
        api.log.write(invocation.logs)
        if invocation.error:
            return self.reply(200, json.dumps(invocation.error).encode(), request_id, error="Unhandled")
        self.reply(200, json.dumps(invocation.result).encode(), request_id)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path != "/_local/drained":
            return self.error(404, "UnknownOperationException", f"Unknown operation {self.path}")
        try:
            timeout = float(parse_qs(url.query).get("timeout", ["60"])[0])
        except ValueError:
            return self.error(400, "InvalidParameterValueException", "timeout is a number of seconds")
        drained = self.server.drained(timeout)
        with self.server._changed:
            counts = asdict(self.server.stats)
        body = json.dumps({"drained": drained, **counts}).encode()
        self.reply(200 if drained else 504, body, str(uuid.uuid4()))

    def reply(self, status, body, request_id, error=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Amzn-RequestId", request_id)
        if error:
            self.send_header("X-Amz-Function-Error", error)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, kind, message):
        body = json.dumps({"Type": "User", "message": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Amzn-ErrorType", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass
