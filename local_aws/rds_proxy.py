"""
A stand-in for RDS Proxy with IAM authentication required (`IAMAuth: REQUIRED`) and TLS required.

Such a proxy takes no database password: for each new connection the client signs a token with its
AWS credentials (what boto3's `generate_db_auth_token` returns: a SigV4 presigned URL, without its
scheme, for the `rds-db` service, good for 15 minutes) and sends it as the password, over TLS.
`IamProxy` does what a client sees of that. It speaks TLS only, with a certificate for its host name
from a certificate authority of its own, so that libpq's sslmode=verify-full has something to verify;
it asks for the password in clear text, as RDS Proxy does, and checks the token: the endpoint and the
user it was signed for, its date and lifetime, its access key and, recomputed with botocore's SigV4,
its signature. A client it lets in is connected to the database behind it (PostgreSQL or PgBouncer,
which must let the user in without a password) with the same startup message, and the two then talk
through it unchanged.

What it does not prove: that IAM allows the role `rds-db:connect` on the proxy for that user (no
policy is evaluated, and a session token is taken as given); the real proxy's pooling and pinning
(PgBouncer stands for those); that clients trust Amazon's certificate (RDS Proxy's comes from
Amazon's own authority, here it is a throwaway one). Cancel requests are not forwarded.
"""

import contextlib
import datetime
import hmac
import logging
import selectors
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

logger = logging.getLogger(__name__)

# The codes of PostgreSQL's startup packets that ask for TLS or for GSSAPI encryption; other codes are a
# protocol version, major << 16 | minor, of which PostgreSQL speaks major version 3.
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
PROTOCOL_MAJOR = 3
# PostgreSQL's limit on a startup packet; also ample for a token (about 2 kB with a session token).
MAX_PACKET = 10_000
AUTHENTICATION_TIMEOUT = 30
# AWS accepts signatures dated this far ahead of its own clock.
CLOCK_SKEW = datetime.timedelta(minutes=5)
TOKEN_PARAMETERS = {"Action", "DBUser", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"}
HINT = "Connect with a fresh token from generate_db_auth_token for this proxy's host name, port, user and region."


class Refused(Exception):
    """A connection the proxy turns away with a PostgreSQL error: FATAL, SQLSTATE `code`, `message`, `detail`."""

    def __init__(self, code, message, detail="", hint=""):
        super().__init__(message)
        self.fields = {"S": "FATAL", "V": "FATAL", "C": code, "M": message, "D": detail, "H": hint}

    def response(self):
        fields = b"".join(kind.encode() + value.encode() + b"\0" for kind, value in self.fields.items() if value)
        return _message(b"E", fields + b"\0")


class InvalidToken(ValueError):
    """Why a token lets no one in."""


def check_token(token, *, endpoint, user, region, credentials, now):
    """Raise InvalidToken unless `token` lets `user` in at `endpoint` ("host:port") in `region` at `now`.

    `credentials` maps the access key ids the proxy knows to their secret access keys.
    """
    netloc, _, query = token.partition("/?")
    pairs = parse_qsl(query, keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs) or not params.keys() >= TOKEN_PARAMETERS or params["Action"] != "connect":
        raise InvalidToken("The password is not an IAM authentication token.")
    if netloc != endpoint:
        raise InvalidToken(f"The token was signed for {netloc}, not for this proxy's {endpoint}.")
    if params["DBUser"] != user:
        raise InvalidToken(f'The token was signed for user "{params["DBUser"]}".')
    try:
        signed_at = datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
        lifetime = datetime.timedelta(seconds=int(params["X-Amz-Expires"]))
    except ValueError as error:
        raise InvalidToken("The password is not an IAM authentication token.") from error
    if signed_at > now + CLOCK_SKEW:
        raise InvalidToken(f"The token is dated {signed_at:%Y-%m-%d %H:%M:%S} UTC, in the future.")
    if signed_at + lifetime < now:
        raise InvalidToken(f"The token expired at {signed_at + lifetime:%Y-%m-%d %H:%M:%S} UTC.")
    access_key, _, scope = params["X-Amz-Credential"].partition("/")
    if scope != f"{signed_at:%Y%m%d}/{region}/rds-db/aws4_request":
        raise InvalidToken(f"The token's scope is {scope}, not rds-db in {region} on the day it is dated.")
    if access_key not in credentials:
        raise InvalidToken(f"The token was signed with access key {access_key}, which this proxy does not know.")
    signer = Credentials(access_key, credentials[access_key])
    signature = _signature(netloc, query, params["X-Amz-Date"], region, signer)
    if not hmac.compare_digest(signature, params["X-Amz-Signature"]):
        raise InvalidToken("The token's signature does not match.")


def _signature(netloc, query, timestamp, region, credentials):
    """The SigV4 signature of the token's query, as AWS computes it: everything the token holds but its signature."""
    unsigned = "&".join(pair for pair in query.split("&") if not pair.startswith("X-Amz-Signature="))
    request = AWSRequest(method="GET", url=f"https://{netloc}/?{unsigned}")
    request.context["timestamp"] = timestamp
    signer = SigV4QueryAuth(credentials, "rds-db", region)
    return signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)


class IamProxy:
    """RDS Proxy with IAM authentication and TLS required, on 127.0.0.1, in front of the database at `upstream`.

    `upstream` is the (host, port) of PostgreSQL or PgBouncer; the proxy uses TLS to it when it offers TLS.
    `credentials` maps each access key id whose tokens the proxy accepts to its secret access key; `region`
    is the proxy's. Clients connect to `url(user, database)`, a token for `hostname`:`port` as the password.
    """

    def __init__(self, upstream, *, credentials, region, hostname="localhost", max_clients=100):
        self.upstream = upstream
        self.credentials = credentials
        self.region = region
        self.hostname = hostname
        self.folder = Path(tempfile.mkdtemp(prefix="rds-proxy-"))
        self.ca_file = str(self.folder / "ca.crt")
        self.port = None
        self._slots = threading.BoundedSemaphore(max_clients)
        self._lock = threading.Lock()
        self._open = set()
        self._threads = set()
        self._stopping = False
        self._context = None
        self._listener = None
        self._acceptor = None

    @property
    def endpoint(self):
        return f"{self.hostname}:{self.port}"

    def url(self, user, database):
        query = urlencode({"sslmode": "verify-full", "sslrootcert": self.ca_file}, safe="/")
        return f"postgres://{quote(user)}@{self.endpoint}/{quote(database)}?{query}"

    def _tls_context(self):
        """A certificate authority of the proxy's own, and a server certificate from it for `hostname`."""
        ca_key, key, certificate = self.folder / "ca.key", self.folder / "server.key", self.folder / "server.crt"
        openssl = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                   "-days", "2"]  # fmt: skip
        for options in (
            ["-subj", "/CN=IamProxy local CA", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", ca_key, "-out", self.ca_file],
            ["-subj", f"/CN={self.hostname}", "-addext", f"subjectAltName=DNS:{self.hostname}",
             "-addext", "basicConstraints=critical,CA:FALSE", "-CA", self.ca_file, "-CAkey", ca_key,
             "-keyout", key, "-out", certificate],
        ):  # fmt: skip
            subprocess.run([*openssl, *options], check=True, capture_output=True, timeout=60)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        return context

    def start(self):
        self._context = self._tls_context()
        self._listener = socket.create_server(("127.0.0.1", 0))
        # accept() gives up now and then, so that stop() is noticed.
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept, name="iam-proxy", daemon=True)
        self._acceptor.start()
        return self

    def stop(self):
        with self._lock:
            self._stopping = True
            held = list(self._open)
        if self._acceptor is not None:
            self._acceptor.join()
        for end in held:
            # The socket itself, not its TLS layer, which belongs to the connection's thread.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(end, socket.SHUT_RDWR)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _accept(self):
        with self._listener:
            while not self._stopping:
                try:
                    client, _ = self._listener.accept()
                except TimeoutError:
                    continue
                if not self._slots.acquire(blocking=False):
                    with client, contextlib.suppress(OSError):
                        client.sendall(Refused("53300", "too many connections to the proxy").response())
                    continue
                thread = threading.Thread(target=self._serve, args=(client,), name="iam-proxy-client", daemon=True)
                with self._lock:
                    self._threads.add(thread)
                thread.start()

    def _hold(self, cleanup, end):
        """Keep `end` open until the connection is over (`cleanup` closes it), or until stop() shuts it down."""
        with self._lock:
            if self._stopping:
                end.close()
                raise ConnectionAbortedError("the proxy is stopping")
            self._open.add(end)
        cleanup.callback(self._close, end)
        return end

    def _close(self, end):
        with self._lock:
            self._open.discard(end)
        end.close()

    def _finished(self, thread):
        with self._lock:
            self._threads.discard(thread)
        self._slots.release()

    def _serve(self, client):
        """A client's connection: TLS, its token checked, then its bytes and the database's relayed."""
        with contextlib.ExitStack() as cleanup:
            cleanup.callback(self._finished, threading.current_thread())
            try:
                client = self._hold(cleanup, client)
                _nodelay(client)
                client.settimeout(AUTHENTICATION_TIMEOUT)
                client = self._hold(cleanup, self._secure(client))
                startup = _read_packet(client)
                user = _startup_parameters(startup).get("user", "")
                client.sendall(_message(b"R", struct.pack("!i", 3)))  # AuthenticationCleartextPassword
                self._authenticate(user, _read_password(client))
                upstream = self._hold(cleanup, self._connect_upstream())
                upstream.sendall(startup)
                logger.debug("%s connected through the proxy", user)
                client.settimeout(None)
                _relay(client, upstream)
            except Refused as refusal:
                detail = refusal.fields["D"]
                logger.warning("Refused a connection: %s%s", refusal, f" ({detail})" if detail else "")
                with contextlib.suppress(OSError):
                    client.sendall(refusal.response())
            except OSError:
                pass  # the client or the database went away, or stop() shut the connection down

    def _secure(self, client):
        """The client's connection over TLS, which it must ask for first."""
        packet = _read_packet(client)
        if _code(packet) == GSSENC_REQUEST:
            client.sendall(b"N")
            packet = _read_packet(client)
        if _code(packet) != SSL_REQUEST:
            raise Refused("28000", "This RDS Proxy requires TLS connections")
        client.sendall(b"S")
        return self._context.wrap_socket(client, server_side=True)

    def _authenticate(self, user, token):
        try:
            check_token(
                token,
                endpoint=self.endpoint,
                user=user,
                region=self.region,
                credentials=self.credentials,
                now=datetime.datetime.now(datetime.UTC),
            )
        except InvalidToken as error:
            raise Refused("28P01", f'PAM authentication failed for user "{user}"', str(error), HINT) from error

    def _connect_upstream(self):
        """A connection to the database, over TLS when it offers TLS (sslmode=prefer: the database is local)."""
        host, port = self.upstream
        try:
            upstream = socket.create_connection((host, port), timeout=AUTHENTICATION_TIMEOUT)
            _nodelay(upstream)
            upstream.sendall(struct.pack("!ii", 8, SSL_REQUEST))
            if _receive(upstream, 1) == b"S":
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                upstream = context.wrap_socket(upstream)
        except OSError as error:
            raise Refused("08006", f"The proxy cannot reach the database at {host}:{port}: {error}") from error
        upstream.settimeout(None)
        return upstream


def _relay(client, upstream):
    """Copy bytes both ways until either side closes."""
    other = {client: upstream, upstream: client}
    with selectors.DefaultSelector() as selector:
        for end in other:
            selector.register(end, selectors.EVENT_READ)
        while True:
            # Bytes that TLS has already decrypted are ready too, though the selector cannot see them.
            ready = [end for end in other if isinstance(end, ssl.SSLSocket) and end.pending()]
            for end in ready or [key.fileobj for key, _ in selector.select()]:
                data = end.recv(65536)
                if not data:
                    return
                other[end].sendall(data)


def _nodelay(end):
    # As PostgreSQL's own sockets: a small write goes out at once rather than waiting on the last one's
    # acknowledgement, which the other side may delay by 40 ms.
    end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _message(kind, body):
    return kind + struct.pack("!i", len(body) + 4) + body


def _receive(end, size):
    data = b""
    while len(data) < size:
        chunk = end.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("the connection closed")
        data += chunk
    return data


def _read_packet(end):
    """A packet of the startup phase, which has no type byte: its length, its code, its body."""
    (length,) = struct.unpack("!i", _receive(end, 4))
    if not 8 <= length <= MAX_PACKET:
        raise Refused("08P01", "invalid startup packet length")
    return struct.pack("!i", length) + _receive(end, length - 4)


def _code(packet):
    return struct.unpack_from("!i", packet, 4)[0]


def _startup_parameters(packet):
    if _code(packet) >> 16 != PROTOCOL_MAJOR:
        raise Refused("0A000", "unsupported frontend protocol")
    fields = packet[8:].decode(errors="replace").split("\0")
    return dict(zip(fields[0::2], fields[1::2], strict=False))


def _read_password(end):
    kind, length = struct.unpack("!ci", _receive(end, 5))
    if kind != b"p" or not 5 <= length <= MAX_PACKET:
        raise Refused("08P01", "expected a password message")
    return _receive(end, length - 4).rstrip(b"\0").decode(errors="replace")
