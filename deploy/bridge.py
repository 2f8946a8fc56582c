"""
A local stand-in for API Gateway (REST API, payload 1.0) in front of a `FunctionPool`.

A request for `http://127.0.0.1:<port>/<stage>/<path>` reaches the function as the event
API Gateway would send for `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/<path>`:
its Host, the path without the stage, https. The loopback origin is translated both ways:
in the Origin and Referer headers going in, in the Location header coming out, and in the
function's log, so that links it prints (password-reset e-mails) lead back here.
"""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .events import Response, rest_event
from .pool import Throttled
from .runtime import LambdaError

# What a REST API answers when Lambda throttles the function (429 TooManyRequestsException, which
# API Gateway does not retry): "If the Lambda API rejects the invocation request, API Gateway returns
# a 500 error code", body {"message": "Internal server error"}, unless gateway responses are customised
# (Zappa creates none). https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
THROTTLED = (500, [("Content-Type", "application/json")], b'{"message": "Internal server error"}')
# Headers of one connection, which API Gateway neither forwards nor returns.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade"}


class ApiGatewayBridge(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pool, *, stage, api_host, port=0, log=sys.stderr):
        super().__init__(("127.0.0.1", port), _Handler)
        self.pool = pool
        self.stage = stage
        self.api_host = api_host
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
            # What API Gateway answers outside its stages.
            return self.reply(403, [("Content-Type", "application/json")], b'{"message":"Forbidden"}')
        headers = [
            (name, bridge.to_api(value) if name.lower() in {"origin", "referer"} else value)
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP
        ]
        event = rest_event(
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
            return self.reply(*THROTTLED)
        except LambdaError as error:
            bridge.log.write(f"{error}\n")
            return self.reply(504, [("Content-Type", "application/json")], b'{"message":"Endpoint request timed out"}')
        bridge.log.write(invocation.logs.replace(f"https://{bridge.api_host}", bridge.origin))
        if invocation.error:
            bridge.log.write("".join(invocation.error["stackTrace"]))
            return self.reply(502, [("Content-Type", "application/json")], b'{"message":"Internal server error"}')
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
