"""
The stage's CloudFront distribution of static files, on loopback: what browsers fetch static files from.

It stands for deploy/aws/stack.yaml's StaticDistribution: it reads the private static bucket (the AWS
emulator's S3) with credentials of its own, as CloudFront signs its requests with Origin Access Control,
serves GET and HEAD under /static/ only, answers 403 for anything else and for a file the bucket does
not have (S3's answer to CloudFront, which may not list the bucket), compresses what CloudFront
compresses for a browser that accepts gzip, and adds the headers of the template's response headers
policy, read from the template itself.

What it does not show: HTTP/2 and HTTP/3, TLS, the edge cache and its TTLs (each request reaches the
bucket), and that S3 refuses anyone but the distribution (moto does not enforce bucket policies).
"""

import gzip
import http.server
import threading

from deploy.stage import template

from .aws_emulator import local_client

# The types CloudFront compresses (its documentation's list, those the site serves).
COMPRESSED = ("text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json")
# CloudFront compresses files from 1,000 bytes to 10,000,000 bytes.
COMPRESS_MIN_BYTES = 1000


def policy_headers():
    """The headers the stack's StaticResponseHeadersPolicy adds: [(name, value)]."""
    config = template()["Resources"]["StaticResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    headers = [(item["Header"], item["Value"]) for item in config["CustomHeadersConfig"]["Items"]]
    security = config["SecurityHeadersConfig"]
    if "ContentTypeOptions" in security:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if "FrameOptions" in security:
        headers.append(("X-Frame-Options", security["FrameOptions"]["FrameOption"]))
    if "ReferrerPolicy" in security:
        headers.append(("Referrer-Policy", security["ReferrerPolicy"]["ReferrerPolicy"]))
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        value += "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        value += "; preload" if hsts.get("Preload") else ""
        headers.append(("Strict-Transport-Security", value))
    return headers


class StaticDistribution(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, s3_url, bucket, *, port=0):
        super().__init__(("127.0.0.1", port), DistributionHandler)
        self.s3 = local_client("s3", s3_url)
        self.bucket = bucket
        self.headers = policy_headers()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.static_url = f"{self.url}/static/"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


class DistributionHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StaticDistribution

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.answer(body=True)

    def do_HEAD(self):
        self.answer(body=False)

    def do_POST(self):
        self.refuse()

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def refuse(self):
        self.send(403, b"Forbidden", "text/plain", body=True)

    def answer(self, body):
        path = self.path.split("?", 1)[0]
        if not path.startswith("/static/") or ".." in path.split("/"):
            return self.refuse()
        s3 = self.server.s3
        try:
            found = s3.get_object(Bucket=self.server.bucket, Key=path.lstrip("/"))
        except s3.exceptions.ClientError:  # NoSuchKey among them
            return self.refuse()
        content = found["Body"].read()
        content_type = found.get("ContentType", "application/octet-stream")
        encoding = None
        accepts = self.headers.get("Accept-Encoding", "")
        if "gzip" in accepts and content_type.startswith(COMPRESSED) and len(content) >= COMPRESS_MIN_BYTES:
            content, encoding = gzip.compress(content, mtime=0), "gzip"
        self.send(200, content, content_type, body=body, encoding=encoding, etag=found.get("ETag"))

    def send(self, status, content, content_type, *, body, encoding=None, etag=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        if etag:
            self.send_header("ETag", etag)
        if status == 200:
            for name, value in self.server.headers:
                self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(content)
