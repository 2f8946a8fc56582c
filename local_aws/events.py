"""
Lambda events exactly as API Gateway sends them for the deployed URL, and the responses.

`rest_event` is what a REST API (the kind Zappa deploys, payload 1.0) hands the function
for `https://<api-id>.execute-api.<region>.amazonaws.com/<stage><path>`, `http_api_event`
what an HTTP API (payload 2.0) hands it; `Response.from_result` reads the function's
answer to either. The local bridge and the tests share them.
"""

import base64
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl

ACCOUNT_ID = "123456789012"
API_ID = "a1b2c3d4e5"
# A documentation address (RFC 5737) standing in for the CloudFront edge of an
# edge-optimized API, which API Gateway appends to X-Forwarded-For.
EDGE_ADDRESS = "198.51.100.1"


def api_host(region, api_id=API_ID):
    return f"{api_id}.execute-api.{region}.amazonaws.com"


def _gateway_headers(host, source_ip, headers):
    """The request's headers as API Gateway forwards them: its own Host and X-Forwarded-*.

    An X-Forwarded-For the client sent is kept: the edge appends the client's address to it and
    API Gateway the edge's, so the function gets "<what the client wrote>, <client>, <edge>".
    """
    forwarded = {"host", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id"}
    client_sent = [value for name, value in headers if name.lower() == "x-forwarded-for"]
    return [
        ("Host", host),
        *[(name, value) for name, value in headers if name.lower() not in forwarded],
        ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"),
        ("X-Forwarded-For", ", ".join([*client_sent, source_ip, EDGE_ADDRESS])),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ]


def _request_time(now):
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))


def _grouped(pairs):
    """{name: [value, ...]} of (name, value) pairs, in order."""
    grouped = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _body_fields(body):
    # Zappa deploys the API with binary media types "*/*", so API Gateway hands every
    # request body to the function base64-encoded.
    if not body:
        return {"body": None, "isBase64Encoded": False}
    return {"body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}


def rest_event(method, path, *, stage, host, headers=(), query="", body=b"", source_ip="203.0.113.10"):
    """A REST API proxy event (payload 1.0); `path` excludes the stage, as API Gateway strips it."""
    received = _gateway_headers(host, source_ip, headers)
    multi_headers = _grouped(received)
    multi_parameters = _grouped(parse_qsl(query, keep_blank_values=True))
    proxy = path.lstrip("/")
    resource = "/{proxy+}" if proxy else "/"
    now = time.time()
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {name: values[-1] for name, values in multi_parameters.items()} or None,
        "multiValueQueryStringParameters": multi_parameters or None,
        "pathParameters": {"proxy": proxy} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": host.split(".")[0],
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "extendedRequestId": uuid.uuid4().hex[:16],
            "httpMethod": method,
            "identity": {"sourceIp": source_ip, "userAgent": dict(received).get("User-Agent")},
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": _request_time(now),
            "requestTimeEpoch": int(now * 1000),
            "resourceId": "abc123",
            "resourcePath": resource,
            "stage": stage,
        },
        **_body_fields(body),
    }


def http_api_event(
    method, path, *, stage, host, headers=(), query="", body=b"", source_ip="203.0.113.10", custom_domain=False
):
    """An HTTP API event (payload 2.0) for a named stage: `rawPath` keeps the stage, unless the request came
    through a custom domain (`host`) whose API mapping serves the stage at its root.

    An X-Forwarded-For the client sent is kept, the client's address appended to it: what reaches the
    function is then partly the client's own writing, as it can be through a proxy in front of the API.
    """
    cookies = [
        cookie.strip()
        for name, value in headers
        if name.lower() == "cookie"
        for cookie in value.split(";")
        if cookie.strip()
    ]
    forwarded = {"cookie", "host", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"}
    joined = _grouped((name.lower(), value) for name, value in headers if name.lower() not in forwarded)
    joined_headers = {name: ",".join(values) for name, values in joined.items()}
    client_sent = [value for name, value in headers if name.lower() == "x-forwarded-for"]
    joined_headers.update(
        {
            "host": host,
            "x-forwarded-for": ", ".join([*client_sent, source_ip]),
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        }
    )
    parameters = _grouped(parse_qsl(query, keep_blank_values=True))
    raw_path = path if custom_domain else f"/{stage}{path}"
    now = time.time()
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": joined_headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": host.split(".")[0],
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": joined_headers.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex[:16],
            "routeKey": "$default",
            "stage": stage,
            "time": _request_time(now),
            "timeEpoch": int(now * 1000),
        },
        **_body_fields(body),
    }
    if cookies:
        event["cookies"] = cookies
    if parameters:
        event["queryStringParameters"] = {name: ",".join(values) for name, values in parameters.items()}
    if event["body"] is None:
        del event["body"]
    return event


@dataclass
class Response:
    """What API Gateway makes of the function's result: a status, every header value and the body."""

    status: int
    headers: list
    body: bytes

    @classmethod
    def from_result(cls, result):
        headers = []
        if "multiValueHeaders" in result or "headers" in result:
            multi = result.get("multiValueHeaders") or {}
            for name, values in multi.items():
                headers.extend((name, value) for value in values)
            for name, value in (result.get("headers") or {}).items():
                if name not in multi:
                    headers.append((name, value))
        headers.extend(("Set-Cookie", cookie) for cookie in result.get("cookies") or [])
        body = result.get("body") or ""
        body = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        return cls(status=result["statusCode"], headers=headers, body=body)

    def header(self, name):
        values = self.header_values(name)
        return values[-1] if values else None

    def header_values(self, name):
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode()
