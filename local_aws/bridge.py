"""
A local stand-in for API Gateway, a REST API (payload 1.0) or an HTTP API (payload 2.0), in front of
a `FunctionPool`.

A request for `http://127.0.0.1:<port>/<stage>/<path>` reaches the function as the event
API Gateway would send for `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/<path>`:
its Host, https, the path without the stage (a REST API's) or with it (an HTTP API's rawPath),
and its answers of its own are the API type's. The loopback origin is translated both ways:
in the Origin and Referer headers going in, in the Location header coming out, and in the
function's log, so that links it prints (password-reset e-mails) lead back here.
"""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .events import Response, http_api_event, rest_event
from .pool import Throttled
from .runtime import LambdaError

JSON = [("Content-Type", "application/json")]
# What API Gateway answers itself, by API type: outside its stages; when Lambda throttles the function
# (429 TooManyRequestsException, which API Gateway does not retry: "If the Lambda API rejects the
# invocation request, API Gateway returns a 500 error code", unless a REST API's gateway responses are
# customised, and Zappa creates none; https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html,
# an HTTP API's body as its troubleshooting page shows it); when the function fails or times out.
ANSWERS = {
    "rest": {
        "outside": (403, JSON, b'{"message":"Forbidden"}'),
        "throttled": (500, JSON, b'{"message": "Internal server error"}'),
        "failed": (502, JSON, b'{"message": "Internal server error"}'),
        "timed out": (504, JSON, b'{"message": "Endpoint request timed out"}'),
    },
    "http": {
        "outside": (404, JSON, b'{"message":"Not Found"}'),
        "throttled": (500, JSON, b'{"message":"Internal Server Error"}'),
        "failed": (500, JSON, b'{"message":"Internal Server Error"}'),
        "timed out": (503, JSON, b'{"message":"Service Unavailable"}'),
    },
}
# Headers of one connection, which API Gateway neither forwards nor returns.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade"}


class ApiGatewayBridge(ThreadingHTTPServer):
    daemon_threads = True
    # API Gateway takes a burst of connections at once; socketserver's default backlog of 5 would reset some.
    request_queue_size = 256

    def __init__(self, pool, *, stage, api_host, http_api=False, port=0, log=sys.stderr):
        super().__init__(("127.0.0.1", port), _Handler)
        self.pool = pool
        self.stage = stage
        self.api_host = api_host
        self.event = http_api_event if http_api else rest_event
        self.answers = ANSWERS["http" if http_api else "rest"]
        self.log = log

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def url(self):
        return f"{self.origin}/{self.stage}/"

    def to_api(self, value):
        return value.replace(self.origin, f"https://{self.api_host}", 1) if value.startswith(self.origin) else value

    def from_api(self, value):
        api_origin = f"https://{self.api_host}"
        return value.replace(api_origin, self.origin, 1) if value.startswith(api_origin) else value


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ApiGatewayBridge

    def do_GET(self):
        self.forward()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def forward(self):
        bridge = self.server
        url = urlsplit(self.path)
        stage_root = f"/{bridge.stage}"
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path != stage_root and not url.path.startswith(f"{stage_root}/"):
            return self.reply(*bridge.answers["outside"])
        headers = [
            (name, bridge.to_api(value) if name.lower() in {"origin", "referer"} else value)
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP
        ]
        event = bridge.event(
            self.command,
            url.path[len(stage_root) :] or "/",
            stage=bridge.stage,
            host=bridge.api_host,
            headers=headers,
            query=url.query,
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            invocation = bridge.pool.invoke(event)
        except Throttled as error:
            bridge.log.write(f"Throttled: {error}\n")
            return self.reply(*bridge.answers["throttled"])
        except LambdaError as error:
            bridge.log.write(f"{error}\n")
            return self.reply(*bridge.answers["timed out"])
        bridge.log.write(invocation.logs.replace(f"https://{bridge.api_host}", bridge.origin))
        if invocation.error:
            bridge.log.write("".join(invocation.error["stackTrace"]))
            return self.reply(*bridge.answers["failed"])
        response = Response.from_result(invocation.result)
        headers = [
            (name, bridge.from_api(value) if name.lower() == "location" else value)
            for name, value in response.headers
            if name.lower() not in HOP_BY_HOP | {"content-length"}
        ]
        self.reply(response.status, headers, response.body)

    def reply(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        self.server.log.write(f"{self.address_string()} {format % args}\n")
